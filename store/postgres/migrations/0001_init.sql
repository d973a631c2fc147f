-- 0001: queue, records (+ IOC index for Filter.Query), cursors, feedback.
--
-- Times are timestamptz (microseconds, UTC on the way out). Free-text
-- columns that hold untrusted strings (file names, paths, analyst notes)
-- are stored as valid UTF-8 without NUL (what PostgreSQL text accepts: bad
-- bytes become U+FFFD) for display and search, and the exact values of the
-- columns that needed that are kept in "raw" (bytea: a JSON object
-- {"column": base64}), NULL in the usual case where every column is exact.

CREATE TABLE items (
    seq         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- enqueue order (FIFO leasing)
    id          text        NOT NULL UNIQUE,          -- caller's claim id
    path        text        NOT NULL,
    name        text        NOT NULL,
    source      text        NOT NULL,
    signature   text        NOT NULL,
    size        bigint      NOT NULL,
    sha256      text        NOT NULL,
    claimed_at  timestamptz NOT NULL,
    meta        bytea       NOT NULL,                 -- JSON object
    raw         bytea,                                -- exact values of path, name, source, signature
    attempts    integer     NOT NULL DEFAULT 0,
    lease_until timestamptz,                          -- NULL: not leased (database clock)
    leased_by   text,                                 -- owner id of the Store that leased it
    done        boolean     NOT NULL DEFAULT false,
    done_at     timestamptz,
    record_id   text                                  -- set when done
);

-- Leasing scans pending items in enqueue order.
CREATE INDEX items_pending ON items (seq) WHERE NOT done;
-- RecoverLeases looks up the leases of one owner.
CREATE INDEX items_leased_by ON items (leased_by) WHERE NOT done AND leased_by IS NOT NULL;

CREATE TABLE records (
    -- Never reused and assigned under the records advisory lock, so that
    -- Seq order is commit order (see records.go): sink cursors rely on it.
    seq           bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            text             NOT NULL UNIQUE,
    item_id       text             NOT NULL,
    sha256        text             NOT NULL,
    source        text             NOT NULL,
    signature     text             NOT NULL,
    name          text             NOT NULL,
    path          text             NOT NULL,
    status        text             NOT NULL,
    label         text             NOT NULL,
    language      text             NOT NULL,
    score         double precision NOT NULL,
    rules_version text             NOT NULL,
    model_version text             NOT NULL,
    duplicate_of  text             NOT NULL,
    created_at    timestamptz      NOT NULL,
    raw           bytea                              -- exact values of source, signature, name, path
);

ALTER TABLE items ADD FOREIGN KEY (record_id) REFERENCES records (id);

CREATE INDEX records_sha256  ON records (sha256, seq);
CREATE INDEX records_created ON records (created_at);
CREATE INDEX records_label   ON records (label, seq);
CREATE INDEX records_status  ON records (status, seq);

-- The report JSON lives apart from the record's columns so that scans of
-- records (filters, Query) read compact rows (large values are TOASTed
-- anyway, but the row header and pointer still cost).
CREATE TABLE record_reports (
    record_seq bigint PRIMARY KEY REFERENCES records (seq) ON DELETE CASCADE,
    report     bytea  NOT NULL
);

-- IOC values of each record's report, searched by Filter.Query.
CREATE TABLE record_iocs (
    record_seq bigint NOT NULL REFERENCES records (seq) ON DELETE CASCADE,
    value      text   NOT NULL,
    PRIMARY KEY (record_seq, value)
);

CREATE TABLE cursors (
    sink       text        PRIMARY KEY,
    seq        bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE feedback (
    seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- insert order
    id           text        NOT NULL UNIQUE,
    record_id    text        REFERENCES records (id),  -- NULL when given by sha256 only
    sha256       text        NOT NULL,
    indicator_id text        NOT NULL,
    analyst      text        NOT NULL,
    disposition  text        NOT NULL,
    category     text        NOT NULL,
    summary      text        NOT NULL,
    rating       integer     NOT NULL,
    note         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    raw          bytea                                -- exact values of the free-text columns
);

CREATE INDEX feedback_record  ON feedback (record_id);
CREATE INDEX feedback_sha256  ON feedback (sha256, indicator_id);
CREATE INDEX feedback_created ON feedback (created_at, seq);
