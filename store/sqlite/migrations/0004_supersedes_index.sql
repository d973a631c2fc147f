-- 0004: find the update records of a record (Filter.Supersedes: "is this
-- record superseded, and by which?"). Partial: only update records are
-- indexed, so originals, the bulk of inserts, cost no extra page write.
-- SQLite uses a partial index only when the query repeats its WHERE term,
-- so ListRecords adds supersedes <> '' to a Supersedes filter.

CREATE INDEX records_supersedes ON records (supersedes, seq) WHERE supersedes <> '';
