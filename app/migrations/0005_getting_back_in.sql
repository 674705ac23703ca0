-- Getting back in (issue 10, stage 3): a member who lost their phone, or
-- signed out, gets back in as the member they are, never as a new one.
-- Portable SQL: it runs unchanged on SQLite and PostgreSQL.

-- A "new phone" code is an invite row that names the member it lets back
-- in (for_member); NULL is an invite to join. It uses the invite's code
-- format, look-up hash, one-time use and expiry. Made by a member of the
-- family, or by the family's coach while the family accepts them.
ALTER TABLE invites ADD COLUMN for_member TEXT REFERENCES members(id);

-- A member removed by another member of the family (a duplicate, or
-- someone who left): their sessions end and they never open the family
-- again. What they wrote stays: it is the family's plan.
ALTER TABLE members ADD COLUMN removed_at BIGINT;
ALTER TABLE members ADD COLUMN removed_by TEXT REFERENCES members(id);

-- Which member has seen (and put away) the notice that the coach let
-- someone in on a new phone. The notice is the used code itself.
CREATE TABLE new_phone_notices_seen (
    invite_id  TEXT NOT NULL REFERENCES invites(id),
    member_id  TEXT NOT NULL REFERENCES members(id),
    seen_at    BIGINT NOT NULL,
    PRIMARY KEY (invite_id, member_id)
);
