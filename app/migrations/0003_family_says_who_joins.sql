-- Nobody joins a family without a member's yes (once it has members), and
-- every consent change is logged, also those no family member made.
-- Portable SQL: tables whose constraints change are rebuilt (SQLite cannot
-- alter a CHECK), the same way on both engines.

-- A member invited by someone outside the household waits until a member
-- of the family confirms them (confirmed_at); a refused one never gets in.
ALTER TABLE members ADD COLUMN confirmed_at BIGINT;
ALTER TABLE members ADD COLUMN confirmed_by TEXT;
ALTER TABLE members ADD COLUMN refused_at BIGINT;
UPDATE members SET confirmed_at = created_at;

-- Invites are made by the family's coach or by a member of the family.
CREATE TABLE invites_v2 (
    id                 TEXT PRIMARY KEY,
    family_id          TEXT NOT NULL REFERENCES families(id),
    code_hash          TEXT NOT NULL UNIQUE,
    created_by_staff   TEXT REFERENCES staff(id),
    created_by_member  TEXT REFERENCES members(id),
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    used_at            BIGINT,
    used_by            TEXT REFERENCES members(id),
    CHECK ((created_by_staff IS NULL) <> (created_by_member IS NULL))
);
INSERT INTO invites_v2 (id, family_id, code_hash, created_by_staff, created_at, expires_at,
                        used_at, used_by)
    SELECT id, family_id, code_hash, created_by, created_at, expires_at, used_at, used_by
    FROM invites;
DROP TABLE invites;
ALTER TABLE invites_v2 RENAME TO invites;
CREATE INDEX invites_family ON invites (family_id);

-- The access log gains the actor 'service': a change no family member made
-- (a coach reassigned by the organisation ends the old base mandate).
CREATE TABLE access_log_v2 (
    id          TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL REFERENCES families(id),
    at          BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('staff', 'member', 'service')),
    actor_id    TEXT NOT NULL,
    event       TEXT NOT NULL,
    subject_id  TEXT,
    items       TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO access_log_v2 (id, family_id, at, seq, actor_kind, actor_id, event, subject_id, items)
    SELECT id, family_id, at, seq, actor_kind, actor_id, event, subject_id, items FROM access_log;
DROP TABLE access_log;
ALTER TABLE access_log_v2 RENAME TO access_log;
CREATE INDEX access_log_family ON access_log (family_id, at);
CREATE UNIQUE INDEX access_log_family_seq ON access_log (family_id, seq);
