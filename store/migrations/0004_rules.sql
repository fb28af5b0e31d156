-- Changes to the rules made in the console: rules disabled or given
-- another severity, exceptions, uploaded rule files. rules_version grows
-- with every change, so that every node reloads its rules.

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
