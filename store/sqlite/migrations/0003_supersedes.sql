-- 0003: update records. A record may supersede an earlier one (the LLM's
-- explanation of an analysis that was first stored with the offline one);
-- '' for an original record. Records stay append-only.

ALTER TABLE records ADD COLUMN supersedes TEXT NOT NULL DEFAULT '';
