-- A change a phone made offline is sent again when the connection returns,
-- maybe more than once: it carries a key made on the phone, and the same
-- key from the same person is done once (kept with the change, in its
-- transaction).
CREATE TABLE request_keys (
    subject_id   TEXT NOT NULL,
    request_key  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (subject_id, request_key)
);
