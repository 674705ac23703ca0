-- Web push. Each device that said yes to notifications has a subscription,
-- bound to the session that made it: signing out of that device, being
-- disabled or removed, ends it.
CREATE TABLE push_subscriptions (
    id            TEXT PRIMARY KEY,
    subject_kind  TEXT NOT NULL CHECK (subject_kind IN ('staff', 'member')),
    subject_id    TEXT NOT NULL,
    session_hash  TEXT NOT NULL,
    endpoint      TEXT NOT NULL UNIQUE,
    p256dh        TEXT NOT NULL,
    auth          TEXT NOT NULL,
    -- the language its notices are written in (the device's, at subscribing)
    language      TEXT NOT NULL,
    -- the kinds this device does not want, e.g. ",plan,joined,"
    kinds_off     TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX push_subscriptions_subject ON push_subscriptions (subject_id);
CREATE INDEX push_subscriptions_session ON push_subscriptions (session_hash);

-- The notification outbox: one row per event worth telling, written in the
-- same transaction as the event. Who is told is decided when it is sent,
-- by the access layer; the row holds ids only, never content.
CREATE TABLE notification_events (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    event        TEXT NOT NULL,
    family_id    TEXT,
    subject_id   TEXT,
    -- who made it (never told of their own change)
    actor_id     TEXT NOT NULL DEFAULT '',
    -- for a test notification: the one subscription it goes to
    only_to      TEXT,
    -- makes a scheduled event (an evaluation reminder) happen once
    once_key     TEXT UNIQUE,
    created_at   BIGINT NOT NULL,
    expanded_at  BIGINT
);
CREATE INDEX notification_events_pending ON notification_events (expanded_at, created_at);

-- One push to one device. `id` is random and is the payload's only id.
CREATE TABLE push_deliveries (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL REFERENCES notification_events(id),
    subscription_id  TEXT NOT NULL,
    recipient_kind   TEXT NOT NULL,
    recipient_id     TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_try_at      BIGINT NOT NULL,
    -- an instance sending it holds it until then (another takes over after)
    lease_until      BIGINT NOT NULL DEFAULT 0,
    -- when it left (the push service took it), or why it never will
    done_at          BIGINT,
    outcome          TEXT,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX push_deliveries_due ON push_deliveries (done_at, next_try_at);
