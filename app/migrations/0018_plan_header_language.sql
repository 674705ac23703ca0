-- The language the plan's end criteria and hold reason were written in
-- (the writer's, as for plan items and messages), each kept apart: a
-- change of one text does not relabel the other. Unknown (NULL) for
-- older ones.
ALTER TABLE plans ADD COLUMN end_criteria_lang TEXT;
ALTER TABLE plans ADD COLUMN hold_reason_lang TEXT;
