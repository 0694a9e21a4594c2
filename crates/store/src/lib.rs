//! The event store: articles, the events read from them and their sources.
//!
//! [`EventStore`] is what the server, the ingester and the exporters need from a
//! database. [`SqliteStore`] implements it over one embedded SQLite file (WAL, an R*Tree
//! over event points, FTS5 over the evidence sentences, versioned migrations), for one
//! analyst on a laptop; [`PostgresStore`] over PostgreSQL with PostGIS (a
//! `geography(Point,4326)` column with GiST, `tsvector` with GIN, refinery migrations,
//! concurrent writers), for a team. [`Location::parse`] reads a `--db` value (a
//! `postgres://` or `postgresql://` URL, else a SQLite path), [`connect`] opens either
//! behind the trait, [`Pool`] hands out connections to the server, and [`transfer`]
//! copies one store into another.
//!
//! ```
//! use store::{EventStore, Location};
//! let dir = std::env::temp_dir().join(format!("store-doc-{}", std::process::id()));
//! let store = store::connect(&Location::parse(dir.join("events.sqlite").to_str().unwrap()))?;
//! assert_eq!(store.totals()?.events, 0);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), store::StoreError>(())
//! ```
//!
//! Each article is written in one transaction with its events: a crash leaves every
//! committed article whole and nothing half-written. The same article text ingested twice
//! changes nothing (a SHA-256 content hash). Events of the same type on the same day within
//! [`MERGE_RADIUS_KM`] of each other, reported by different articles, are one event that
//! lists every source and counts them in `report_count`.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod export;
mod filter;
mod location;
pub mod mapindex;
mod postgres;
mod postgres_sql;
mod sqlite;
pub mod transfer;

use serde::Serialize;

pub use crate::filter::{EVENT_TYPES, Filter, FilterError, datetime_range};
pub use crate::location::{DynStore, Location, Pool, PooledStore, connect, redact_url};
pub use crate::postgres::{PostgresPool, PostgresStore};
pub use crate::sqlite::SqliteStore;

/// Two reports of the same type and day closer than this are one event.
pub const MERGE_RADIUS_KM: f64 = 10.0;

/// Mean Earth radius used for distances, in kilometres.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Writing an export failed.
    #[error("writing: {0}")]
    Io(#[from] std::io::Error),
    /// The database file was written by a newer borderwatch.
    #[error("the database has schema version {found}, newer than this binary's {known}")]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest version this binary knows.
        known: i64,
    },
    /// The caller stopped a visit (a closed connection, say).
    #[error("stopped: {0}")]
    Stopped(String),
    /// PostgreSQL reported an error or the connection failed.
    #[error("postgres: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// The database could not be reached or opened; `location` has its password hidden.
    #[error("cannot open {location}: {message}")]
    Open {
        /// The `--db` value, password hidden.
        location: String,
        /// Why.
        message: String,
    },
    /// A schema migration failed.
    #[error("migrating the schema of {location}: {message}")]
    Migration {
        /// The `--db` value, password hidden.
        location: String,
        /// Why.
        message: String,
    },
    /// A request the store cannot carry out (a non-empty target for a copy, say).
    #[error("{0}")]
    Refused(String),
}

impl StoreError {
    /// Whether the database went away (a lost connection, a server shutting down), as
    /// opposed to a problem with one article or query: a batch should stop, not skip.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Postgres(err) => {
                if err.is_closed() {
                    return true;
                }
                match err.code() {
                    // Class 08: connection exception; 57P01..57P03: admin shutdown, crash
                    // shutdown, cannot connect now.
                    Some(code) => {
                        let code = code.code();
                        code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
                    }
                    // No SQLSTATE: the socket failed, or a value did not convert.
                    None => std::error::Error::source(err)
                        .is_some_and(|source| source.is::<std::io::Error>()),
                }
            }
            StoreError::Open { .. } => true,
            _ => false,
        }
    }
}

/// An article to store.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewArticle<'a> {
    /// The article text the events were read from.
    pub text: &'a str,
    /// Headline.
    pub title: Option<&'a str>,
    /// Where it was published.
    pub url: Option<&'a str>,
    /// Who published it.
    pub publisher: Option<&'a str>,
    /// Publication date or time (`YYYY-MM-DD` or RFC 3339).
    pub published: Option<&'a str>,
}

/// A stored article, as `reprocess` reads it back.
#[derive(Debug, Clone)]
pub struct StoredArticle {
    /// Store id.
    pub id: i64,
    /// Text.
    pub text: String,
    /// Headline.
    pub title: Option<String>,
    /// Publication date or time.
    pub published: Option<String>,
}

/// What ingesting one article did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// The same text was already stored; nothing changed.
    Duplicate {
        /// The stored article.
        article_id: i64,
    },
    /// Stored, with its events.
    Added {
        /// The new article's id.
        article_id: i64,
        /// Events new to the store.
        new_events: usize,
        /// Events that were already known from other articles and gained a source.
        merged_events: usize,
    },
}

/// One event as stored and served: the fields of EVENTS.md, flat.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StoredEvent {
    /// Stable id (the first reporting article's event id).
    pub id: String,
    /// The project's event type.
    pub event_type: String,
    /// ACLED event type.
    pub acled_event_type: String,
    /// ACLED sub-event type.
    pub acled_sub_event_type: String,
    /// First side.
    pub actor1: Option<String>,
    /// Second side.
    pub actor2: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// ACLED time precision, 1..3.
    pub date_precision: i64,
    /// The place as written.
    pub place: String,
    /// The resolved place's name.
    pub place_name: String,
    /// GeoNames id.
    pub geonameid: Option<i64>,
    /// First-level region.
    pub admin1: Option<String>,
    /// ISO country code.
    pub country_code: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// ACLED geo precision, 1..3.
    pub geo_precision: i64,
    /// Reported deaths.
    pub fatalities: Option<i64>,
    /// Reported injured.
    pub injured: Option<i64>,
    /// Alleged or denied.
    pub claimed: bool,
    /// 0..1.
    pub confidence: f64,
    /// The first reporting sentence.
    pub evidence: String,
    /// Its start in the article text, in Unicode code points.
    pub evidence_start: i64,
    /// Its end, in code points.
    pub evidence_end: i64,
    /// The first reporting article.
    pub article_id: i64,
    /// Its URL.
    pub source_url: Option<String>,
    /// Its headline.
    pub source_title: Option<String>,
    /// Its publication date or time.
    pub published_at: Option<String>,
    /// How many articles reported this event.
    pub report_count: i64,
}

/// One article that reported an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// Store id of the article.
    pub article_id: i64,
    /// URL.
    pub url: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Publication date or time.
    pub published_at: Option<String>,
    /// The sentence in this article.
    pub evidence: String,
    /// Its start, in code points.
    pub evidence_start: i64,
    /// Its end, in code points.
    pub evidence_end: i64,
}

/// The few fields the map draws an event with; the rest is fetched on click.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventPoint {
    /// Event id.
    pub id: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Event type.
    pub event_type: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// 0..1.
    pub confidence: f64,
    /// Reporting articles.
    pub report_count: i64,
    /// Reported deaths.
    pub fatalities: Option<i64>,
    /// The resolved place's name.
    pub place_name: String,
}

/// Events of one type on one day (the map's timeline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Event type.
    pub event_type: String,
    /// How many.
    pub count: u64,
}

/// Spatial and temporal extent of the stored events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extent {
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: [f64; 4],
    /// First and last event dates.
    pub dates: (String, String),
}

/// What a store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Totals {
    /// Stored articles.
    pub articles: u64,
    /// Stored events.
    pub events: u64,
}

/// What the application needs from an event database.
pub trait EventStore {
    /// Stores an article and its events in one transaction; nothing changes when the same
    /// text is already stored.
    fn add_article(
        &mut self,
        article: &NewArticle<'_>,
        events: &[extract::Event],
    ) -> Result<Ingested, StoreError>;

    /// The id of the article with this text, if stored.
    fn find_article(&self, text: &str) -> Result<Option<i64>, StoreError>;

    /// Events matching the filter, newest first, a page at a time.
    fn events(
        &self,
        filter: &Filter,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// How many events match.
    fn count(&self, filter: &Filter) -> Result<u64, StoreError>;

    /// [`EventStore::events`] and [`EventStore::count`] together, as a page of the API has
    /// them.
    fn page(
        &self,
        filter: &Filter,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<StoredEvent>, u64), StoreError> {
        Ok((self.events(filter, limit, offset)?, self.count(filter)?))
    }

    /// Events within `radius_km` of a point that match the filter, nearest first, each with
    /// its great-circle distance in kilometres.
    fn near(
        &self,
        lat: f64,
        lon: f64,
        radius_km: f64,
        limit: usize,
        filter: &Filter,
    ) -> Result<Vec<(StoredEvent, f64)>, StoreError>;

    /// What [`EventStore::near`] finds, as each event's GeoJSON Feature text
    /// ([`export::feature_text`]) with its distance: the near query as the server answers it.
    ///
    /// # Units
    ///
    /// `radius_km` and the distances are great-circle kilometres.
    fn near_features(
        &self,
        lat: f64,
        lon: f64,
        radius_km: f64,
        limit: usize,
        filter: &Filter,
    ) -> Result<Vec<(String, f64)>, StoreError> {
        Ok(self
            .near(lat, lon, radius_km, limit, filter)?
            .iter()
            .map(|(event, km)| (export::feature_text(event), *km))
            .collect())
    }

    /// One event and every article that reported it.
    fn event(&self, id: &str) -> Result<Option<(StoredEvent, Vec<Source>)>, StoreError>;

    /// Counts per day and type.
    fn stats(&self, filter: &Filter) -> Result<Vec<DayCount>, StoreError>;

    /// Visits every matching event in storage order (oldest stored first: a sequential
    /// read, whatever the size) without holding them all in memory; returns how many were
    /// visited.
    fn each_event(
        &self,
        filter: &Filter,
        visit: &mut dyn FnMut(&StoredEvent) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError>;

    /// Visits the GeoJSON Feature text ([`export::feature_text`]) of every matching event
    /// in the order of [`EventStore::each_event`]; returns how many were visited.
    fn each_feature(
        &self,
        filter: &Filter,
        visit: &mut dyn FnMut(&str) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        export::each_feature_of_events(self, filter, visit)
    }

    /// Visits the map fields of every matching event (newest first); returns the count.
    fn each_point(
        &self,
        filter: &Filter,
        visit: &mut dyn FnMut(EventPoint),
    ) -> Result<u64, StoreError>;

    /// Visits the map fields of every matching event in whatever order reads fastest (the
    /// map index sorts them itself); returns the count.
    fn each_point_unordered(
        &self,
        filter: &Filter,
        visit: &mut dyn FnMut(EventPoint),
    ) -> Result<u64, StoreError> {
        self.each_point(filter, visit)
    }

    /// Whether `watch` already took this item of this feed.
    fn seen(&self, feed: &str, item: &str) -> Result<bool, StoreError>;

    /// Records that `watch` took this item of this feed.
    fn remember(&mut self, feed: &str, item: &str) -> Result<(), StoreError>;

    /// Where and when the stored events are, `None` when there are none.
    fn extent(&self) -> Result<Option<Extent>, StoreError>;

    /// Articles and events stored.
    fn totals(&self) -> Result<Totals, StoreError>;

    /// How many times [`EventStore::reprocess`] rebuilt the events: with [`EventStore::totals`]
    /// (which every ingest moves), what tells a cache of the events that they changed.
    fn generation(&self) -> Result<u64, StoreError>;

    /// Drops every event and reads them again from the stored articles with `extract`, in
    /// one transaction. Returns the new totals.
    fn reprocess(
        &mut self,
        extract: &mut dyn FnMut(&StoredArticle) -> Vec<extract::Event>,
    ) -> Result<Totals, StoreError>;
}

/// Great-circle distance in kilometres (haversine).
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let d_phi = (lat2 - lat1).to_radians();
    let d_lambda = (lon2 - lon1).to_radians();
    let a = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests;
