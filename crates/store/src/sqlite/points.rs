//! Every event's point in memory, for the near query: the `(key, rid, lon, lat)` of the
//! features table in key order, shared by the connections of one process to one file.
//!
//! Ranking a circle's events costs a few binary searches and a pass over a few hundred
//! 32-byte entries here, where the same rows through SQLite cost a statement step each
//! (the in-memory ranking took a query from about 0.15 ms to 0.11, of which the rest is
//! reading the features of the nearest from the table).
//!
//! The index follows each reader's snapshot exactly. Points never change: within one
//! generation of the events (`store_generation`, which `reprocess` counts) rows are only
//! added, with rids that grow in commit order, and a merge changes a row's counts, never
//! its point. So a snapshot is its generation and its greatest rid: a reader takes both
//! from its own read transaction, the index catches up by reading the rows past the rid it
//! holds (or is rebuilt for a new generation), and entries past the reader's rid are
//! skipped. A reader older than the index (a reprocess committed meanwhile) loads a copy
//! of its own. Memory: 32 bytes an event.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, Weak};

use rusqlite::Connection;

use super::features::Span;
use crate::StoreError;

/// One event's point.
#[derive(Debug, Clone, Copy)]
pub(super) struct Point {
    pub(super) key: i64,
    pub(super) rid: i64,
    pub(super) lon: f64,
    pub(super) lat: f64,
}

/// The points of one snapshot: `main` and `recent` (the rows synced since `main` was
/// last rebuilt), each in key order.
#[derive(Debug, Default)]
pub(super) struct Loaded {
    generation: i64,
    newest: i64,
    main: Vec<Point>,
    recent: Vec<Point>,
}

/// Rows synced into `recent` before it is merged into `main`: a merge moves every entry,
/// a sync only sorts the new ones.
const RECENT_MAX: usize = 4096;

impl Loaded {
    /// Every point of the snapshot `conn` reads, which is `(generation, newest)`.
    fn load(conn: &Connection, generation: i64, newest: i64) -> Result<Loaded, StoreError> {
        // The covering index has the points in key order: no sort, and no wide rows read.
        let main = conn
            .prepare_cached(
                "SELECT key, rid, lon, lat FROM event_features INDEXED BY event_features_points
                 WHERE rid <= ?1",
            )?
            .query_map([newest], point)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Loaded { generation, newest, main, recent: Vec::new() })
    }

    /// Adds the rows past `self.newest` up to `newest`, from the snapshot `conn` reads.
    fn sync(&mut self, conn: &Connection, newest: i64) -> Result<(), StoreError> {
        let added = conn
            .prepare_cached(
                "SELECT key, rid, lon, lat FROM event_features WHERE rid > ?1 AND rid <= ?2",
            )?
            .query_map([self.newest, newest], point)?
            .collect::<Result<Vec<_>, _>>()?;
        self.recent.extend(added);
        self.recent.sort_unstable_by_key(|point| point.key);
        if self.recent.len() > RECENT_MAX + self.main.len() / 16 {
            let (main, recent) = (std::mem::take(&mut self.main), std::mem::take(&mut self.recent));
            self.main = Vec::with_capacity(main.len() + recent.len());
            let (mut a, mut b) = (main.into_iter().peekable(), recent.into_iter().peekable());
            while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
                let next = if x.key <= y.key { a.next() } else { b.next() };
                self.main.extend(next);
            }
            self.main.extend(a);
            self.main.extend(b);
        }
        self.newest = newest;
        Ok(())
    }

    /// Visits the points of the span inside its rectangle, with a rid up to `newest`.
    pub(super) fn each_in(&self, span: &Span, newest: i64, mut visit: impl FnMut(&Point)) {
        let [min_lon, min_lat, max_lon, max_lat] = span.rect;
        for part in [&self.main, &self.recent] {
            let from = part.partition_point(|point| point.key < span.first);
            for point in part[from..].iter().take_while(|point| point.key <= span.last) {
                if point.rid <= newest
                    && (min_lon..=max_lon).contains(&point.lon)
                    && (min_lat..=max_lat).contains(&point.lat)
                {
                    visit(point);
                }
            }
        }
    }
}

fn point(row: &rusqlite::Row<'_>) -> rusqlite::Result<Point> {
    Ok(Point { key: row.get(0)?, rid: row.get(1)?, lon: row.get(2)?, lat: row.get(3)? })
}

/// The points of one database file, loaded on first use.
#[derive(Debug, Default)]
pub(super) struct Points {
    state: RwLock<Option<Loaded>>,
}

/// The points as one reader's snapshot has them: `newest` is its greatest rid.
pub(super) enum View<'a> {
    /// The shared index, at or past the snapshot.
    Shared(RwLockReadGuard<'a, Option<Loaded>>, i64),
    /// A copy of the reader's own, older than the shared index.
    Own(Loaded),
}

impl View<'_> {
    /// Visits the points of the snapshot in the span, inside its rectangle.
    pub(super) fn each_in(&self, span: &Span, visit: impl FnMut(&Point)) {
        match self {
            View::Shared(guard, newest) => {
                if let Some(loaded) = guard.as_ref() {
                    loaded.each_in(span, *newest, visit);
                }
            }
            View::Own(loaded) => loaded.each_in(span, loaded.newest, visit),
        }
    }
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Refused("the in-memory point index was poisoned by a panic".to_owned())
}

impl Points {
    /// The points of the file at `path` for this process, shared with every other
    /// connection to it.
    pub(super) fn shared(path: &Path) -> Arc<Points> {
        static FILES: Mutex<Option<HashMap<PathBuf, Weak<Points>>>> = Mutex::new(None);
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let Ok(mut files) = FILES.lock() else { return Arc::default() };
        let files = files.get_or_insert_with(HashMap::new);
        if let Some(points) = files.get(&path).and_then(Weak::upgrade) {
            return points;
        }
        files.retain(|_, points| points.strong_count() > 0);
        let points = Arc::new(Points::default());
        files.insert(path, Arc::downgrade(&points));
        points
    }

    /// The points of the snapshot `conn`'s open read transaction sees, catching the shared
    /// index up to it first when it lags.
    pub(super) fn view(&self, conn: &Connection) -> Result<View<'_>, StoreError> {
        let generation: i64 = conn
            .prepare_cached("SELECT n FROM store_generation")?
            .query_row([], |row| row.get(0))?;
        let newest: i64 = conn
            .prepare_cached("SELECT coalesce(max(rid), 0) FROM event_features")?
            .query_row([], |row| row.get(0))?;
        // Once caught up (or rebuilt), the next read fits; another connection may move
        // the index on in between, never back, so this ends at the second turn.
        for _ in 0..4 {
            {
                let shared = self.state.read().map_err(poisoned)?;
                match shared.as_ref() {
                    Some(loaded) if loaded.generation == generation && loaded.newest >= newest => {
                        return Ok(View::Shared(shared, newest));
                    }
                    Some(loaded) if loaded.generation > generation => {
                        return Ok(View::Own(Loaded::load(conn, generation, newest)?));
                    }
                    _ => {}
                }
            }
            let mut shared = self.state.write().map_err(poisoned)?;
            match shared.as_mut() {
                Some(loaded) if loaded.generation == generation => {
                    if loaded.newest < newest {
                        loaded.sync(conn, newest)?;
                    }
                }
                Some(loaded) if loaded.generation > generation => {}
                _ => *shared = Some(Loaded::load(conn, generation, newest)?),
            }
        }
        Ok(View::Own(Loaded::load(conn, generation, newest)?))
    }
}
