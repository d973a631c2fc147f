-- 0002: model registry (verdict model versions and the promotion log).
-- Times are unix nanoseconds (UTC); kept to portable SQL.

CREATE TABLE models (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT, -- insert order
    version    TEXT    NOT NULL UNIQUE,
    parent     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    summary    TEXT    NOT NULL,                  -- JSON ('' when none)
    metrics    TEXT    NOT NULL,                  -- JSON ('' when none)
    blob       BLOB    NOT NULL
);

-- Append-only: promotions push a version, rollbacks pop one; the version
-- in force is the "version" column of the newest row.
CREATE TABLE model_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    action     TEXT    NOT NULL,                  -- promote|rollback
    version    TEXT    NOT NULL,                  -- in force after the event ('' when none)
    from_ver   TEXT    NOT NULL,                  -- in force before it
    by_whom    TEXT    NOT NULL,
    at         INTEGER NOT NULL
);
