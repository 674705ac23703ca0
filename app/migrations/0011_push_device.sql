-- The browser a subscription lives in: the hash of a long-lived random
-- cookie set when it subscribed. Signing in again in that browser binds the
-- subscription to the new session; someone else signing in there ends it
-- (a shared phone tells each person only their own notices).
ALTER TABLE push_subscriptions ADD COLUMN device_hash TEXT;
CREATE INDEX push_subscriptions_device ON push_subscriptions (device_hash);
