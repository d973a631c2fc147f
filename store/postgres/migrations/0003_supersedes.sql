-- 0003: update records. A record may supersede an earlier one (the LLM's
-- explanation of an analysis that was first stored with the offline one);
-- '' for an original record. Records stay append-only. A constant default
-- makes this a catalog-only change (no table rewrite).

ALTER TABLE records ADD COLUMN supersedes text NOT NULL DEFAULT '';
