-- The console: its users, their sessions, and the audit trail.
--
-- Flags are BIGINT 0 or 1, as SQLite has no boolean type of its own.

-- A user of the console. name is lower case (the user package folds it)
-- and never reused, so that audit entries naming it stay unambiguous;
-- users are locked, not deleted. password is a PHC string (argon2id);
-- totp and totp_pending are second-factor secrets sealed with the server
-- key; totp_step is the time step of the last code accepted, so that a
-- code works once.
CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL,
    password         TEXT NOT NULL,
    must_change      BIGINT NOT NULL,
    password_changed BIGINT NOT NULL,
    totp             BYTEA,
    totp_pending     BYTEA,
    totp_step        BIGINT NOT NULL,
    failures         BIGINT NOT NULL,
    failed_since     BIGINT NOT NULL,
    locked_until     BIGINT,
    locked           BIGINT NOT NULL,
    last_login       BIGINT,
    last_result      TEXT NOT NULL,
    last_ip          TEXT NOT NULL,
    created          BIGINT NOT NULL,
    updated          BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_name ON users (name);

-- A session of the console. Only the SHA-256 of its id is kept. Ended
-- sessions stay a while, so that using one is told apart from using an
-- id that never was; a user has at most one session that has not ended.
CREATE TABLE sessions (
    id_hash    BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ip         TEXT NOT NULL,
    created    BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    expires    BIGINT NOT NULL,
    ended      BIGINT,
    end_reason TEXT NOT NULL
);
CREATE UNIQUE INDEX sessions_live_user ON sessions (user_id) WHERE ended IS NULL;
CREATE INDEX sessions_ended ON sessions (ended);

-- The audit trail: append-only, each entry chained to the one before by
-- hash = SHA-256 over its seq, prev and fields (see package audit); prev
-- of the first entry is 32 zero bytes.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    source_ip TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    result    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev      BYTEA NOT NULL,
    hash      BYTEA NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);

-- The last entry of the trail. Appending locks this one row, so that
-- processes sharing a database append one after the other.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash BYTEA NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- Ed25519 signatures over (seq, hash of entry seq, time): each vouches
-- for every entry up to seq. key_id names the public key.
CREATE TABLE audit_seals (
    seq    BIGINT PRIMARY KEY,
    hash   BYTEA NOT NULL,
    at     BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    sig    BYTEA NOT NULL
);
