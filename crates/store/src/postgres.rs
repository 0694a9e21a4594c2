//! [`EventStore`] over PostgreSQL with PostGIS, for a team: several writers and servers on
//! one database.
//!
//! Points are `geography(Point,4326)` (generated from the exact lon/lat columns) with a
//! GiST index for near queries and the merge rule and one on `geog::geometry` for lon/lat
//! boxes; each report's words are a `tsvector` with a GIN index (`postgres_sql.rs`); the
//! schema is created and migrated by refinery from `migrations/postgres/`.
//!
//! Concurrent writers: the article's content hash is unique (`INSERT ... ON CONFLICT DO
//! NOTHING`: the same article from two writers is stored once), and the merge rule, which
//! reads the events near a new one and then writes, runs under transaction-scoped advisory
//! locks on its (type, day) keys, taken in ascending order so that two writers never wait
//! for each other in a cycle. Answers are the SQLite store's: the same filters, newest
//! first with ties by insertion order, distances by haversine on [`crate::EARTH_RADIUS_KM`].

use std::cell::{RefCell, RefMut};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use postgres::{GenericClient, NoTls, Row, Statement};
use r2d2_postgres::PostgresConnectionManager;
use sha2::{Digest, Sha256};

use crate::postgres_sql::{Params, tsvector, where_clause};
use crate::sqlite::{char_offset, content_hash};
use crate::{
    DayCount, EventPoint, EventStore, Extent, Filter, Ingested, MERGE_RADIUS_KM, NewArticle,
    Source, StoreError, StoredArticle, StoredEvent, Totals, distance_km, redact_url,
};

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// The advisory lock that serializes schema migrations between processes.
pub(crate) const MIGRATION_LOCK: i64 = 0x626f_7264_6572_0001;

/// Rows fetched per round trip by the streaming reads (exports, the map's points).
const PORTAL_ROWS: i32 = 2_000;

/// Columns of [`StoredEvent`], in the order [`event_at`] reads them; events are aliased
/// `e`, their first article `a`.
const EVENT_COLUMNS: &str = "e.id, e.event_type, e.acled_event_type, e.acled_sub_event_type,
    e.actor1, e.actor2, to_char(e.date, 'YYYY-MM-DD'), e.date_precision, e.place, e.place_name,
    e.geonameid, e.admin1, e.country_code, e.lon, e.lat, e.geo_precision, e.fatalities,
    e.injured, e.claimed, e.confidence, e.evidence, e.evidence_start, e.evidence_end,
    e.article_id, a.url, a.title, a.published, e.report_count";

const EVENT_FROM: &str = "events e JOIN articles a ON a.id = e.article_id";

/// Reads a [`StoredEvent`] whose columns start at `at`.
fn event_at(row: &Row, at: usize) -> Result<StoredEvent, postgres::Error> {
    Ok(StoredEvent {
        id: row.try_get(at)?,
        event_type: row.try_get(at + 1)?,
        acled_event_type: row.try_get(at + 2)?,
        acled_sub_event_type: row.try_get(at + 3)?,
        actor1: row.try_get(at + 4)?,
        actor2: row.try_get(at + 5)?,
        date: row.try_get(at + 6)?,
        date_precision: row.try_get(at + 7)?,
        place: row.try_get(at + 8)?,
        place_name: row.try_get(at + 9)?,
        geonameid: row.try_get(at + 10)?,
        admin1: row.try_get(at + 11)?,
        country_code: row.try_get(at + 12)?,
        lon: row.try_get(at + 13)?,
        lat: row.try_get(at + 14)?,
        geo_precision: row.try_get(at + 15)?,
        fatalities: row.try_get(at + 16)?,
        injured: row.try_get(at + 17)?,
        claimed: row.try_get(at + 18)?,
        confidence: row.try_get(at + 19)?,
        evidence: row.try_get(at + 20)?,
        evidence_start: row.try_get(at + 21)?,
        evidence_end: row.try_get(at + 22)?,
        article_id: row.try_get(at + 23)?,
        source_url: row.try_get(at + 24)?,
        source_title: row.try_get(at + 25)?,
        published_at: row.try_get(at + 26)?,
        report_count: row.try_get(at + 27)?,
    })
}

type Pooled = r2d2::PooledConnection<PostgresConnectionManager<NoTls>>;

/// A connection of our own or one lent by the pool.
enum Connection {
    Own(postgres::Client),
    Pooled(Pooled),
}

impl Connection {
    fn client(&mut self) -> &mut postgres::Client {
        match self {
            Connection::Own(client) => client,
            Connection::Pooled(client) => client,
        }
    }
}

/// The connection and the statements prepared on it.
struct Session {
    connection: Connection,
    statements: HashMap<String, Statement>,
}

/// Prepares `sql` once per connection.
fn prepared(
    statements: &mut HashMap<String, Statement>,
    client: &mut impl GenericClient,
    sql: &str,
) -> Result<Statement, postgres::Error> {
    if let Some(statement) = statements.get(sql) {
        return Ok(statement.clone());
    }
    let statement = client.prepare(sql)?;
    statements.insert(sql.to_owned(), statement.clone());
    Ok(statement)
}

/// The team store: one connection to a PostgreSQL database with PostGIS.
///
/// A `PostgresStore` is one connection, used by one thread at a time (the server takes one
/// from a [`PostgresPool`] per request); any number of processes can open the same
/// database.
pub struct PostgresStore {
    session: RefCell<Session>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresStore")
    }
}

/// Parses a URL; the error names it with its password hidden.
fn config(url: &str) -> Result<postgres::Config, StoreError> {
    let mut config = postgres::Config::from_str(url).map_err(|err| StoreError::Open {
        location: redact_url(url),
        message: format!("not a PostgreSQL URL: {err}"),
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.application_name("borderwatch");
    Ok(config)
}

/// Runs the migrations not yet applied, one process at a time.
fn migrate(client: &mut postgres::Client, url: &str) -> Result<(), StoreError> {
    let failed = |message: String| StoreError::Migration { location: redact_url(url), message };
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let result = embedded::migrations::runner().set_grouped(false).run(client);
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    match result {
        Ok(_) => {}
        Err(err) => {
            let mut message = err.to_string();
            if message.contains("postgis") || message.contains("geography") {
                message.push_str(
                    " (PostGIS 3 must be installed on the server; a user who may not create extensions needs an administrator to run CREATE EXTENSION postgis in this database first)",
                );
            }
            return Err(failed(message));
        }
    }
    unlocked?;
    Ok(())
}

/// Opens one client and brings the schema up to date.
fn connect_client(url: &str) -> Result<postgres::Client, StoreError> {
    let mut client = config(url)?
        .connect(NoTls)
        .map_err(|err| StoreError::Open { location: redact_url(url), message: err.to_string() })?;
    migrate(&mut client, url)?;
    Ok(client)
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/dbname`) and
    /// brings its schema up to date (creating it in an empty database).
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        Ok(PostgresStore::over(Connection::Own(connect_client(url)?)))
    }

    fn over(connection: Connection) -> PostgresStore {
        PostgresStore { session: RefCell::new(Session { connection, statements: HashMap::new() }) }
    }

    fn session(&self) -> Result<RefMut<'_, Session>, StoreError> {
        self.session.try_borrow_mut().map_err(|_| {
            StoreError::Refused("the connection is busy with another query of this store".into())
        })
    }

    /// The newest schema version applied.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let mut session = self.session()?;
        let row = session.connection.client().query_one(
            "SELECT coalesce(max(version), 0)::bigint FROM refinery_schema_history",
            &[],
        )?;
        Ok(row.try_get(0)?)
    }

    /// Runs `work` on the raw client (the copy between stores, tests).
    pub fn with_client<T>(
        &self,
        work: impl FnOnce(&mut postgres::Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut session = self.session()?;
        work(session.connection.client())
    }

    /// Runs `sql` with `params` and visits its rows a few thousand at a time, in one
    /// read-only transaction (constant memory for any number of rows).
    fn stream(
        &self,
        sql: &str,
        params: &Params,
        visit: &mut dyn FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut session = self.session()?;
        let Session { connection, statements } = &mut *session;
        let mut tx = connection.client().build_transaction().read_only(true).start()?;
        let statement = prepared(statements, &mut tx, sql)?;
        let portal = tx.bind(&statement, &params.refs())?;
        let mut count = 0;
        loop {
            let rows = tx.query_portal(&portal, PORTAL_ROWS)?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                visit(row)?;
                count += 1;
            }
        }
        tx.commit()?;
        Ok(count)
    }

    fn query(&self, sql: &str, params: &Params) -> Result<Vec<Row>, StoreError> {
        let mut session = self.session()?;
        let Session { connection, statements } = &mut *session;
        let client = connection.client();
        let statement = prepared(statements, client, sql)?;
        Ok(client.query(&statement, &params.refs())?)
    }
}

/// The advisory lock key of a (type, day): the merge rule's reads and writes for one key
/// happen under it.
fn merge_key(event_type: &str, date: &str) -> i64 {
    let digest = Sha256::new()
        .chain_update(b"borderwatch merge\0")
        .chain_update(event_type.as_bytes())
        .chain_update(b"\0")
        .chain_update(date.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Writes one article's events inside `tx` under the merge rule.
fn insert_events(
    tx: &mut postgres::Transaction<'_>,
    statements: &mut HashMap<String, Statement>,
    article_id: i64,
    text: &str,
    events: &[extract::Event],
) -> Result<(usize, usize), StoreError> {
    // Every (type, day) this article touches, locked in ascending order before any read:
    // writers of the same keys queue, and no two wait for each other in a cycle.
    let mut keys: Vec<i64> =
        events.iter().map(|event| merge_key(event.event_type, &event.date)).collect();
    keys.sort_unstable();
    keys.dedup();
    if !keys.is_empty() {
        let lock = prepared(
            statements,
            tx,
            "SELECT count(pg_advisory_xact_lock(k)) FROM
                (SELECT k FROM unnest($1::bigint[]) WITH ORDINALITY AS u(k, n) ORDER BY n) s",
        )?;
        tx.query_one(&lock, &[&keys])?;
    }
    let candidates = prepared(
        statements,
        tx,
        "SELECT e.rid, e.lat, e.lon FROM events e
         WHERE e.event_type = $1 AND e.date = $2::text::date
           AND e.lat BETWEEN $3 AND $4 AND e.lon BETWEEN $5 AND $6
           AND ST_DWithin(e.geog, ST_SetSRID(ST_MakePoint($7, $8), 4326)::geography, $9, false)
           AND NOT EXISTS (SELECT 1 FROM event_sources s
                           WHERE s.event_rid = e.rid AND s.article_id = $10)
         ORDER BY e.lat, e.lon, e.rid",
    )?;
    let add_source = prepared(
        statements,
        tx,
        "INSERT INTO event_sources (event_rid, article_id, evidence, evidence_start, evidence_end, place, words)
         VALUES ($1, $2, $3, $4, $5, $6, $7::text::tsvector)",
    )?;
    let merge = prepared(
        statements,
        tx,
        "UPDATE events SET report_count = report_count + 1,
            confidence = greatest(confidence, $2),
            fatalities = CASE WHEN $3::bigint IS NULL THEN fatalities ELSE greatest(coalesce(fatalities, 0), $3) END,
            injured = CASE WHEN $4::bigint IS NULL THEN injured ELSE greatest(coalesce(injured, 0), $4) END
         WHERE rid = $1",
    )?;
    let insert = prepared(
        statements,
        tx,
        "INSERT INTO events (id, event_type, acled_event_type, acled_sub_event_type, actor1,
            actor2, date, date_precision, place, place_name, geonameid, admin1, country_code,
            lon, lat, geo_precision, fatalities, injured, claimed, confidence, evidence,
            evidence_start, evidence_end, article_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7::text::date, $8, $9, $10, $11, $12, $13, $14, $15,
            $16, $17, $18, $19, $20, $21, $22, $23, $24)
         RETURNING rid",
    )?;
    let (mut new_events, mut merged) = (0, 0);
    for event in events {
        let evidence_start = char_offset(text, event.evidence_start);
        let evidence_end = char_offset(text, event.evidence_end);
        let fatalities = event.fatalities.map(i64::from);
        let injured = event.injured.map(i64::from);
        let confidence = f64::from(event.confidence);
        // The SQLite store's candidate box, then the exact distance: the same events merge.
        let d_lat = MERGE_RADIUS_KM / 111.0;
        let d_lon = MERGE_RADIUS_KM / (111.0 * event.lat.to_radians().cos().max(0.01));
        let rows = tx.query(
            &candidates,
            &[
                &event.event_type,
                &event.date,
                &(event.lat - d_lat),
                &(event.lat + d_lat),
                &(event.lon - d_lon),
                &(event.lon + d_lon),
                &event.lon,
                &event.lat,
                &(MERGE_RADIUS_KM * 1000.0 + 1.0),
                &article_id,
            ],
        )?;
        let mut nearest: Option<(i64, f64)> = None;
        for row in &rows {
            let (rid, lat, lon): (i64, f64, f64) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            let km = distance_km(event.lat, event.lon, lat, lon);
            if km <= MERGE_RADIUS_KM && nearest.is_none_or(|(_, best)| km < best) {
                nearest = Some((rid, km));
            }
        }
        if let Some((rid, _)) = nearest {
            let words = tsvector(&event.evidence, &event.place);
            tx.execute(
                &add_source,
                &[
                    &rid,
                    &article_id,
                    &event.evidence,
                    &evidence_start,
                    &evidence_end,
                    &event.place,
                    &words,
                ],
            )?;
            tx.execute(&merge, &[&rid, &confidence, &fatalities, &injured])?;
            merged += 1;
            continue;
        }
        let row = tx.query_one(
            &insert,
            &[
                &event.id,
                &event.event_type,
                &event.acled_event_type,
                &event.acled_sub_event_type,
                &event.actor1,
                &event.actor2,
                &event.date,
                &i64::from(event.date_precision),
                &event.place,
                &event.place_name,
                &event.geonameid.map(i64::from),
                &event.admin1,
                &event.country_code,
                &event.lon,
                &event.lat,
                &i64::from(event.geo_precision),
                &fatalities,
                &injured,
                &event.claimed,
                &confidence,
                &event.evidence,
                &evidence_start,
                &evidence_end,
                &article_id,
            ],
        )?;
        let rid: i64 = row.try_get(0)?;
        let place = format!("{} {}", event.place, event.place_name);
        let words = tsvector(&event.evidence, &place);
        tx.execute(
            &add_source,
            &[&rid, &article_id, &event.evidence, &evidence_start, &evidence_end, &place, &words],
        )?;
        new_events += 1;
    }
    Ok((new_events, merged))
}

/// The point `$lon, $lat` as geography.
fn point(params: &mut Params, lat: f64, lon: f64) -> String {
    let (lon, lat) = (params.bind(lon), params.bind(lat));
    format!("ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography")
}

impl EventStore for PostgresStore {
    fn add_article(
        &mut self,
        article: &NewArticle<'_>,
        events: &[extract::Event],
    ) -> Result<Ingested, StoreError> {
        let hash = content_hash(article.text);
        let mut session = self.session()?;
        let Session { connection, statements } = &mut *session;
        let mut tx = connection.client().transaction()?;
        let find = prepared(statements, &mut tx, "SELECT id FROM articles WHERE hash = $1")?;
        if let Some(row) = tx.query_opt(&find, &[&hash])? {
            return Ok(Ingested::Duplicate { article_id: row.try_get(0)? });
        }
        let insert = prepared(
            statements,
            &mut tx,
            "INSERT INTO articles (hash, url, title, publisher, published, text)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING RETURNING id",
        )?;
        let inserted = tx.query_opt(
            &insert,
            &[
                &hash,
                &article.url,
                &article.title,
                &article.publisher,
                &article.published,
                &article.text,
            ],
        )?;
        let Some(row) = inserted else {
            // Another writer stored the same text a moment ago (we waited for its commit).
            let row = tx.query_one(&find, &[&hash])?;
            return Ok(Ingested::Duplicate { article_id: row.try_get(0)? });
        };
        let article_id: i64 = row.try_get(0)?;
        let (new_events, merged_events) =
            insert_events(&mut tx, statements, article_id, article.text, events)?;
        tx.commit()?;
        Ok(Ingested::Added { article_id, new_events, merged_events })
    }

    fn find_article(&self, text: &str) -> Result<Option<i64>, StoreError> {
        let mut params = Params::default();
        let sql =
            format!("SELECT id FROM articles WHERE hash = {}", params.bind(content_hash(text)));
        match self.query(&sql, &params)?.first() {
            Some(row) => Ok(Some(row.try_get(0)?)),
            None => Ok(None),
        }
    }

    fn events(
        &self,
        filter: &Filter,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut params = Params::default();
        let clause = where_clause(filter, &mut params);
        let limit = params.bind(limit.min(i64::MAX as usize) as i64);
        let offset = params.bind(offset.min(i64::MAX as usize) as i64);
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE {clause}
             ORDER BY e.date DESC, e.rid DESC LIMIT {limit} OFFSET {offset}"
        );
        let rows = self.query(&sql, &params)?;
        Ok(rows.iter().map(|row| event_at(row, 0)).collect::<Result<_, _>>()?)
    }

    fn count(&self, filter: &Filter) -> Result<u64, StoreError> {
        let mut params = Params::default();
        let clause = where_clause(filter, &mut params);
        let sql = format!("SELECT count(*) FROM events e WHERE {clause}");
        let count: i64 = match self.query(&sql, &params)?.first() {
            Some(row) => row.try_get(0)?,
            None => 0,
        };
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
        // Near-ties may swap under the exact distance: read a few more than asked for.
        let fetch = limit.saturating_add(8).min(i64::MAX as usize);
        // First the GiST index in distance order (a nearest-neighbour scan that reads only
        // the rows returned); exact unless rows tie within a metre at the cut, when the
        // whole circle is read and ordered by distance, then id.
        for exhaustive in [false, true] {
            let mut params = Params::default();
            let centre = point(&mut params, lat, lon);
            // A metre of slack for the sphere formulas' rounding; exact haversine below.
            let radius = params.bind(radius_km * 1000.0 + 1.0);
            let clause = where_clause(filter, &mut params);
            let fetch_sql = params.bind(fetch as i64);
            let order = if exhaustive { ", e.rid" } else { "" };
            let sql = format!(
                "SELECT e.rid, {EVENT_COLUMNS}, e.geog <-> {centre} FROM {EVENT_FROM}
                 WHERE ST_DWithin(e.geog, {centre}, {radius}, false) AND {clause}
                 ORDER BY e.geog <-> {centre}{order} LIMIT {fetch_sql}"
            );
            let rows = self.query(&sql, &params)?;
            let mut out = Vec::with_capacity(rows.len());
            let mut farthest_m: f64 = 0.0;
            for row in &rows {
                let rid: i64 = row.try_get(0)?;
                let event = event_at(row, 1)?;
                farthest_m = farthest_m.max(row.try_get(29)?);
                let km = distance_km(lat, lon, event.lat, event.lon);
                if km <= radius_km {
                    out.push((rid, event, km));
                }
            }
            out.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
            // Every row not read is at least `farthest_m` away: the first `limit` are final
            // when they end more than a metre closer than that.
            let settled = rows.len() < fetch
                || out.len() < limit
                || out
                    .get(limit.wrapping_sub(1))
                    .is_some_and(|last| last.2 * 1000.0 < farthest_m - 1.0);
            if exhaustive || settled {
                out.truncate(limit);
                return Ok(out.into_iter().map(|(_, event, km)| (event, km)).collect());
            }
        }
        Ok(Vec::new())
    }

    fn event(&self, id: &str) -> Result<Option<(StoredEvent, Vec<Source>)>, StoreError> {
        let mut params = Params::default();
        let sql = format!(
            "SELECT e.rid, {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE e.id = {}",
            params.bind(id.to_owned())
        );
        let rows = self.query(&sql, &params)?;
        let Some(row) = rows.first() else { return Ok(None) };
        let rid: i64 = row.try_get(0)?;
        let event = event_at(row, 1)?;
        let mut params = Params::default();
        let sql = format!(
            "SELECT s.article_id, a.url, a.title, a.publisher, a.published, s.evidence,
                    s.evidence_start, s.evidence_end
             FROM event_sources s JOIN articles a ON a.id = s.article_id
             WHERE s.event_rid = {} ORDER BY s.article_id",
            params.bind(rid)
        );
        let sources = self
            .query(&sql, &params)?
            .iter()
            .map(|row| {
                Ok(Source {
                    article_id: row.try_get(0)?,
                    url: row.try_get(1)?,
                    title: row.try_get(2)?,
                    publisher: row.try_get(3)?,
                    published_at: row.try_get(4)?,
                    evidence: row.try_get(5)?,
                    evidence_start: row.try_get(6)?,
                    evidence_end: row.try_get(7)?,
                })
            })
            .collect::<Result<_, postgres::Error>>()?;
        Ok(Some((event, sources)))
    }

    fn stats(&self, filter: &Filter) -> Result<Vec<DayCount>, StoreError> {
        let mut params = Params::default();
        let clause = where_clause(filter, &mut params);
        // Byte order of the type names, as SQLite sorts text.
        let sql = format!(
            "SELECT to_char(e.date, 'YYYY-MM-DD'), e.event_type, count(*) FROM events e
             WHERE {clause} GROUP BY e.date, e.event_type ORDER BY e.date, e.event_type COLLATE \"C\""
        );
        let rows = self.query(&sql, &params)?;
        rows.iter()
            .map(|row| {
                Ok(DayCount {
                    date: row.try_get(0)?,
                    event_type: row.try_get(1)?,
                    count: row.try_get::<_, i64>(2)? as u64,
                })
            })
            .collect()
    }

    fn each_event(
        &self,
        filter: &Filter,
        visit: &mut dyn FnMut(&StoredEvent) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut params = Params::default();
        let clause = where_clause(filter, &mut params);
        let sql = format!("SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE {clause} ORDER BY e.rid");
        self.stream(&sql, &params, &mut |row| visit(&event_at(row, 0)?))
    }

    fn each_point(
        &self,
        filter: &Filter,
        visit: &mut dyn FnMut(EventPoint),
    ) -> Result<u64, StoreError> {
        let mut params = Params::default();
        let clause = where_clause(filter, &mut params);
        let sql = format!(
            "SELECT e.id, e.lon, e.lat, e.event_type, to_char(e.date, 'YYYY-MM-DD'), e.confidence,
                    e.report_count, e.fatalities, e.place_name
             FROM events e WHERE {clause} ORDER BY e.date DESC, e.rid DESC"
        );
        self.stream(&sql, &params, &mut |row| {
            visit(EventPoint {
                id: row.try_get(0)?,
                lon: row.try_get(1)?,
                lat: row.try_get(2)?,
                event_type: row.try_get(3)?,
                date: row.try_get(4)?,
                confidence: row.try_get(5)?,
                report_count: row.try_get(6)?,
                fatalities: row.try_get(7)?,
                place_name: row.try_get(8)?,
            });
            Ok(())
        })
    }

    fn seen(&self, feed: &str, item: &str) -> Result<bool, StoreError> {
        let mut params = Params::default();
        let sql = format!(
            "SELECT 1 FROM feed_items WHERE feed = {} AND item = {}",
            params.bind(feed.to_owned()),
            params.bind(item.to_owned())
        );
        Ok(!self.query(&sql, &params)?.is_empty())
    }

    fn remember(&mut self, feed: &str, item: &str) -> Result<(), StoreError> {
        let mut params = Params::default();
        let sql = format!(
            "INSERT INTO feed_items (feed, item) VALUES ({}, {}) ON CONFLICT DO NOTHING",
            params.bind(feed.to_owned()),
            params.bind(item.to_owned())
        );
        self.query(&sql, &params)?;
        Ok(())
    }

    fn extent(&self) -> Result<Option<Extent>, StoreError> {
        let rows = self.query(
            "SELECT min(lon), min(lat), max(lon), max(lat), to_char(min(date), 'YYYY-MM-DD'),
                    to_char(max(date), 'YYYY-MM-DD') FROM events",
            &Params::default(),
        )?;
        let Some(row) = rows.first() else { return Ok(None) };
        let parts: (Option<f64>, Option<f64>, Option<f64>, Option<f64>) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?);
        let dates: (Option<String>, Option<String>) = (row.try_get(4)?, row.try_get(5)?);
        Ok(match (parts, dates) {
            ((Some(a), Some(b), Some(c), Some(d)), (Some(first), Some(last))) => {
                Some(Extent { bbox: [a, b, c, d], dates: (first, last) })
            }
            _ => None,
        })
    }

    fn totals(&self) -> Result<Totals, StoreError> {
        let rows = self.query(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM events)",
            &Params::default(),
        )?;
        let Some(row) = rows.first() else { return Ok(Totals { articles: 0, events: 0 }) };
        let (articles, events): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        Ok(Totals { articles: articles as u64, events: events as u64 })
    }

    fn generation(&self) -> Result<u64, StoreError> {
        let rows = self.query("SELECT n FROM store_generation", &Params::default())?;
        let n: i64 = match rows.first() {
            Some(row) => row.try_get(0)?,
            None => 0,
        };
        Ok(n as u64)
    }

    fn reprocess(
        &mut self,
        extract: &mut dyn FnMut(&StoredArticle) -> Vec<extract::Event>,
    ) -> Result<Totals, StoreError> {
        {
            let mut session = self.session()?;
            let Session { connection, statements } = &mut *session;
            let mut tx = connection.client().transaction()?;
            // Writers wait until the new events are in; readers go on with the old ones.
            tx.batch_execute(
                "LOCK TABLE articles, events, event_sources IN SHARE ROW EXCLUSIVE MODE;
                 DELETE FROM event_sources; DELETE FROM events;",
            )?;
            let portal =
                tx.bind("SELECT id, text, title, published FROM articles ORDER BY id", &[])?;
            loop {
                let rows = tx.query_portal(&portal, 200)?;
                if rows.is_empty() {
                    break;
                }
                for row in &rows {
                    let article = StoredArticle {
                        id: row.try_get(0)?,
                        text: row.try_get(1)?,
                        title: row.try_get(2)?,
                        published: row.try_get(3)?,
                    };
                    let events = extract(&article);
                    insert_events(&mut tx, statements, article.id, &article.text, &events)?;
                }
            }
            tx.batch_execute("UPDATE store_generation SET n = n + 1")?;
            tx.commit()?;
        }
        self.totals()
    }
}

/// Connections to one PostgreSQL database for the server: at most `size` open, each
/// checked before it is lent (a connection lost to a server restart is replaced, not
/// handed out).
#[derive(Clone)]
pub struct PostgresPool {
    pool: r2d2::Pool<PostgresConnectionManager<NoTls>>,
}

impl std::fmt::Debug for PostgresPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresPool")
    }
}

impl PostgresPool {
    /// Connects, migrates the schema, and keeps up to `size` connections.
    pub fn open(url: &str, size: u32) -> Result<PostgresPool, StoreError> {
        // A connection of our own first: a clear error if the database is down, and the
        // migrations before any pooled connection is used.
        drop(connect_client(url)?);
        let manager = PostgresConnectionManager::new(config(url)?, NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(size.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(15))
            .test_on_check_out(true)
            .build(manager)
            .map_err(|err| StoreError::Open {
                location: redact_url(url),
                message: err.to_string(),
            })?;
        Ok(PostgresPool { pool })
    }

    /// A connection, waiting for one to be free.
    pub fn get(&self) -> Result<PostgresStore, StoreError> {
        let connection = self.pool.get().map_err(|err| StoreError::Open {
            location: "the PostgreSQL pool".to_owned(),
            message: err.to_string(),
        })?;
        Ok(PostgresStore::over(Connection::Pooled(connection)))
    }
}
