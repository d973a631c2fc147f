-- 0004: find the update records of a record (Filter.Supersedes: "is this
-- record superseded, and by which?"). Partial: only update records are
-- indexed, so originals, the bulk of inserts, cost no index entry.
-- ListRecords repeats supersedes <> '' in a Supersedes filter so that a
-- generic plan (parameter not known) can prove the index usable. A plain
-- CREATE INDEX (CONCURRENTLY cannot run in the migration's transaction)
-- blocks record inserts while it reads the table once, at the upgrade.

CREATE INDEX records_supersedes ON records (supersedes, seq) WHERE supersedes <> '';
