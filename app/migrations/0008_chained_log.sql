-- The access log becomes a hash chain per family: each entry stores the
-- SHA-256 of the previous entry's hash and its own canonical content, so
-- changing or removing an entry breaks the chain from there on. The head
-- (the last entry's number and hash) is kept per family, so removing the
-- newest entries is seen too; writers of one family take turns on it.
-- Entries written before this migration are not chained (hash NULL).
ALTER TABLE access_log ADD COLUMN prev_hash TEXT;
ALTER TABLE access_log ADD COLUMN hash TEXT;
CREATE TABLE log_heads (
    family_id  TEXT PRIMARY KEY REFERENCES families(id),
    seq        BIGINT NOT NULL,
    hash       TEXT NOT NULL
);
