//! [`EventStore`] over one SQLite file.

mod features;
mod points;

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params, params_from_iter};
use sha2::{Digest, Sha256};

use self::points::Points;

use crate::{
    DayCount, EventPoint, EventStore, Extent, Filter, Ingested, MERGE_RADIUS_KM, NewArticle,
    Source, StoreError, StoredArticle, StoredEvent, Totals, distance_km,
};

/// Schema versions, oldest first; `PRAGMA user_version` records how many are applied.
const MIGRATIONS: &[&str] = &[
    // 1: articles, events, their sources, the R*Tree and the full-text index.
    "CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        url TEXT,
        title TEXT,
        publisher TEXT,
        published TEXT,
        text TEXT NOT NULL,
        ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE events (
        rid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        event_type TEXT NOT NULL,
        acled_event_type TEXT NOT NULL,
        acled_sub_event_type TEXT NOT NULL,
        actor1 TEXT,
        actor2 TEXT,
        date TEXT NOT NULL,
        date_precision INTEGER NOT NULL,
        place TEXT NOT NULL,
        place_name TEXT NOT NULL,
        geonameid INTEGER,
        admin1 TEXT,
        country_code TEXT NOT NULL,
        lon REAL NOT NULL,
        lat REAL NOT NULL,
        geo_precision INTEGER NOT NULL,
        fatalities INTEGER,
        injured INTEGER,
        claimed INTEGER NOT NULL,
        confidence REAL NOT NULL,
        evidence TEXT NOT NULL,
        evidence_start INTEGER NOT NULL,
        evidence_end INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        report_count INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX events_date ON events(date DESC, rid DESC);
    CREATE INDEX events_merge ON events(event_type, date, lat, lon);
    CREATE TABLE event_sources (
        event_rid INTEGER NOT NULL REFERENCES events(rid) ON DELETE CASCADE,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        evidence TEXT NOT NULL,
        evidence_start INTEGER NOT NULL,
        evidence_end INTEGER NOT NULL,
        PRIMARY KEY (event_rid, article_id)
    );
    CREATE INDEX event_sources_article ON event_sources(article_id);
    CREATE VIRTUAL TABLE events_rtree USING rtree(rid, min_lon, max_lon, min_lat, max_lat);
    CREATE VIRTUAL TABLE events_fts USING fts5(evidence, place, event_rid UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');",
    // 2: the feed items `watch` has already taken.
    "CREATE TABLE feed_items (
        feed TEXT NOT NULL,
        item TEXT NOT NULL,
        seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (feed, item)
    );",
    // 3: how many times `reprocess` rebuilt the events (servers that cache the map compare it).
    "CREATE TABLE store_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
    INSERT INTO store_generation (id, n) VALUES (1, 0);",
    // 4: every event's GeoJSON Feature, laid out by place (features.rs), filled from the events.
    features::SCHEMA,
];

/// The schema version that made `event_features`, which its migration fills.
const FEATURES_VERSION: usize = 4;

/// The page size of a new database file.
const PAGE_BYTES: i64 = 8192;

/// Feature text a connection keeps allocated between boxes (features.rs, `in_box`).
const BOX_KEEP_BYTES: usize = 16 << 20;

/// How much of the file SQLite reads through a memory map: all of it (SQLite lowers this to
/// its compile-time SQLITE_MAX_MMAP_SIZE).
const MMAP_BYTES: i64 = 1 << 40;

/// Most feature text a box holds in memory to answer in rid order (about 80,000 features);
/// a bigger box streams from the events table.
const BOX_BUDGET_BYTES: usize = 64 << 20;

/// Columns of [`StoredEvent`], in the order [`event_from_row`] reads them; events are
/// aliased `e`, their first article `a`.
const EVENT_COLUMNS: &str = "e.id, e.event_type, e.acled_event_type, e.acled_sub_event_type,
    e.actor1, e.actor2, e.date, e.date_precision, e.place, e.place_name, e.geonameid, e.admin1,
    e.country_code, e.lon, e.lat, e.geo_precision, e.fatalities, e.injured, e.claimed,
    e.confidence, e.evidence, e.evidence_start, e.evidence_end, e.article_id, a.url, a.title,
    a.published, e.report_count";

const EVENT_FROM: &str = "events e JOIN articles a ON a.id = e.article_id";

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<StoredEvent> {
    event_from_row_at(row, 0)
}

/// Reads a [`StoredEvent`] whose columns start at `at`.
fn event_from_row_at(row: &Row<'_>, at: usize) -> rusqlite::Result<StoredEvent> {
    let mut event = StoredEvent::default();
    refill_event(&mut event, row, at)?;
    Ok(event)
}

/// Copies text column `at` into `into`, reusing its allocation.
fn refill_text(into: &mut String, row: &Row<'_>, at: usize) -> rusqlite::Result<()> {
    into.clear();
    match row.get_ref(at)? {
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
            into.push_str(&String::from_utf8_lossy(bytes));
        }
        ValueRef::Integer(number) => into.push_str(&number.to_string()),
        ValueRef::Real(number) => into.push_str(&number.to_string()),
        ValueRef::Null => {}
    }
    Ok(())
}

/// Copies a nullable text column into `into`, reusing its allocation.
fn refill_optional(into: &mut Option<String>, row: &Row<'_>, at: usize) -> rusqlite::Result<()> {
    match row.get_ref(at)? {
        ValueRef::Null => *into = None,
        _ => refill_text(into.get_or_insert_with(String::new), row, at)?,
    }
    Ok(())
}

/// Fills `event` from the row's columns starting at `at` (the order of `EVENT_COLUMNS`),
/// reusing its strings' allocations: streaming reads refill one value row after row.
fn refill_event(event: &mut StoredEvent, row: &Row<'_>, at: usize) -> rusqlite::Result<()> {
    refill_text(&mut event.id, row, at)?;
    refill_text(&mut event.event_type, row, at + 1)?;
    refill_text(&mut event.acled_event_type, row, at + 2)?;
    refill_text(&mut event.acled_sub_event_type, row, at + 3)?;
    refill_optional(&mut event.actor1, row, at + 4)?;
    refill_optional(&mut event.actor2, row, at + 5)?;
    refill_text(&mut event.date, row, at + 6)?;
    event.date_precision = row.get(at + 7)?;
    refill_text(&mut event.place, row, at + 8)?;
    refill_text(&mut event.place_name, row, at + 9)?;
    event.geonameid = row.get(at + 10)?;
    refill_optional(&mut event.admin1, row, at + 11)?;
    refill_text(&mut event.country_code, row, at + 12)?;
    event.lon = row.get(at + 13)?;
    event.lat = row.get(at + 14)?;
    event.geo_precision = row.get(at + 15)?;
    event.fatalities = row.get(at + 16)?;
    event.injured = row.get(at + 17)?;
    event.claimed = row.get(at + 18)?;
    event.confidence = row.get(at + 19)?;
    refill_text(&mut event.evidence, row, at + 20)?;
    event.evidence_start = row.get(at + 21)?;
    event.evidence_end = row.get(at + 22)?;
    event.article_id = row.get(at + 23)?;
    refill_optional(&mut event.source_url, row, at + 24)?;
    refill_optional(&mut event.source_title, row, at + 25)?;
    refill_optional(&mut event.published_at, row, at + 26)?;
    event.report_count = row.get(at + 27)?;
    Ok(())
}

/// The embedded store: one SQLite file in WAL mode.
///
/// A `SqliteStore` is one connection; open one per thread (readers never block the writer
/// or each other in WAL mode).
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    /// The points of the file's events in memory, shared with the process's other
    /// connections to it (points.rs).
    points: Arc<Points>,
    /// The last box's features, emptied, for the next (features.rs, `in_box`).
    found: RefCell<features::Found>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        let conn = Connection::open(path)?;
        SqliteStore::setup(conn, Points::shared(path))
    }

    /// A private in-memory database (tests).
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::setup(Connection::open_in_memory()?, Arc::default())
    }

    fn setup(conn: Connection, points: Arc<Points>) -> Result<SqliteStore, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // 8 KiB pages in a new file (an existing one keeps its own): the map's features are
        // written in the order they arrive but read in the order of their place, and a box
        // over pages scattered by a million inserts read 11.0 ms with SQLite's 4 KiB pages,
        // 8.5 ms with 8 KiB, 9.2 with 16 KiB (whose larger WAL frames slowed ingest by a
        // quarter; 8 KiB left it as it was).
        conn.pragma_update(None, "page_size", PAGE_BYTES)?;
        // WAL: readers and the writer do not block each other; NORMAL sync keeps every
        // committed transaction through a process kill (not through a power cut).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 32 MiB of page cache per connection and reads through a memory map of the whole
        // file (up to SQLITE_MAX_MMAP_SIZE, .cargo/config.toml): at a million events the
        // indexes no longer fit SQLite's 2 MiB default, and a page read through the map is
        // a pointer where a read() is a system call and a copy.
        conn.pragma_update(None, "cache_size", -32_768)?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        let mut store = SqliteStore { conn, points, found: RefCell::default() };
        store.migrate()?;
        Ok(store)
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = MIGRATIONS.len() as i64;
        let found = self.schema_version()?;
        if found > known {
            return Err(StoreError::TooNew { found, known });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = self.conn.transaction()?;
            // A second process may have migrated between our read and this write lock.
            let now: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
            if now > index as i64 {
                continue;
            }
            tx.execute_batch(sql)?;
            if index + 1 == FEATURES_VERSION {
                features::rebuild(&tx)?;
            }
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs `read` in one read transaction when none is open: the several statements of a
    /// map query then take the file's shared lock once, not once each.
    fn reading<T>(&self, read: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
        if !self.conn.is_autocommit() {
            return read();
        }
        self.conn.execute_batch("BEGIN")?;
        let result = read();
        // A read transaction has nothing to keep: ending it cannot lose work.
        let _ = self.conn.execute_batch("COMMIT");
        result
    }

    /// Matching events newest first, `matched` being how many the filter matches when it has
    /// a box (it decides how the page is read).
    fn events_of(
        &self,
        filter: &Filter,
        limit: usize,
        offset: usize,
        matched: Option<u64>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let by_date = match matched {
            Some(matched) => {
                let (matched, total) = (matched as f64, self.totals()?.events as f64);
                (offset.saturating_add(limit)) as f64 * total <= matched * matched
            }
            None => false,
        };
        let (clause, mut values) = if by_date { filter.row_sql() } else { filter.sql() };
        let from = if by_date {
            "events e INDEXED BY events_date JOIN articles a ON a.id = e.article_id"
        } else {
            EVENT_FROM
        };
        values.push(Value::Integer(limit.min(i64::MAX as usize) as i64));
        values.push(Value::Integer(offset.min(i64::MAX as usize) as i64));
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM {from} WHERE {clause}
             ORDER BY e.date DESC, e.rid DESC LIMIT ? OFFSET ?"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params_from_iter(values), event_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The near query over the features table, in one read transaction; the features of
    /// the nearest only when asked for.
    fn nearest(
        &self,
        lat: f64,
        lon: f64,
        radius_km: f64,
        limit: usize,
        filter: &Filter,
        with_features: bool,
    ) -> Result<Vec<features::Hit>, StoreError> {
        self.reading(|| {
            let mut hits =
                features::near(&self.conn, &self.points, lat, lon, radius_km, limit, filter)?;
            if with_features {
                features::fetch_features(&self.conn, &mut hits)?;
            }
            Ok(hits)
        })
    }

    /// Writes the map features of every event anew, for rows copied in directly
    /// (`transfer`); returns how many.
    pub(crate) fn rebuild_features(&self) -> Result<u64, StoreError> {
        features::rebuild(&self.conn)
    }

    /// The raw connection, for the exporters and tests.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// The content hash that makes ingestion idempotent: SHA-256 of the text with line endings
/// unified and outer whitespace trimmed.
pub(crate) fn content_hash(text: &str) -> String {
    let mut hasher = Sha256::new();
    for (i, line) in text.trim().lines().enumerate() {
        if i > 0 {
            hasher.update(b"\n");
        }
        hasher.update(line.trim_end().as_bytes());
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Code-point offset of a byte offset (clamped to a character boundary).
pub(crate) fn char_offset(text: &str, byte: usize) -> i64 {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    text[..byte].chars().count() as i64
}

/// Writes one article's events inside `tx`.
fn insert_events(
    tx: &Transaction<'_>,
    article_id: i64,
    text: &str,
    events: &[extract::Event],
) -> Result<(usize, usize), StoreError> {
    let (mut new_events, mut merged) = (0, 0);
    for event in events {
        let evidence_start = char_offset(text, event.evidence_start);
        let evidence_end = char_offset(text, event.evidence_end);
        // The same event reported earlier by another article: same type and day, close by,
        // found with the covering (type, date, lat, lon) index alone.
        let d_lat = MERGE_RADIUS_KM / 111.0;
        let d_lon = MERGE_RADIUS_KM / (111.0 * event.lat.to_radians().cos().max(0.01));
        let mut candidates = tx.prepare_cached(
            "SELECT e.rid, e.lat, e.lon FROM events e
             WHERE e.event_type = ?1 AND e.date = ?2
               AND e.lat BETWEEN ?3 AND ?4 AND e.lon BETWEEN ?5 AND ?6
               AND NOT EXISTS (SELECT 1 FROM event_sources s
                               WHERE s.event_rid = e.rid AND s.article_id = ?7)",
        )?;
        let nearest = candidates
            .query_map(
                params![
                    event.event_type,
                    event.date,
                    event.lat - d_lat,
                    event.lat + d_lat,
                    event.lon - d_lon,
                    event.lon + d_lon,
                    article_id
                ],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, f64>(1)?, row.get::<_, f64>(2)?)),
            )?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|(rid, lat, lon)| (rid, distance_km(event.lat, event.lon, lat, lon)))
            .filter(|&(_, km)| km <= MERGE_RADIUS_KM)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((rid, _)) = nearest {
            tx.prepare_cached(
                "INSERT INTO event_sources (event_rid, article_id, evidence, evidence_start, evidence_end)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![rid, article_id, event.evidence, evidence_start, evidence_end])?;
            tx.prepare_cached(
                "UPDATE events SET report_count = report_count + 1,
                    confidence = max(confidence, ?2),
                    fatalities = CASE WHEN ?3 IS NULL THEN fatalities ELSE max(coalesce(fatalities, 0), ?3) END,
                    injured = CASE WHEN ?4 IS NULL THEN injured ELSE max(coalesce(injured, 0), ?4) END
                 WHERE rid = ?1",
            )?
            .execute(params![rid, f64::from(event.confidence), event.fatalities, event.injured])?;
            features::refresh(tx, rid)?;
            tx.prepare_cached(
                "INSERT INTO events_fts (evidence, place, event_rid) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![event.evidence, event.place, rid])?;
            merged += 1;
            continue;
        }
        tx.prepare_cached(
            "INSERT INTO events (id, event_type, acled_event_type, acled_sub_event_type, actor1,
                actor2, date, date_precision, place, place_name, geonameid, admin1, country_code,
                lon, lat, geo_precision, fatalities, injured, claimed, confidence, evidence,
                evidence_start, evidence_end, article_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
        )?
        .execute(params![
            event.id,
            event.event_type,
            event.acled_event_type,
            event.acled_sub_event_type,
            event.actor1,
            event.actor2,
            event.date,
            event.date_precision,
            event.place,
            event.place_name,
            event.geonameid,
            event.admin1,
            event.country_code,
            event.lon,
            event.lat,
            event.geo_precision,
            event.fatalities,
            event.injured,
            event.claimed,
            f64::from(event.confidence),
            event.evidence,
            evidence_start,
            evidence_end,
            article_id
        ])?;
        let rid = tx.last_insert_rowid();
        tx.prepare_cached(
            "INSERT INTO event_sources (event_rid, article_id, evidence, evidence_start, evidence_end)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![rid, article_id, event.evidence, evidence_start, evidence_end])?;
        tx.prepare_cached(
            "INSERT INTO events_rtree (rid, min_lon, max_lon, min_lat, max_lat) VALUES (?1, ?2, ?2, ?3, ?3)",
        )?
        .execute(params![rid, event.lon, event.lat])?;
        tx.prepare_cached(
            "INSERT INTO events_fts (evidence, place, event_rid) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![
            event.evidence,
            format!("{} {}", event.place, event.place_name),
            rid
        ])?;
        features::insert(tx, rid)?;
        new_events += 1;
    }
    Ok((new_events, merged))
}

impl SqliteStore {
    /// The map fields of the matching events in `order`.
    fn points(
        &self,
        filter: &Filter,
        order: &str,
        visit: &mut dyn FnMut(EventPoint),
    ) -> Result<u64, StoreError> {
        let (clause, values) = filter.sql();
        let sql = format!(
            "SELECT e.id, e.lon, e.lat, e.event_type, e.date, e.confidence, e.report_count, e.fatalities,
                    e.place_name
             FROM events e WHERE {clause} ORDER BY {order}"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut rows = statement.query(params_from_iter(values))?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            visit(EventPoint {
                id: row.get(0)?,
                lon: row.get(1)?,
                lat: row.get(2)?,
                event_type: row.get(3)?,
                date: row.get(4)?,
                confidence: row.get(5)?,
                report_count: row.get(6)?,
                fatalities: row.get(7)?,
                place_name: row.get(8)?,
            });
            count += 1;
        }
        Ok(count)
    }
}

impl EventStore for SqliteStore {
    fn add_article(
        &mut self,
        article: &NewArticle<'_>,
        events: &[extract::Event],
    ) -> Result<Ingested, StoreError> {
        let hash = content_hash(article.text);
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let existing: Option<i64> = tx
            .query_row("SELECT id FROM articles WHERE hash = ?1", [&hash], |row| row.get(0))
            .optional()?;
        if let Some(article_id) = existing {
            return Ok(Ingested::Duplicate { article_id });
        }
        tx.execute(
            "INSERT INTO articles (hash, url, title, publisher, published, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![hash, article.url, article.title, article.publisher, article.published, article.text],
        )?;
        let article_id = tx.last_insert_rowid();
        let (new_events, merged_events) = insert_events(&tx, article_id, article.text, events)?;
        tx.commit()?;
        Ok(Ingested::Added { article_id, new_events, merged_events })
    }

    fn find_article(&self, text: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT id FROM articles WHERE hash = ?1", [content_hash(text)], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// With a box, newest first in one of two ways: through the R*Tree, then sorted by date,
    /// when the box holds few events; down the date index with each row's point tested,
    /// stopping at the page's end, when it holds many. At a million events a view of the
    /// whole front (every event in the box) took 2.6 s the first way; the second reads
    /// about `(offset + limit) × total / matched` rows, the first sorts `matched`: the
    /// smaller wins.
    fn events(
        &self,
        filter: &Filter,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let matched = if filter.bbox.is_some() { Some(self.count(filter)?) } else { None };
        self.events_of(filter, limit, offset, matched)
    }

    /// The page and the count, the count taken once for both.
    fn page(
        &self,
        filter: &Filter,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<StoredEvent>, u64), StoreError> {
        let matched = self.count(filter)?;
        let boxed = filter.bbox.is_some().then_some(matched);
        Ok((self.events_of(filter, limit, offset, boxed)?, matched))
    }

    /// With a box, from the features table's points (features.rs).
    fn count(&self, filter: &Filter) -> Result<u64, StoreError> {
        if filter.bbox.is_some() {
            return self.reading(|| features::count(&self.conn, &self.points, filter));
        }
        let (clause, values) = filter.sql();
        let sql = format!("SELECT count(*) FROM events e WHERE {clause}");
        let count: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(values), |row| row.get(0))?;
        Ok(count as u64)
    }

    fn near(
        &self,
        lat: f64,
        lon: f64,
        radius_km: f64,
        limit: usize,
        filter: &Filter,
    ) -> Result<Vec<(StoredEvent, f64)>, StoreError> {
        // The events themselves, not their features: those are read by rid below.
        let hits = self.nearest(lat, lon, radius_km, limit, filter, false)?;
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE e.rid = ?1"
        ))?;
        hits.into_iter()
            .map(|hit| Ok((statement.query_row([hit.rid], event_from_row)?, hit.km)))
            .collect()
    }

    /// From the features table alone: the rings around the point, the ready-made
    /// features of the nearest (features.rs).
    fn near_features(
        &self,
        lat: f64,
        lon: f64,
        radius_km: f64,
        limit: usize,
        filter: &Filter,
    ) -> Result<Vec<(String, f64)>, StoreError> {
        let hits = self.nearest(lat, lon, radius_km, limit, filter, true)?;
        Ok(hits.into_iter().map(|hit| (hit.feature, hit.km)).collect())
    }

    fn event(&self, id: &str) -> Result<Option<(StoredEvent, Vec<Source>)>, StoreError> {
        let rid: Option<i64> = self
            .conn
            .query_row("SELECT rid FROM events WHERE id = ?1", [id], |row| row.get(0))
            .optional()?;
        let Some(rid) = rid else { return Ok(None) };
        let event = self.conn.query_row(
            &format!("SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE e.rid = ?1"),
            [rid],
            event_from_row,
        )?;
        let mut statement = self.conn.prepare_cached(
            "SELECT s.article_id, a.url, a.title, a.publisher, a.published, s.evidence,
                    s.evidence_start, s.evidence_end
             FROM event_sources s JOIN articles a ON a.id = s.article_id
             WHERE s.event_rid = ?1 ORDER BY s.article_id",
        )?;
        let sources = statement
            .query_map([rid], |row| {
                Ok(Source {
                    article_id: row.get(0)?,
                    url: row.get(1)?,
                    title: row.get(2)?,
                    publisher: row.get(3)?,
                    published_at: row.get(4)?,
                    evidence: row.get(5)?,
                    evidence_start: row.get(6)?,
                    evidence_end: row.get(7)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some((event, sources)))
    }

    fn stats(&self, filter: &Filter) -> Result<Vec<DayCount>, StoreError> {
        let (clause, values) = filter.sql();
        let sql = format!(
            "SELECT e.date, e.event_type, count(*) FROM events e WHERE {clause}
             GROUP BY e.date, e.event_type ORDER BY e.date, e.event_type"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params_from_iter(values), |row| {
            Ok(DayCount {
                date: row.get(0)?,
                event_type: row.get(1)?,
                count: row.get::<_, i64>(2)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn each_event(
        &self,
        filter: &Filter,
        visit: &mut dyn FnMut(&StoredEvent) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let (clause, values) = filter.sql();
        let sql = format!("SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE {clause} ORDER BY e.rid");
        let mut statement = self.conn.prepare(&sql)?;
        let mut rows = statement.query(params_from_iter(values))?;
        let mut count = 0;
        // One event value, refilled row after row: its strings keep their allocations.
        let mut event = StoredEvent::default();
        while let Some(row) = rows.next()? {
            refill_event(&mut event, row, 0)?;
            visit(&event)?;
            count += 1;
        }
        Ok(count)
    }

    /// A box's features come from the features table, a few range scans, put in rid
    /// order in memory when they fit 64 MB (`BOX_BUDGET_BYTES`); anything else streams from the
    /// events table.
    fn each_feature(
        &self,
        filter: &Filter,
        visit: &mut dyn FnMut(&str) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        if filter.bbox.is_some() {
            // The kept text, unless a visitor is inside another box of this connection.
            let mut spare = features::Found::default();
            let mut kept = self.found.try_borrow_mut();
            let found = kept.as_deref_mut().unwrap_or(&mut spare);
            found.clear(BOX_KEEP_BYTES);
            let fits =
                self.reading(|| features::in_box(&self.conn, filter, BOX_BUDGET_BYTES, found))?;
            let visited = if fits {
                found.features().try_for_each(&mut *visit).map(|()| Some(found.len() as u64))
            } else {
                Ok(None)
            };
            found.clear(BOX_KEEP_BYTES);
            if let Some(count) = visited? {
                return Ok(count);
            }
        }
        crate::export::each_feature_of_events(self, filter, visit)
    }

    fn each_point(
        &self,
        filter: &Filter,
        visit: &mut dyn FnMut(EventPoint),
    ) -> Result<u64, StoreError> {
        self.points(filter, "e.date DESC, e.rid DESC", visit)
    }

    /// In storage order: a sequential read, where newest first reads the rows through the
    /// date index in random order (4.7 s against 1.1 s at a million events).
    fn each_point_unordered(
        &self,
        filter: &Filter,
        visit: &mut dyn FnMut(EventPoint),
    ) -> Result<u64, StoreError> {
        self.points(filter, "e.rid", visit)
    }

    fn seen(&self, feed: &str, item: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM feed_items WHERE feed = ?1 AND item = ?2")?
            .exists(params![feed, item])?)
    }

    fn remember(&mut self, feed: &str, item: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO feed_items (feed, item) VALUES (?1, ?2)")?
            .execute(params![feed, item])?;
        Ok(())
    }

    fn extent(&self) -> Result<Option<Extent>, StoreError> {
        let row = self.conn.query_row(
            "SELECT min(lon), min(lat), max(lon), max(lat), min(date), max(date) FROM events",
            [],
            |row| {
                Ok((
                    row.get::<_, Option<f64>>(0)?,
                    row.get::<_, Option<f64>>(1)?,
                    row.get::<_, Option<f64>>(2)?,
                    row.get::<_, Option<f64>>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, Option<String>>(5)?,
                ))
            },
        )?;
        Ok(match row {
            (Some(a), Some(b), Some(c), Some(d), Some(first), Some(last)) => {
                Some(Extent { bbox: [a, b, c, d], dates: (first, last) })
            }
            _ => None,
        })
    }

    fn totals(&self) -> Result<Totals, StoreError> {
        let (articles, events): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM events)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(Totals { articles: articles as u64, events: events as u64 })
    }

    fn reprocess(
        &mut self,
        extract: &mut dyn FnMut(&StoredArticle) -> Vec<extract::Event>,
    ) -> Result<Totals, StoreError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "DELETE FROM event_sources; DELETE FROM events; DELETE FROM events_rtree; DELETE FROM events_fts;
             DELETE FROM event_features;",
        )?;
        {
            let mut statement =
                tx.prepare("SELECT id, text, title, published FROM articles ORDER BY id")?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                let article = StoredArticle {
                    id: row.get(0)?,
                    text: row.get(1)?,
                    title: row.get(2)?,
                    published: row.get(3)?,
                };
                let events = extract(&article);
                insert_events(&tx, article.id, &article.text, &events)?;
            }
        }
        tx.execute("UPDATE store_generation SET n = n + 1", [])?;
        tx.commit()?;
        self.totals()
    }

    fn generation(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row("SELECT n FROM store_generation", [], |row| row.get(0))?;
        Ok(n as u64)
    }
}
