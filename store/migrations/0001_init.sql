-- The first schema: alerts and their events, entities and notes; API
-- tokens; checkpoints; what directory inputs did with their files.
--
-- Portable between SQLite and PostgreSQL: TEXT, BIGINT and BYTEA (which
-- SQLite stores as given), no autoincrement. Times are BIGINT nanoseconds
-- since the Unix epoch, UTC.

CREATE TABLE alerts (
    id            TEXT PRIMARY KEY,
    rule_id       TEXT NOT NULL,
    rule_title    TEXT NOT NULL,
    severity      TEXT NOT NULL,
    severity_rank BIGINT NOT NULL,
    scenario      TEXT NOT NULL,
    tags          TEXT NOT NULL,
    dedup_key     TEXT NOT NULL,
    dedup         TEXT NOT NULL,
    status        TEXT NOT NULL,
    event_count   BIGINT NOT NULL,
    first_seen    BIGINT,
    last_seen     BIGINT,
    entities      TEXT NOT NULL,
    fields        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- One alert per rule and dedup values takes new events.
CREATE UNIQUE INDEX alerts_taking_events ON alerts (rule_id, dedup_key)
    WHERE status IN ('open', 'acknowledged');
CREATE INDEX alerts_rule ON alerts (rule_id, id);
CREATE INDEX alerts_status ON alerts (status, id);
CREATE INDEX alerts_severity ON alerts (severity_rank, id);
CREATE INDEX alerts_last_seen ON alerts (last_seen);

-- Every event of every alert. sort_time is event_time, or the largest
-- BIGINT when the event has no time, so that those come last.
CREATE TABLE events (
    rule_id    TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    alert_id   TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    event_time BIGINT,
    sort_time  BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    body       BYTEA,
    PRIMARY KEY (rule_id, event_id)
);
CREATE INDEX events_alert ON events (alert_id, sort_time, event_id);

-- value_key is a 64-bit digest of value: indexing it rather than value
-- keeps the index small and accepts values of any length.
CREATE TABLE alert_entities (
    alert_id  TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    type      TEXT NOT NULL,
    value     TEXT NOT NULL,
    value_key BIGINT NOT NULL
);
CREATE INDEX alert_entities_value ON alert_entities (value_key);
CREATE INDEX alert_entities_alert ON alert_entities (alert_id);

CREATE TABLE alert_notes (
    alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    seq      BIGINT NOT NULL,
    at       BIGINT NOT NULL,
    actor    TEXT NOT NULL,
    status   TEXT NOT NULL,
    comment  TEXT NOT NULL,
    PRIMARY KEY (alert_id, seq)
);

CREATE TABLE tokens (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    role    TEXT NOT NULL,
    source  TEXT NOT NULL,
    hash    BYTEA NOT NULL,
    created BIGINT NOT NULL,
    revoked BIGINT
);
CREATE UNIQUE INDEX tokens_live_name ON tokens (name) WHERE revoked IS NULL;
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);

CREATE TABLE checkpoints (
    name       TEXT PRIMARY KEY,
    data       BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);

-- path is BYTEA: file names need not be UTF-8.
CREATE TABLE files (
    input    TEXT NOT NULL,
    path     BYTEA NOT NULL,
    size     BIGINT NOT NULL,
    mod_time BIGINT,
    sha256   TEXT NOT NULL,
    state    TEXT NOT NULL,
    events   BIGINT NOT NULL,
    error    TEXT NOT NULL,
    done     BIGINT,
    PRIMARY KEY (input, path)
);
