-- Messages between a family and its coach or its volunteer.
--
-- A thread is one conversation of the family with one person of staff in
-- one role: 'coach' or 'volunteer'. Who may read it is decided in the
-- query (access::THREAD_READER_SQL), on every request: nothing here grants.
CREATE TABLE threads (
    id          TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL REFERENCES families(id),
    role        TEXT NOT NULL CHECK (role IN ('coach', 'volunteer')),
    staff_id    TEXT NOT NULL REFERENCES staff(id),
    -- the number of the thread's newest message (messages.seq)
    last_seq    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    UNIQUE (family_id, role, staff_id)
);
CREATE INDEX threads_staff ON threads (staff_id);

-- One message. `kind` is 'text' (more kinds come with the phrase book);
-- `lang` is the writer's language, so that each reader sees whether it is
-- theirs. A deleted message keeps its row, without its body.
CREATE TABLE messages (
    id           TEXT PRIMARY KEY,
    thread_id    TEXT NOT NULL REFERENCES threads(id),
    seq          BIGINT NOT NULL,
    author_kind  TEXT NOT NULL CHECK (author_kind IN ('member', 'staff')),
    author_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL,
    lang         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    deleted_at   BIGINT,
    -- made by the writer's phone: the same key is one message
    client_key   TEXT,
    UNIQUE (thread_id, seq)
);
CREATE UNIQUE INDEX messages_client_key ON messages (author_kind, author_id, client_key);

-- How far each reader has read each thread (for unread counts and the
-- writer's "read" ticks).
CREATE TABLE thread_reads (
    thread_id    TEXT NOT NULL REFERENCES threads(id),
    reader_kind  TEXT NOT NULL CHECK (reader_kind IN ('member', 'staff')),
    reader_id    TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (thread_id, reader_kind, reader_id)
);

-- The family's yes to talking with a volunteer ("May Marleen send us
-- messages?"): given to a person, withdrawn by a member or ended by the
-- service when the family's volunteer changes.
CREATE TABLE talk_consents (
    id            TEXT PRIMARY KEY,
    family_id     TEXT NOT NULL REFERENCES families(id),
    staff_id      TEXT NOT NULL REFERENCES staff(id),
    granted_by    TEXT NOT NULL REFERENCES members(id),
    granted_at    BIGINT NOT NULL,
    withdrawn_at  BIGINT,
    withdrawn_by  TEXT
);
CREATE INDEX talk_consents_family ON talk_consents (family_id, staff_id);
