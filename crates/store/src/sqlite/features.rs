//! The SQLite store's map read model: every event's GeoJSON Feature, serialized when the
//! event is stored or merged, in a table laid out along a Z-order curve of its point.
//!
//! `event_features` is keyed by `cell << SEQ_BITS | n`: `cell` interleaves the bits of
//! the point's column and row on a 2^20 × 2^20 grid over longitude and latitude (cells of
//! about 25 × 19 m here), `n` counts the events of that cell in the order they were
//! stored. Events near each other therefore sit on the same pages, any rectangle is a few
//! ranges of keys ([`ranges`]), and each row carries the columns the filters test beside
//! the ready-made feature. A box as GeoJSON is then a few range scans and a copy of text
//! (put back in rid order, the order the export streams), and the near query reads the
//! rings around its centre, where the events table would take an R*Tree walk, one B-tree
//! descent per event into `events` and `articles`, and 28 columns serialized per event.
//!
//! Useful for: boxes and circles, filtered or not, answered as GeoJSON. Not useful for:
//! newest-first pages (the key is spatial), or any answer that needs the events' other
//! columns. It costs a kilobyte or so a event on disk and one rewrite of the feature per
//! merge; the events table stays the record, this table is rebuilt from it
//! ([`rebuild`]) when the schema is migrated or a store is copied in.

use std::collections::{BinaryHeap, HashSet};

use rusqlite::{CachedStatement, Connection, Row, params};

use super::points::{Point, Points, View};
use super::{EVENT_COLUMNS, EVENT_FROM, event_from_row};
use crate::mapindex::morton;
use crate::{Filter, StoreError, StoredEvent, distance_km, export};

/// The table (schema version 4; [`rebuild`] fills it).
pub(super) const SCHEMA: &str = "CREATE TABLE event_features (
        key INTEGER PRIMARY KEY,
        rid INTEGER NOT NULL UNIQUE,
        lon REAL NOT NULL,
        lat REAL NOT NULL,
        event_type TEXT NOT NULL,
        date TEXT NOT NULL,
        country_code TEXT NOT NULL,
        confidence REAL NOT NULL,
        actor1 TEXT,
        actor2 TEXT,
        feature TEXT NOT NULL
    );
    CREATE INDEX event_features_points ON event_features (key, rid, lon, lat, event_type, date,
        country_code, confidence, actor1, actor2);";

/// Bits of the grid's column and row.
const CELL_BITS: u32 = 20;
/// Bits of the number of an event within its cell: 4,194,304 events at one point at most.
const SEQ_BITS: u32 = 22;
/// The finest cells of a box's cover are about this many to the longer side of the box:
/// finer cells read fewer rows outside it but cost a range (a B-tree descent) each.
const BOX_CELLS: u64 = 8;
/// The same for the near query's circles, which read the narrow index of points, where a
/// row outside the circle costs less than another range.
const CIRCLE_CELLS: u64 = 4;

/// The grid column of a longitude (monotonic, so a range of longitudes is a range of
/// columns).
fn column(lon: f64) -> u32 {
    let max = f64::from((1u32 << CELL_BITS) - 1);
    ((lon + 180.0) / 360.0 * f64::from(1u32 << CELL_BITS)).floor().clamp(0.0, max) as u32
}

/// The grid row of a latitude.
fn row(lat: f64) -> u32 {
    let max = f64::from((1u32 << CELL_BITS) - 1);
    ((lat + 90.0) / 180.0 * f64::from(1u32 << CELL_BITS)).floor().clamp(0.0, max) as u32
}

/// The first and last key of the cell a point is in.
fn cell_keys(lon: f64, lat: f64) -> (i64, i64) {
    let cell = morton(column(lon), row(lat));
    ((cell << SEQ_BITS) as i64, (((cell + 1) << SEQ_BITS) - 1) as i64)
}

/// A range of keys to read and the rectangle (`[min_lon, min_lat, max_lon, max_lat]`)
/// whose cover it belongs to: rows outside the rectangle are dropped by the statement
/// itself, before it copies their features.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Span {
    pub(super) first: i64,
    pub(super) last: i64,
    pub(super) rect: [f64; 4],
}

/// Inclusive key ranges whose cells cover the lon/lat rectangles (none crossing the
/// antimeridian, none sharing a longitude: no row can then be read twice), ascending and
/// disjoint within each rectangle. The finest cells are about `1 / cells` of a
/// rectangle's longer side.
fn ranges(rects: &[[f64; 4]], cells: u64) -> Vec<Span> {
    let mut out = Vec::new();
    for &rect in rects {
        cover_rect(&mut out, rect, cells, &|_, _, _, _| true);
    }
    out
}

/// The spans that cover a circle (`radius_km` around the point): those of the
/// rectangles that hold it ([`circle`]), without the cells that lie wholly outside it.
fn circle_ranges(lat: f64, lon: f64, radius_km: f64, cells: u64) -> Vec<Span> {
    let reaches = |left: u32, top: u32, right: u32, bottom: u32| {
        // The cell's edges in degrees; a lower bound of the distance from the centre to any
        // point of the cell, from hav(d) = hav(Δφ) + cos φ1 cos φ2 hav(Δλ), each term at
        // its least over the cell.
        let scale = f64::from(1u32 << CELL_BITS);
        let (west, east) =
            (f64::from(left) / scale * 360.0 - 180.0, f64::from(right + 1) / scale * 360.0 - 180.0);
        let (south, north) =
            (f64::from(top) / scale * 180.0 - 90.0, f64::from(bottom + 1) / scale * 180.0 - 90.0);
        let d_lat = if lat < south {
            south - lat
        } else if lat > north {
            lat - north
        } else {
            0.0
        };
        // Eastward to the west edge or westward to the east edge, the shorter way round.
        let d_lon = if (west..=east).contains(&lon) {
            0.0
        } else {
            (west - lon).rem_euclid(360.0).min((lon - east).rem_euclid(360.0))
        };
        let hav = |degrees: f64| (degrees.to_radians() / 2.0).sin().powi(2);
        let coldest = south.abs().max(north.abs()).min(90.0).to_radians().cos();
        let h = hav(d_lat) + lat.to_radians().cos() * coldest * hav(d_lon);
        // A hair of slack for rounding: rows are measured exactly afterwards.
        2.0 * crate::EARTH_RADIUS_KM * h.sqrt().min(1.0).asin() <= radius_km * (1.0 + 1e-9) + 1e-6
    };
    let mut out = Vec::new();
    for rect in circle(lat, lon, radius_km) {
        cover_rect(&mut out, rect, cells, &reaches);
    }
    out
}

/// Adds the spans covering one rectangle, without the cells that `keep` refuses (given a
/// cell's first and last column and row).
fn cover_rect(
    out: &mut Vec<Span>,
    rect: [f64; 4],
    cells: u64,
    keep: &dyn Fn(u32, u32, u32, u32) -> bool,
) {
    let [min_lon, min_lat, max_lon, max_lat] = rect;
    let (x0, x1, y0, y1) = (column(min_lon), column(max_lon), row(min_lat), row(max_lat));
    let side = u64::from((x1 - x0).max(y1 - y0)) + 1;
    let finest = (side / cells).max(1).ilog2();
    let mut keys = Vec::new();
    descend(&mut keys, (x0, y0, x1, y1), 0, 0, CELL_BITS, finest, keep);
    out.extend(keys.into_iter().map(|(first, last)| Span { first, last, rect }));
}

/// Adds the key range of the quadtree node `(x, y)` of `2^shift` cells a side when it lies
/// inside the rectangle or is as fine as `finest`, else its four children in Z-order;
/// nothing for a node outside the rectangle or refused by `keep`.
fn descend(
    out: &mut Vec<(i64, i64)>,
    rect: (u32, u32, u32, u32),
    x: u32,
    y: u32,
    shift: u32,
    finest: u32,
    keep: &dyn Fn(u32, u32, u32, u32) -> bool,
) {
    let (x0, y0, x1, y1) = rect;
    let (left, top) = (x << shift, y << shift);
    let (right, bottom) = (left + ((1 << shift) - 1), top + ((1 << shift) - 1));
    if right < x0 || left > x1 || bottom < y0 || top > y1 || !keep(left, top, right, bottom) {
        return;
    }
    let inside = left >= x0 && right <= x1 && top >= y0 && bottom <= y1;
    if inside || shift <= finest {
        let first = morton(left, top);
        let cells = 1u64 << (2 * shift);
        let (lo, hi) = ((first << SEQ_BITS) as i64, (((first + cells) << SEQ_BITS) - 1) as i64);
        match out.last_mut() {
            Some(last) if last.1 + 1 == lo => last.1 = hi,
            _ => out.push((lo, hi)),
        }
        return;
    }
    for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
        descend(out, rect, 2 * x + dx, 2 * y + dy, shift - 1, finest, keep);
    }
}

/// The rectangles that hold a circle (`radius_km` around the point): the latitude span
/// exact, the longitude span widened to the circle's widest parallel, split at the
/// antimeridian; near a pole, every longitude.
fn circle(lat: f64, lon: f64, radius_km: f64) -> Vec<[f64; 4]> {
    let d_lat = radius_km / EARTH_KM_PER_DEGREE;
    let (min_lat, max_lat) = ((lat - d_lat).max(-90.0), (lat + d_lat).min(90.0));
    let widest = min_lat.abs().max(max_lat.abs());
    let d_lon = if widest >= 89.0 {
        180.0
    } else {
        // A hair more than the bound, for rounding: rows are tested exactly afterwards.
        radius_km / (EARTH_KM_PER_DEGREE * widest.to_radians().cos()) + 1e-9
    };
    let (west, east) = (lon - d_lon, lon + d_lon);
    if d_lon >= 180.0 {
        vec![[-180.0, min_lat, 180.0, max_lat]]
    } else if west < -180.0 {
        vec![[west + 360.0, min_lat, 180.0, max_lat], [-180.0, min_lat, east, max_lat]]
    } else if east > 180.0 {
        vec![[west, min_lat, 180.0, max_lat], [-180.0, min_lat, east - 360.0, max_lat]]
    } else {
        vec![[west, min_lat, east, max_lat]]
    }
}

/// Kilometres per degree of latitude on the mean sphere.
const EARTH_KM_PER_DEGREE: f64 = crate::EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;

/// A prepared range scan with a filter's column clauses bound; the filter's words, if
/// any, are matched once into a set of rids.
struct Scan<'conn> {
    statement: CachedStatement<'conn>,
    words: Option<HashSet<i64>>,
}

/// What a [`Scan`] reads of each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// `rid, lon, lat, key`, from the narrow index of the points and the columns the
    /// filters test.
    Points,
    /// `rid, lon, lat, key, feature`, from the table (SQLite copies every text a row
    /// returns as it steps onto it: a scan that only ranks rows leaves the feature out).
    Features,
}

impl<'conn> Scan<'conn> {
    fn new(
        conn: &'conn Connection,
        filter: &Filter,
        read: Read,
    ) -> Result<Scan<'conn>, StoreError> {
        let (clause, values) = filter.column_sql();
        let (feature, source) = match read {
            Read::Points => ("", "INDEXED BY event_features_points"),
            Read::Features => (", e.feature", "NOT INDEXED"),
        };
        let mut statement = conn.prepare_cached(&format!(
            "SELECT e.rid, e.lon, e.lat, e.key{feature} FROM event_features e {source}
             WHERE e.key BETWEEN ?1 AND ?2 AND e.lon BETWEEN ?3 AND ?4 AND e.lat BETWEEN ?5 AND ?6
               AND {clause}"
        ))?;
        for (i, value) in values.into_iter().enumerate() {
            statement.raw_bind_parameter(i + 7, value)?;
        }
        let words = match filter.fts_query() {
            Some(query) => Some(
                conn.prepare_cached("SELECT event_rid FROM events_fts WHERE events_fts MATCH ?1")?
                    .query_map([query], |row| row.get::<_, i64>(0))?
                    .collect::<Result<HashSet<i64>, _>>()?,
            ),
            None => None,
        };
        Ok(Scan { statement, words })
    }

    /// Visits `(rid, lon, lat, row)` of every row of the spans inside their rectangles
    /// that the column clauses and the words keep, until `visit` says stop (`false`).
    fn run(
        &mut self,
        spans: &[Span],
        mut visit: impl FnMut(i64, f64, f64, &Row<'_>) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        for span in spans {
            let [min_lon, min_lat, max_lon, max_lat] = span.rect;
            self.statement.raw_bind_parameter(1, span.first)?;
            self.statement.raw_bind_parameter(2, span.last)?;
            self.statement.raw_bind_parameter(3, min_lon)?;
            self.statement.raw_bind_parameter(4, max_lon)?;
            self.statement.raw_bind_parameter(5, min_lat)?;
            self.statement.raw_bind_parameter(6, max_lat)?;
            let mut rows = self.statement.raw_query();
            while let Some(row) = rows.next()? {
                let rid: i64 = row.get(0)?;
                if self.words.as_ref().is_some_and(|words| !words.contains(&rid)) {
                    continue;
                }
                if !visit(rid, row.get(1)?, row.get(2)?, row)? {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// The feature text of a row read with [`Read::Features`].
fn feature_of<'row>(row: &'row Row<'_>) -> Result<&'row str, StoreError> {
    Ok(row.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?)
}

/// The features of the events in a box, in rid order: one text and a `(rid, start, end)`
/// per feature.
#[derive(Debug, Default)]
pub(super) struct Found {
    text: String,
    rows: Vec<(i64, usize, usize)>,
}

impl Found {
    /// How many features.
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The feature texts in rid order.
    pub(super) fn features(&self) -> impl Iterator<Item = &str> {
        self.rows.iter().map(|&(_, start, end)| &self.text[start..end])
    }
}

impl Found {
    /// Empties it, keeping at most `keep` bytes of its allocations for the next box.
    pub(super) fn clear(&mut self, keep: usize) {
        self.text.clear();
        self.rows.clear();
        if self.text.capacity() > keep {
            *self = Found::default();
        }
    }
}

/// Fills `found` with the features of every event the filter matches, which must have a
/// box; `false` (and `found` left partly filled) when they would take more than `budget`
/// bytes of text: the caller then streams them from the events table instead.
///
/// `found` is the caller's, kept between boxes: a box of 14,000 features is 11 MB of text,
/// which a fresh allocation would take from the system page by page at every query
/// (about half the time of the query at a million events).
pub(super) fn in_box(
    conn: &Connection,
    filter: &Filter,
    budget: usize,
    found: &mut Found,
) -> Result<bool, StoreError> {
    let Some(bbox) = filter.bbox else { return Ok(false) };
    let rects = box_rects(bbox);
    let mut over = false;
    Scan::new(conn, filter, Read::Features)?.run(
        &ranges(&rects, BOX_CELLS),
        |rid, lon, lat, row| {
            if filter.contains(lon, lat) {
                let start = found.text.len();
                found.text.push_str(feature_of(row)?);
                found.rows.push((rid, start, found.text.len()));
                over = found.text.len() > budget;
            }
            Ok(!over)
        },
    )?;
    if over {
        return Ok(false);
    }
    found.rows.sort_unstable_by_key(|&(rid, _, _)| rid);
    Ok(true)
}

/// The rectangles of a filter's box, split at the antimeridian.
fn box_rects([min_lon, min_lat, max_lon, max_lat]: [f64; 4]) -> Vec<[f64; 4]> {
    if min_lon <= max_lon {
        vec![[min_lon, min_lat, max_lon, max_lat]]
    } else {
        vec![[min_lon, min_lat, 180.0, max_lat], [-180.0, min_lat, max_lon, max_lat]]
    }
}

/// How many events the filter matches, which must have a box: counted over the points
/// in memory when the filter is at most a box, else over the narrow index of points and
/// filtered columns (a box of a million events: milliseconds, or 0.2 s, where the R*Tree
/// handed SQLite a million rids to look up, 1.3 s).
pub(super) fn count(
    conn: &Connection,
    points: &Points,
    filter: &Filter,
) -> Result<u64, StoreError> {
    let Some(bbox) = filter.bbox else { return Ok(0) };
    let spans = ranges(&box_rects(bbox), BOX_CELLS);
    let mut n = 0u64;
    if filter.at_most_box() {
        let view = points.view(conn)?;
        for span in &spans {
            view.each_in(span, |point| n += u64::from(filter.contains(point.lon, point.lat)));
        }
    } else {
        Scan::new(conn, filter, Read::Points)?.run(&spans, |_, lon, lat, _| {
            n += u64::from(filter.contains(lon, lat));
            Ok(true)
        })?;
    }
    Ok(n)
}

/// One event the near query found.
#[derive(Debug)]
pub(super) struct Hit {
    pub(super) km: f64,
    pub(super) rid: i64,
    key: i64,
    pub(super) feature: String,
}

impl PartialEq for Hit {
    fn eq(&self, other: &Hit) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Hit {}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Hit) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Hit {
    /// Nearest first, ties by rid (the older event first).
    fn cmp(&self, other: &Hit) -> std::cmp::Ordering {
        self.km.total_cmp(&other.km).then(self.rid.cmp(&other.rid))
    }
}

/// The `limit` events nearest to the point within `radius_km` that the filter matches,
/// nearest first (ties by rid), with their distances; [`fetch_features`] reads their features.
///
/// Reads widening circles of points: once a circle holds `limit` matching events, nothing
/// outside it can rank among the nearest, so a dense area reads a fraction of the full
/// circle. The first circle is an eighth of the radius (at least a kilometre); each later
/// one is sized from the count in the one before, for about 1.25 times `limit` events
/// where they are spread evenly. The points come from memory ([`Points`]) when the filter
/// is at most a box, else from the narrow index of points and filtered columns; only then
/// are the features of the nearest read, by key (reading the table's wide rows while
/// ranking cost twice as much).
///
/// # Units
///
/// `radius_km` and the distances are great-circle kilometres.
pub(super) fn near(
    conn: &Connection,
    points: &Points,
    lat: f64,
    lon: f64,
    radius_km: f64,
    limit: usize,
    filter: &Filter,
) -> Result<Vec<Hit>, StoreError> {
    if limit == 0 || radius_km.is_nan() || radius_km < 0.0 {
        return Ok(Vec::new());
    }
    let mut source = if filter.at_most_box() {
        Source::Memory(points.view(conn)?)
    } else {
        Source::Index(Scan::new(conn, filter, Read::Points)?)
    };
    let mut nearest: BinaryHeap<Hit> = BinaryHeap::with_capacity(limit.min(1024));
    let mut radius = (radius_km / 8.0).max(1.0).min(radius_km);
    loop {
        nearest.clear();
        let mut within = 0usize;
        source.each_in(&circle_ranges(lat, lon, radius, CIRCLE_CELLS), |point| {
            if !filter.contains(point.lon, point.lat) {
                return;
            }
            let km = distance_km(lat, lon, point.lat, point.lon);
            if km.is_nan() || km > radius {
                return;
            }
            within += 1;
            let hit = Hit { km, rid: point.rid, key: point.key, feature: String::new() };
            if nearest.len() < limit {
                nearest.push(hit);
            } else if let Some(mut worst) = nearest.peek_mut()
                && hit < *worst
            {
                *worst = hit;
            }
        })?;
        if within >= limit || radius >= radius_km {
            break;
        }
        let grow = (1.25 * limit as f64 / within.max(1) as f64).sqrt().clamp(1.25, 4.0);
        radius = (radius * grow).min(radius_km);
    }
    Ok(nearest.into_sorted_vec())
}

/// Where the near query's points come from.
enum Source<'a> {
    /// The in-memory points of the reader's snapshot.
    Memory(View<'a>),
    /// The narrow index, with the filter's columns and words.
    Index(Scan<'a>),
}

impl Source<'_> {
    /// Visits the points of the spans inside their rectangles.
    fn each_in(&mut self, spans: &[Span], mut visit: impl FnMut(&Point)) -> Result<(), StoreError> {
        match self {
            Source::Memory(view) => {
                for span in spans {
                    view.each_in(span, &mut visit);
                }
                Ok(())
            }
            Source::Index(scan) => scan.run(spans, |rid, lon, lat, row| {
                visit(&Point { key: row.get(3)?, rid, lon, lat });
                Ok(true)
            }),
        }
    }
}

/// Reads the features of the hits, by key in key order (neighbours on the same pages), and
/// puts the hits back nearest first.
pub(super) fn fetch_features(conn: &Connection, hits: &mut [Hit]) -> Result<(), StoreError> {
    hits.sort_unstable_by_key(|hit| hit.key);
    // One statement a key: an `IN` list of keys cost more (SQLite sorts it into a table).
    let mut read = conn.prepare_cached("SELECT feature FROM event_features WHERE key = ?1")?;
    for hit in hits.iter_mut() {
        read.raw_bind_parameter(1, hit.key)?;
        let mut rows = read.raw_query();
        let Some(row) = rows.next()? else {
            return Err(rusqlite::Error::QueryReturnedNoRows.into());
        };
        hit.feature.push_str(row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?);
    }
    hits.sort_unstable();
    Ok(())
}

/// Stores the feature of the event `rid` (just inserted into `events`).
pub(super) fn insert(conn: &Connection, rid: i64) -> Result<(), StoreError> {
    let event = read_event(conn, rid)?;
    let (first, last) = cell_keys(event.lon, event.lat);
    let taken: Option<i64> = conn
        .prepare_cached("SELECT max(key) FROM event_features WHERE key BETWEEN ?1 AND ?2")?
        .query_row(params![first, last], |row| row.get(0))?;
    let key = match taken {
        None => first,
        Some(key) if key < last => key + 1,
        Some(_) => return Err(full_cell(&event)),
    };
    write(conn, key, rid, &event)
}

/// Rewrites the feature of the event `rid` after a merge changed its counts.
pub(super) fn refresh(conn: &Connection, rid: i64) -> Result<(), StoreError> {
    let event = read_event(conn, rid)?;
    conn.prepare_cached("UPDATE event_features SET confidence = ?2, feature = ?3 WHERE rid = ?1")?
        .execute(params![rid, event.confidence, export::feature_text(&event)])?;
    Ok(())
}

/// Writes every event's feature anew, front to back in key order; returns how many.
pub(super) fn rebuild(conn: &Connection) -> Result<u64, StoreError> {
    conn.execute("DELETE FROM event_features", [])?;
    let mut cells: Vec<(i64, i64)> = conn
        .prepare("SELECT rid, lon, lat FROM events")?
        .query_map([], |row| {
            let (first, _) = cell_keys(row.get(1)?, row.get(2)?);
            Ok((first, row.get::<_, i64>(0)?))
        })?
        .collect::<Result<_, _>>()?;
    cells.sort_unstable();
    let mut previous = (i64::MIN, 0i64);
    for &(first, rid) in &cells {
        let event = read_event(conn, rid)?;
        let n = if previous.0 == first { previous.1 + 1 } else { 0 };
        if n >= 1 << SEQ_BITS {
            return Err(full_cell(&event));
        }
        previous = (first, n);
        write(conn, first + n, rid, &event)?;
    }
    Ok(cells.len() as u64)
}

fn full_cell(event: &StoredEvent) -> StoreError {
    StoreError::Refused(format!(
        "more than {} events at one point ({}, {}): the map table cannot hold another",
        1u64 << SEQ_BITS,
        event.lon,
        event.lat
    ))
}

fn read_event(conn: &Connection, rid: i64) -> Result<StoredEvent, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE e.rid = ?1"))?
        .query_row([rid], event_from_row)?)
}

fn write(conn: &Connection, key: i64, rid: i64, event: &StoredEvent) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO event_features (key, rid, lon, lat, event_type, date, country_code,
            confidence, actor1, actor2, feature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        key,
        rid,
        event.lon,
        event.lat,
        event.event_type,
        event.date,
        event.country_code,
        event.confidence,
        event.actor1,
        event.actor2,
        export::feature_text(event)
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers in 0..1, the same every run (xorshift).
    fn uniform(mut seed: u64) -> impl FnMut() -> f64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Whether a key lies in one of the ranges.
    fn covered(ranges: &[Span], key: i64) -> bool {
        ranges.iter().any(|span| (span.first..=span.last).contains(&key))
    }

    #[test]
    fn a_cover_holds_every_point_of_its_rectangles_and_few_others() {
        let mut next = uniform(0x9E37_79B9_7F4A_7C15u64);
        for _ in 0..300 {
            let (lon, lat) = (-180.0 + 360.0 * next(), -90.0 + 180.0 * next());
            let (w, h) = (10f64.powf(-4.0 + 5.0 * next()), 10f64.powf(-4.0 + 5.0 * next()));
            let rect = [lon, lat, (lon + w).min(180.0), (lat + h).min(90.0)];
            let cover = ranges(&[rect], BOX_CELLS);
            assert!(cover.windows(2).all(|pair| pair[0].last < pair[1].first), "{cover:?}");
            assert!(cover.len() <= 64, "{} ranges for {rect:?}", cover.len());
            let (mut outside_covered, mut outside) = (0, 0);
            for _ in 0..400 {
                let (x, y) = (rect[0] - w + 3.0 * w * next(), rect[1] - h + 3.0 * h * next());
                let (x, y) = (x.clamp(-180.0, 180.0), y.clamp(-90.0, 90.0));
                let key = cell_keys(x, y).0;
                if (rect[0]..=rect[2]).contains(&x) && (rect[1]..=rect[3]).contains(&y) {
                    assert!(covered(&cover, key), "{x},{y} in {rect:?} is not covered");
                } else {
                    outside += 1;
                    outside_covered += usize::from(covered(&cover, key));
                }
            }
            // A rectangle of many cells, no more than twice as long as wide on the grid, is
            // covered by cells an eighth of its longer side at most: little around it.
            let (columns, rows) = (w / 360.0 * 1_048_576.0, h / 180.0 * 1_048_576.0);
            if columns.min(rows) > 64.0 && columns.max(rows) <= 2.0 * columns.min(rows) {
                assert!(
                    outside_covered * 3 < outside,
                    "{outside_covered} of {outside} around {rect:?}"
                );
            }
        }
        // The edges of the world and a point-sized rectangle.
        for rect in
            [[-180.0, -90.0, 180.0, 90.0], [30.0, 50.0, 30.0, 50.0], [180.0, 90.0, 180.0, 90.0]]
        {
            let cover = ranges(&[rect], BOX_CELLS);
            assert!(covered(&cover, cell_keys(rect[0], rect[1]).0));
            assert!(covered(&cover, cell_keys(rect[2], rect[3]).1));
        }
    }

    /// The point `km` from `(lat, lon)` along `bearing` (radians), as `(lon, lat)`.
    fn destination(lat: f64, lon: f64, km: f64, bearing: f64) -> (f64, f64) {
        let angle = km / crate::EARTH_RADIUS_KM;
        let (phi, lambda) = (lat.to_radians(), lon.to_radians());
        let phi2 = (phi.sin() * angle.cos() + phi.cos() * angle.sin() * bearing.cos()).asin();
        let lambda2 = lambda
            + (bearing.sin() * angle.sin() * phi.cos()).atan2(angle.cos() - phi.sin() * phi2.sin());
        ((lambda2.to_degrees() + 540.0).rem_euclid(360.0) - 180.0, phi2.to_degrees())
    }

    #[test]
    fn a_circle_cover_holds_every_point_of_its_circle() {
        let mut next = uniform(0x2545_F491_4F6C_DD1Du64);
        for _ in 0..300 {
            let (lat, lon) = (-89.0 + 178.0 * next(), -180.0 + 360.0 * next());
            let radius = 10f64.powf(-1.0 + 4.0 * next());
            let spans = circle_ranges(lat, lon, radius, CIRCLE_CELLS);
            for _ in 0..200 {
                let km = radius * next().sqrt() * (1.0 - 1e-9);
                let (x, y) = destination(lat, lon, km, std::f64::consts::TAU * next());
                if distance_km(lat, lon, y, x) > radius {
                    continue;
                }
                let key = cell_keys(x, y).0;
                assert!(
                    spans.iter().any(|span| (span.first..=span.last).contains(&key)
                        && (span.rect[0]..=span.rect[2]).contains(&x)
                        && (span.rect[1]..=span.rect[3]).contains(&y)),
                    "{x},{y}, {km} km from {lat},{lon}, is not covered for {radius} km"
                );
            }
        }
    }

    #[test]
    fn a_circle_box_holds_its_circle() {
        for (lat, lon, km) in
            [(50.0, 30.0, 25.0), (65.0, 179.9, 50.0), (-70.0, -179.99, 300.0), (88.5, 0.0, 100.0)]
        {
            let rects = circle(lat, lon, km);
            for step in 0..360 {
                // Points on the circle, a metre inside it.
                let (x, y) = destination(lat, lon, km - 0.001, f64::from(step).to_radians());
                assert!(
                    rects.iter().any(|r| (r[0]..=r[2]).contains(&x) && (r[1]..=r[3]).contains(&y)),
                    "{x},{y} on the circle around {lat},{lon} is outside {rects:?}"
                );
            }
        }
    }
}
