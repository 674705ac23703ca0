-- A mandate question is structured (what, with whom, which facts), so that
-- each reader reads it in their own language; the coach's own words stay as
-- an addition, with the language they were written in. A question asked
-- before this has no kinds: its free text is shown as it was written.
ALTER TABLE mandates ADD COLUMN help_kind TEXT;
ALTER TABLE mandates ADD COLUMN party_kind TEXT;
-- comma-separated ids of model::FACT_KINDS
ALTER TABLE mandates ADD COLUMN fact_kinds TEXT NOT NULL DEFAULT '';
ALTER TABLE mandates ADD COLUMN words_lang TEXT NOT NULL DEFAULT 'nl-BE';
UPDATE mandates SET words_lang = (SELECT s.language FROM staff s WHERE s.id = mandates.coach_id);

-- A message about something in the plan (a mandate question, its answer):
-- the thread shows it to staff only while they may see what it is about.
ALTER TABLE messages ADD COLUMN about_id TEXT;
