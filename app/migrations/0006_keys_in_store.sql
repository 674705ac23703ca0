-- The server's keys live in the store, so several instances on one
-- database share them (an invite code made on one works on the other).
-- Each instance also keeps a copy in its data directory, and refuses to
-- start when that copy does not match the store's.
CREATE TABLE server_keys (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
