-- The photo or voice recording of a message ('photo', 'voice'), as stored
-- by domain::media: a photo re-encoded without metadata, a recording as
-- made. Served only through the thread's own check; removed with its
-- message when the writer deletes it.
CREATE TABLE message_media (
    message_id    TEXT PRIMARY KEY REFERENCES messages(id),
    content_type  TEXT NOT NULL,
    bytes         BYTEA NOT NULL
);
