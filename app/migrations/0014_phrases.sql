-- A message of the phrase book is stored as its id (in `body`) and its
-- arguments (a JSON object: {"day": "2026-12-03", "time": "10:00"}), and
-- every reader reads it in their own language.
ALTER TABLE messages ADD COLUMN args TEXT NOT NULL DEFAULT '{}';
