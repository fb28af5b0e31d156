-- What the console changes and shows: rules disabled or given another
-- severity, exceptions, uploaded rule files (rules_version grows with
-- every change, so that every node reloads its rules); and the events
-- each source takes in.

CREATE TABLE rule_settings (
    rule_id    TEXT PRIMARY KEY,
    disabled   BIGINT NOT NULL,
    severity   TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE rule_exceptions (
    id         TEXT PRIMARY KEY,
    rule_id    TEXT NOT NULL,
    pattern    TEXT NOT NULL,
    comment    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX rule_exceptions_rule ON rule_exceptions (rule_id);

CREATE TABLE rule_uploads (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    content     BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);

CREATE TABLE rules_version (
    id      BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO rules_version (id, version) VALUES (1, 0);

-- Events taken in by each source, per minute, for the console's sources
-- page; kept a week.
CREATE TABLE source_minutes (
    source     TEXT NOT NULL,
    minute     BIGINT NOT NULL,
    events     BIGINT NOT NULL,
    last_event BIGINT NOT NULL,
    PRIMARY KEY (source, minute)
);
