-- Staff accounts the operator manages: an account can be disabled (its
-- sessions end, it can never sign in or read again), and a new account
-- has no password until its owner sets one through a one-time link.
ALTER TABLE staff ADD COLUMN disabled_at BIGINT;

-- One-time links to set a staff account's own password. Only the hash of
-- the token is kept; a new link makes the older ones unusable.
CREATE TABLE password_links (
    token_hash  TEXT PRIMARY KEY,
    staff_id    TEXT NOT NULL REFERENCES staff(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_links_staff ON password_links (staff_id);
