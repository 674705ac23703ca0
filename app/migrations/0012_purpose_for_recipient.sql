-- A share's purpose is read by its recipient only when the family wrote it
-- knowing that: the share form says so since this change. Purposes written
-- before it were the family's own, and stay so.
ALTER TABLE shares ADD COLUMN purpose_for_recipient BIGINT NOT NULL DEFAULT 0;
