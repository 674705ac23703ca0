-- The language a goal, action or note was written in (the writer's, as
-- for messages), so that it reads right on a page in another language
-- (`lang`, and a screen reader's voice). Unknown (NULL) for older ones.
ALTER TABLE plan_items ADD COLUMN lang TEXT;
