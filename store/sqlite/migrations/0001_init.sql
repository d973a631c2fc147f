-- 0001: queue, records (+ IOC index for Filter.Query), cursors, feedback.
-- Times are unix nanoseconds (UTC), booleans 0/1; kept to portable SQL.

CREATE TABLE items (
    seq         INTEGER PRIMARY KEY,               -- enqueue order (FIFO leasing)
    id          TEXT    NOT NULL UNIQUE,           -- caller's claim id
    path        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    signature   TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    claimed_at  INTEGER NOT NULL,
    meta        TEXT    NOT NULL,                  -- JSON object
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER NOT NULL DEFAULT 0,        -- 0: not leased
    done        INTEGER NOT NULL DEFAULT 0,
    done_at     INTEGER NOT NULL DEFAULT 0,
    record_id   TEXT REFERENCES records (id)       -- set when done
);

-- Leasing scans pending items in enqueue order.
CREATE INDEX items_pending ON items (seq, lease_until) WHERE done = 0;

CREATE TABLE records (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: sink cursors rely on it
    id            TEXT    NOT NULL UNIQUE,
    item_id       TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    signature     TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    label         TEXT    NOT NULL,
    language      TEXT    NOT NULL,
    score         REAL    NOT NULL,
    rules_version TEXT    NOT NULL,
    model_version TEXT    NOT NULL,
    duplicate_of  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Every index costs a page write per insert: only the lookups that would
-- otherwise scan the table (dedupe by sha256, time ranges) and the rare
-- values analysts filter on (a label, error/skipped status) get one;
-- language and source filters scan records in Seq order, which finds a
-- page of common values quickly.
CREATE INDEX records_sha256  ON records (sha256, seq);
CREATE INDEX records_created ON records (created_at);
CREATE INDEX records_label   ON records (label, seq);
CREATE INDEX records_status  ON records (status, seq);

-- The report JSON lives apart from the record's columns so that scans of
-- records (filters, Query) read compact rows, not kilobytes of JSON.
CREATE TABLE record_reports (
    record_seq INTEGER PRIMARY KEY REFERENCES records (seq) ON DELETE CASCADE,
    report     BLOB    NOT NULL
);

-- IOC values of each record's report, searched by Filter.Query.
CREATE TABLE record_iocs (
    record_seq INTEGER NOT NULL REFERENCES records (seq) ON DELETE CASCADE,
    value      TEXT    NOT NULL,
    PRIMARY KEY (record_seq, value)
) WITHOUT ROWID;

CREATE TABLE cursors (
    sink       TEXT    PRIMARY KEY,
    seq        INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE feedback (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT, -- insert order
    id           TEXT    NOT NULL UNIQUE,
    record_id    TEXT REFERENCES records (id),      -- NULL when given by sha256 only
    sha256       TEXT    NOT NULL,
    indicator_id TEXT    NOT NULL,
    analyst      TEXT    NOT NULL,
    disposition  TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    rating       INTEGER NOT NULL,
    note         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE INDEX feedback_record ON feedback (record_id);
CREATE INDEX feedback_sha256 ON feedback (sha256, indicator_id);
CREATE INDEX feedback_created ON feedback (created_at, seq);
