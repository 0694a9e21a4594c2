-- How many times `reprocess` rebuilt the events: the one change that can leave the
-- article and event counts as they were, told to servers that cache the map.
CREATE TABLE store_generation (
    id integer PRIMARY KEY CHECK (id = 1),
    n bigint NOT NULL
);
INSERT INTO store_generation (id, n) VALUES (1, 0);
