-- Responding to alerts: the source of an alert; the queue of alerts to
-- route; Alertmanager's aggregation groups and notification log, kept
-- here so that a restart or another node carries on; the outbox of
-- notifications; silences; response actions.

ALTER TABLE alerts ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- Alerts whose creation or change is still to be routed. version grows
-- with each change, so that routing removes only the change it saw.
CREATE TABLE notify_queue (
    alert_id  TEXT PRIMARY KEY,
    version   BIGINT NOT NULL,
    queued_at BIGINT NOT NULL
);

-- A group of alerts of one route with the same group labels. route is
-- the route's key (the matchers of it and its ancestors, as Alertmanager
-- keys routes), which a reordering of the tree does not change; id is a
-- digest of the key, the receiver and the labels.
CREATE TABLE notify_groups (
    id         TEXT PRIMARY KEY,
    route      TEXT NOT NULL,
    group_key  TEXT NOT NULL,
    receiver   TEXT NOT NULL,
    labels     TEXT NOT NULL,
    next_flush BIGINT NOT NULL,
    flushed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX notify_groups_due ON notify_groups (next_flush);

CREATE TABLE notify_group_alerts (
    group_id TEXT NOT NULL REFERENCES notify_groups (id) ON DELETE CASCADE,
    alert_id TEXT NOT NULL,
    PRIMARY KEY (group_id, alert_id)
);
CREATE INDEX notify_group_alerts_alert ON notify_group_alerts (alert_id);

-- What each integration of a group was last told: the firing and
-- resolved alerts (JSON lists of ids) and when.
CREATE TABLE notify_log (
    group_id    TEXT NOT NULL REFERENCES notify_groups (id) ON DELETE CASCADE,
    integration TEXT NOT NULL,
    firing      TEXT NOT NULL,
    resolved    TEXT NOT NULL,
    at          BIGINT NOT NULL,
    PRIMARY KEY (group_id, integration)
);

-- The outbox: each notification to each integration, until delivered or
-- set aside as a dead letter.
CREATE TABLE deliveries (
    id           TEXT PRIMARY KEY,
    receiver     TEXT NOT NULL,
    integration  TEXT NOT NULL,
    group_key    TEXT NOT NULL,
    status       TEXT NOT NULL,
    alerts       BIGINT NOT NULL,
    notification BYTEA NOT NULL,
    state        TEXT NOT NULL,
    attempts     BIGINT NOT NULL,
    next_attempt BIGINT NOT NULL,
    last_error   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX deliveries_due ON deliveries (receiver, integration, state, next_attempt);
CREATE INDEX deliveries_group ON deliveries (receiver, integration, group_key, id);
CREATE INDEX deliveries_state ON deliveries (state, id);

CREATE TABLE silences (
    id         TEXT PRIMARY KEY,
    matchers   TEXT NOT NULL,
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    comment    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX silences_ends ON silences (ends_at);

-- One row per alert, action and target: the unique index makes each
-- action idempotent per alert and target (the event that named it, for
-- actions on what an event did; "" for actions on the whole alert).
CREATE TABLE actions (
    id           TEXT PRIMARY KEY,
    alert_id     TEXT NOT NULL,
    name         TEXT NOT NULL,
    target       TEXT NOT NULL,
    type         TEXT NOT NULL,
    mode         TEXT NOT NULL,
    state        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    request      TEXT NOT NULL,
    result       TEXT NOT NULL,
    error        TEXT NOT NULL,
    attempts     BIGINT NOT NULL,
    next_attempt BIGINT NOT NULL,
    decided_by   TEXT NOT NULL,
    decided_at   BIGINT,
    comment      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX actions_alert_target ON actions (alert_id, name, target);
CREATE INDEX actions_state ON actions (name, state, next_attempt);
CREATE INDEX actions_name_created ON actions (name, created_at);
