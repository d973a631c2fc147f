-- 0002: model registry (verdict model versions and the promotion log).

CREATE TABLE models (
    seq        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- insert order
    version    text        NOT NULL UNIQUE,
    parent     text        NOT NULL,
    created_at timestamptz NOT NULL,
    summary    bytea       NOT NULL,                 -- JSON as given ('' when none)
    metrics    bytea       NOT NULL,                 -- JSON as given ('' when none)
    blob       bytea       NOT NULL
);

-- Append-only: promotions push a version, rollbacks pop one; the version
-- in force is the "version" column of the newest row. Writers serialise on
-- the models advisory lock (models.go).
CREATE TABLE model_events (
    seq      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action   text        NOT NULL,                   -- promote|rollback
    version  text        NOT NULL,                   -- in force after the event ('' when none)
    from_ver text        NOT NULL,                   -- in force before it
    by_whom  text        NOT NULL,
    at       timestamptz NOT NULL
);
