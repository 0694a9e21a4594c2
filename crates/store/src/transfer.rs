//! `borderwatch migrate`: copies one store into another, SQLite to PostgreSQL or back,
//! losing nothing: articles (text, hash, metadata, when ingested), events with their ids,
//! every source with the words its search matches, and the feed items `watch` took.
//!
//! The target must be empty (its schema is created if needed); the copy is one transaction
//! there, so a failure leaves it empty. Both sides are then read back the same way and
//! compared: counts per table and a SHA-256 over each table's rows in a fixed order.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::postgres_sql::tsvector;
use crate::{EventStore, Location, PostgresStore, SqliteStore, StoreError, StoredEvent};

/// One row of any table, as copied and checksummed.
#[derive(Debug, Clone, Serialize)]
enum Row {
    Article {
        id: i64,
        hash: String,
        url: Option<String>,
        title: Option<String>,
        publisher: Option<String>,
        published: Option<String>,
        text: String,
        ingested_at: String,
    },
    Event {
        rid: i64,
        event: Box<StoredEvent>,
    },
    Source {
        event_rid: i64,
        article_id: i64,
        evidence: String,
        evidence_start: i64,
        evidence_end: i64,
        place: String,
    },
    FeedItem {
        feed: String,
        item: String,
        seen_at: String,
    },
}

/// Rows and checksum of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSum {
    /// Rows.
    pub rows: u64,
    /// SHA-256 of the rows in order, hex.
    pub sha256: String,
}

/// What one store holds, table by table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Census {
    /// Articles.
    pub articles: TableSum,
    /// Events.
    pub events: TableSum,
    /// Event sources.
    pub sources: TableSum,
    /// Feed items.
    pub feed_items: TableSum,
}

impl fmt::Display for Census {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = |sum: &TableSum| sum.sha256.chars().take(16).collect::<String>();
        write!(
            f,
            "{} articles (sha256 {}), {} events (sha256 {}), {} sources (sha256 {}), {} feed items (sha256 {})",
            self.articles.rows,
            short(&self.articles),
            self.events.rows,
            short(&self.events),
            self.sources.rows,
            short(&self.sources),
            self.feed_items.rows,
            short(&self.feed_items)
        )
    }
}

/// Counts and checksums per table as rows go by.
#[derive(Default)]
struct Summer {
    tables: [(u64, Sha256); 4],
}

impl Summer {
    fn add(&mut self, row: &Row) -> Result<(), StoreError> {
        let slot = match row {
            Row::Article { .. } => 0,
            Row::Event { .. } => 1,
            Row::Source { .. } => 2,
            Row::FeedItem { .. } => 3,
        };
        let bytes = serde_json::to_vec(row).map_err(std::io::Error::from)?;
        let (count, hasher) = &mut self.tables[slot];
        *count += 1;
        hasher.update(&bytes);
        hasher.update(b"\n");
        Ok(())
    }

    fn census(self) -> Census {
        let [articles, events, sources, feed_items] = self.tables.map(|(rows, hasher)| TableSum {
            rows,
            sha256: hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect(),
        });
        Census { articles, events, sources, feed_items }
    }
}

/// Both sides after a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The source, read while copying.
    pub from: Census,
    /// The target, read back after the commit.
    pub to: Census,
}

enum Store {
    Sqlite(SqliteStore),
    Postgres(Box<PostgresStore>),
}

fn open(location: &Location) -> Result<Store, StoreError> {
    Ok(match location {
        Location::Sqlite(path) => Store::Sqlite(SqliteStore::open(path)?),
        Location::Postgres(url) => Store::Postgres(Box::new(PostgresStore::connect(url)?)),
    })
}

impl Store {
    fn events_store(&self) -> &dyn EventStore {
        match self {
            Store::Sqlite(store) => store,
            Store::Postgres(store) => &**store,
        }
    }
}

const SQLITE_EVENT_COLUMNS: &str = "e.rid, e.id, e.event_type, e.acled_event_type,
    e.acled_sub_event_type, e.actor1, e.actor2, e.date, e.date_precision, e.place, e.place_name,
    e.geonameid, e.admin1, e.country_code, e.lon, e.lat, e.geo_precision, e.fatalities,
    e.injured, e.claimed, e.confidence, e.evidence, e.evidence_start, e.evidence_end,
    e.article_id, a.url, a.title, a.published, e.report_count";

const POSTGRES_EVENT_COLUMNS: &str = "e.rid, e.id, e.event_type, e.acled_event_type,
    e.acled_sub_event_type, e.actor1, e.actor2, to_char(e.date, 'YYYY-MM-DD'), e.date_precision,
    e.place, e.place_name, e.geonameid, e.admin1, e.country_code, e.lon, e.lat, e.geo_precision,
    e.fatalities, e.injured, e.claimed, e.confidence, e.evidence, e.evidence_start,
    e.evidence_end, e.article_id, a.url, a.title, a.published, e.report_count";

/// Reads every row of a SQLite store: articles by id, events by rid, each event's sources
/// by article (paired with their full-text rows, which were written in the same order),
/// feed items by feed and item.
fn read_sqlite(
    store: &SqliteStore,
    visit: &mut dyn FnMut(Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let conn = store.connection();
    let mut statement = conn.prepare(
        "SELECT id, hash, url, title, publisher, published, text, ingested_at FROM articles ORDER BY id",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        visit(Row::Article {
            id: row.get(0)?,
            hash: row.get(1)?,
            url: row.get(2)?,
            title: row.get(3)?,
            publisher: row.get(4)?,
            published: row.get(5)?,
            text: row.get(6)?,
            ingested_at: row.get(7)?,
        })?;
    }
    let sql = format!(
        "SELECT {SQLITE_EVENT_COLUMNS} FROM events e JOIN articles a ON a.id = e.article_id ORDER BY e.rid"
    );
    let mut statement = conn.prepare(&sql)?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let event = StoredEvent {
            id: row.get(1)?,
            event_type: row.get(2)?,
            acled_event_type: row.get(3)?,
            acled_sub_event_type: row.get(4)?,
            actor1: row.get(5)?,
            actor2: row.get(6)?,
            date: row.get(7)?,
            date_precision: row.get(8)?,
            place: row.get(9)?,
            place_name: row.get(10)?,
            geonameid: row.get(11)?,
            admin1: row.get(12)?,
            country_code: row.get(13)?,
            lon: row.get(14)?,
            lat: row.get(15)?,
            geo_precision: row.get(16)?,
            fatalities: row.get(17)?,
            injured: row.get(18)?,
            claimed: row.get(19)?,
            confidence: row.get(20)?,
            evidence: row.get(21)?,
            evidence_start: row.get(22)?,
            evidence_end: row.get(23)?,
            article_id: row.get(24)?,
            source_url: row.get(25)?,
            source_title: row.get(26)?,
            published_at: row.get(27)?,
            report_count: row.get(28)?,
        };
        visit(Row::Event { rid: row.get(0)?, event: Box::new(event) })?;
    }
    // The full-text rows' place words, event by event in the order they were written.
    let mut places: HashMap<i64, Vec<String>> = HashMap::new();
    let mut statement =
        conn.prepare("SELECT event_rid, place FROM events_fts ORDER BY event_rid, rowid")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        places.entry(row.get(0)?).or_default().push(row.get(1)?);
    }
    let mut statement = conn.prepare(
        "SELECT event_rid, article_id, evidence, evidence_start, evidence_end FROM event_sources
         ORDER BY event_rid, rowid",
    )?;
    let mut rows = statement.query([])?;
    let mut group: Vec<Row> = Vec::new();
    let mut group_rid = None;
    let mut flush = |group: &mut Vec<Row>| -> Result<(), StoreError> {
        group.sort_by_key(|row| match row {
            Row::Source { article_id, .. } => *article_id,
            _ => 0,
        });
        for row in group.drain(..) {
            visit(row)?;
        }
        Ok(())
    };
    while let Some(row) = rows.next()? {
        let event_rid: i64 = row.get(0)?;
        if group_rid != Some(event_rid) {
            flush(&mut group)?;
            group_rid = Some(event_rid);
        }
        let place = places
            .get_mut(&event_rid)
            .and_then(|list| (!list.is_empty()).then(|| list.remove(0)))
            .unwrap_or_default();
        group.push(Row::Source {
            event_rid,
            article_id: row.get(1)?,
            evidence: row.get(2)?,
            evidence_start: row.get(3)?,
            evidence_end: row.get(4)?,
            place,
        });
    }
    flush(&mut group)?;
    let mut statement =
        conn.prepare("SELECT feed, item, seen_at FROM feed_items ORDER BY feed, item")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        visit(Row::FeedItem { feed: row.get(0)?, item: row.get(1)?, seen_at: row.get(2)? })?;
    }
    Ok(())
}

/// Reads every row of a PostgreSQL store in the order [`read_sqlite`] does, a few thousand
/// rows at a time.
fn read_postgres(
    store: &PostgresStore,
    visit: &mut dyn FnMut(Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    store.with_client(|client| {
        let mut tx = client.build_transaction().read_only(true).start()?;
        let utc = |column: &str| {
            format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
        };
        let queries = [
            format!(
                "SELECT id, hash, url, title, publisher, published, text, {} FROM articles ORDER BY id",
                utc("ingested_at")
            ),
            format!(
                "SELECT {POSTGRES_EVENT_COLUMNS} FROM events e JOIN articles a ON a.id = e.article_id ORDER BY e.rid"
            ),
            "SELECT event_rid, article_id, evidence, evidence_start, evidence_end, place
             FROM event_sources ORDER BY event_rid, article_id"
                .to_owned(),
            format!(
                "SELECT feed, item, {} FROM feed_items ORDER BY feed COLLATE \"C\", item COLLATE \"C\"",
                utc("seen_at")
            ),
        ];
        for (table, sql) in queries.iter().enumerate() {
            let portal = tx.bind(sql.as_str(), &[])?;
            loop {
                let rows = tx.query_portal(&portal, 2_000)?;
                if rows.is_empty() {
                    break;
                }
                for row in &rows {
                    let out = match table {
                        0 => Row::Article {
                            id: row.try_get(0)?,
                            hash: row.try_get(1)?,
                            url: row.try_get(2)?,
                            title: row.try_get(3)?,
                            publisher: row.try_get(4)?,
                            published: row.try_get(5)?,
                            text: row.try_get(6)?,
                            ingested_at: row.try_get(7)?,
                        },
                        1 => Row::Event {
                            rid: row.try_get(0)?,
                            event: Box::new(StoredEvent {
                                id: row.try_get(1)?,
                                event_type: row.try_get(2)?,
                                acled_event_type: row.try_get(3)?,
                                acled_sub_event_type: row.try_get(4)?,
                                actor1: row.try_get(5)?,
                                actor2: row.try_get(6)?,
                                date: row.try_get(7)?,
                                date_precision: row.try_get(8)?,
                                place: row.try_get(9)?,
                                place_name: row.try_get(10)?,
                                geonameid: row.try_get(11)?,
                                admin1: row.try_get(12)?,
                                country_code: row.try_get(13)?,
                                lon: row.try_get(14)?,
                                lat: row.try_get(15)?,
                                geo_precision: row.try_get(16)?,
                                fatalities: row.try_get(17)?,
                                injured: row.try_get(18)?,
                                claimed: row.try_get(19)?,
                                confidence: row.try_get(20)?,
                                evidence: row.try_get(21)?,
                                evidence_start: row.try_get(22)?,
                                evidence_end: row.try_get(23)?,
                                article_id: row.try_get(24)?,
                                source_url: row.try_get(25)?,
                                source_title: row.try_get(26)?,
                                published_at: row.try_get(27)?,
                                report_count: row.try_get(28)?,
                            }),
                        },
                        2 => Row::Source {
                            event_rid: row.try_get(0)?,
                            article_id: row.try_get(1)?,
                            evidence: row.try_get(2)?,
                            evidence_start: row.try_get(3)?,
                            evidence_end: row.try_get(4)?,
                            place: row.try_get(5)?,
                        },
                        _ => Row::FeedItem {
                            feed: row.try_get(0)?,
                            item: row.try_get(1)?,
                            seen_at: row.try_get(2)?,
                        },
                    };
                    visit(out)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    })
}

fn read(
    store: &Store,
    visit: &mut dyn FnMut(Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    match store {
        Store::Sqlite(store) => read_sqlite(store, visit),
        Store::Postgres(store) => read_postgres(store, visit),
    }
}

fn census(store: &Store) -> Result<Census, StoreError> {
    let mut summer = Summer::default();
    read(store, &mut |row| summer.add(&row))?;
    Ok(summer.census())
}

/// Writes one row into an open SQLite transaction.
fn write_sqlite(conn: &rusqlite::Connection, row: &Row) -> Result<(), StoreError> {
    match row {
        Row::Article { id, hash, url, title, publisher, published, text, ingested_at } => {
            conn.prepare_cached(
                "INSERT INTO articles (id, hash, url, title, publisher, published, text, ingested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(rusqlite::params![id, hash, url, title, publisher, published, text, ingested_at])?;
        }
        Row::Event { rid, event: e } => {
            conn.prepare_cached(
                "INSERT INTO events (rid, id, event_type, acled_event_type, acled_sub_event_type,
                    actor1, actor2, date, date_precision, place, place_name, geonameid, admin1,
                    country_code, lon, lat, geo_precision, fatalities, injured, claimed, confidence,
                    evidence, evidence_start, evidence_end, article_id, report_count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                    ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
            )?
            .execute(rusqlite::params![
                rid,
                e.id,
                e.event_type,
                e.acled_event_type,
                e.acled_sub_event_type,
                e.actor1,
                e.actor2,
                e.date,
                e.date_precision,
                e.place,
                e.place_name,
                e.geonameid,
                e.admin1,
                e.country_code,
                e.lon,
                e.lat,
                e.geo_precision,
                e.fatalities,
                e.injured,
                e.claimed,
                e.confidence,
                e.evidence,
                e.evidence_start,
                e.evidence_end,
                e.article_id,
                e.report_count
            ])?;
            conn.prepare_cached(
                "INSERT INTO events_rtree (rid, min_lon, max_lon, min_lat, max_lat) VALUES (?1, ?2, ?2, ?3, ?3)",
            )?
            .execute(rusqlite::params![rid, e.lon, e.lat])?;
        }
        Row::Source { event_rid, article_id, evidence, evidence_start, evidence_end, place } => {
            conn.prepare_cached(
                "INSERT INTO event_sources (event_rid, article_id, evidence, evidence_start, evidence_end)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(rusqlite::params![event_rid, article_id, evidence, evidence_start, evidence_end])?;
            conn.prepare_cached(
                "INSERT INTO events_fts (evidence, place, event_rid) VALUES (?1, ?2, ?3)",
            )?
            .execute(rusqlite::params![evidence, place, event_rid])?;
        }
        Row::FeedItem { feed, item, seen_at } => {
            conn.prepare_cached(
                "INSERT INTO feed_items (feed, item, seen_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(rusqlite::params![feed, item, seen_at])?;
        }
    }
    Ok(())
}

/// The PostgreSQL statements of a copy, prepared once.
const POSTGRES_INSERTS: [&str; 4] = [
    "INSERT INTO articles (id, hash, url, title, publisher, published, text, ingested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::timestamptz)",
    "INSERT INTO events (rid, id, event_type, acled_event_type, acled_sub_event_type, actor1,
        actor2, date, date_precision, place, place_name, geonameid, admin1, country_code, lon,
        lat, geo_precision, fatalities, injured, claimed, confidence, evidence, evidence_start,
        evidence_end, article_id, report_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::date, $9, $10, $11, $12, $13, $14, $15, $16,
        $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
    "INSERT INTO event_sources (event_rid, article_id, evidence, evidence_start, evidence_end, place, words)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text::tsvector)",
    "INSERT INTO feed_items (feed, item, seen_at) VALUES ($1, $2, $3::text::timestamptz)",
];

fn write_postgres(
    client: &mut postgres::Client,
    statements: &[postgres::Statement],
    row: &Row,
) -> Result<(), StoreError> {
    match row {
        Row::Article { id, hash, url, title, publisher, published, text, ingested_at } => {
            client.execute(
                &statements[0],
                &[id, hash, url, title, publisher, published, text, ingested_at],
            )?;
        }
        Row::Event { rid, event: e } => {
            client.execute(
                &statements[1],
                &[
                    rid,
                    &e.id,
                    &e.event_type,
                    &e.acled_event_type,
                    &e.acled_sub_event_type,
                    &e.actor1,
                    &e.actor2,
                    &e.date,
                    &e.date_precision,
                    &e.place,
                    &e.place_name,
                    &e.geonameid,
                    &e.admin1,
                    &e.country_code,
                    &e.lon,
                    &e.lat,
                    &e.geo_precision,
                    &e.fatalities,
                    &e.injured,
                    &e.claimed,
                    &e.confidence,
                    &e.evidence,
                    &e.evidence_start,
                    &e.evidence_end,
                    &e.article_id,
                    &e.report_count,
                ],
            )?;
        }
        Row::Source { event_rid, article_id, evidence, evidence_start, evidence_end, place } => {
            let words = tsvector(evidence, place);
            client.execute(
                &statements[2],
                &[event_rid, article_id, evidence, evidence_start, evidence_end, place, &words],
            )?;
        }
        Row::FeedItem { feed, item, seen_at } => {
            client.execute(&statements[3], &[feed, item, seen_at])?;
        }
    }
    Ok(())
}

/// Refuses a target that holds anything.
fn require_empty(target: &Store, to: &Location) -> Result<(), StoreError> {
    let totals = target.events_store().totals()?;
    let feed_items = match target {
        Store::Sqlite(store) => {
            store
                .connection()
                .query_row("SELECT count(*) FROM feed_items", [], |row| row.get::<_, i64>(0))?
        }
        Store::Postgres(store) => store.with_client(|client| {
            Ok(client.query_one("SELECT count(*) FROM feed_items", &[])?.try_get::<_, i64>(0)?)
        })?,
    };
    if totals.articles > 0 || totals.events > 0 || feed_items > 0 {
        return Err(StoreError::Refused(format!(
            "{to} is not empty ({} articles, {} events, {feed_items} feed items): migrate copies into an empty store",
            totals.articles, totals.events
        )));
    }
    Ok(())
}

/// Copies everything in `from` into the empty store `to` (created if missing) in one
/// transaction, then reads both back and returns their counts and checksums; an `Err` when
/// they differ, with both in the message.
pub fn copy(from: &Location, to: &Location) -> Result<Report, StoreError> {
    if from == to {
        return Err(StoreError::Refused(format!("--from and --to are the same store ({from})")));
    }
    let source = open(from)?;
    let target = open(to)?;
    require_empty(&target, to)?;
    let mut summer = Summer::default();
    match &target {
        Store::Sqlite(store) => {
            let conn = store.connection();
            conn.execute_batch("BEGIN IMMEDIATE")?;
            let result = read(&source, &mut |row| {
                summer.add(&row)?;
                write_sqlite(conn, &row)
            })
            .and_then(|()| store.rebuild_features().map(drop));
            match result {
                Ok(()) => conn.execute_batch("COMMIT")?,
                Err(err) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(err);
                }
            }
        }
        Store::Postgres(store) => store.with_client(|client| {
            client.batch_execute("BEGIN")?;
            let statements = POSTGRES_INSERTS
                .iter()
                .map(|sql| client.prepare(sql))
                .collect::<Result<Vec<_>, _>>()?;
            let result = read(&source, &mut |row| {
                summer.add(&row)?;
                write_postgres(client, &statements, &row)
            });
            if let Err(err) = result {
                let _ = client.batch_execute("ROLLBACK");
                return Err(err);
            }
            // The next ids follow the copied ones.
            client.batch_execute(
                "SELECT setval(pg_get_serial_sequence('articles', 'id'), coalesce(max(id), 0) + 1, false) FROM articles;
                 SELECT setval(pg_get_serial_sequence('events', 'rid'), coalesce(max(rid), 0) + 1, false) FROM events;
                 COMMIT",
            )?;
            Ok(())
        })?,
    }
    let report = Report { from: summer.census(), to: census(&target)? };
    if report.from != report.to {
        return Err(StoreError::Refused(format!(
            "the copy differs from its source: {from}: {}; {to}: {}",
            report.from, report.to
        )));
    }
    Ok(report)
}

/// Counts and checksums of a store's tables, as [`copy`] compares them.
pub fn census_of(location: &Location) -> Result<Census, StoreError> {
    census(&open(location)?)
}
