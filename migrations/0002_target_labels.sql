-- Labels from a config file (team, environment, …): a JSON object of strings, replaced at every run start by
-- what the configuration says, so the report groups and filters by the current labels.
ALTER TABLE target ADD COLUMN labels TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(labels));
