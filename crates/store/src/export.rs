//! Exports of filtered events: GeoJSON (RFC 7946), CSV and GeoPackage.
//!
//! GeoJSON and CSV are written row by row from a streaming query, so memory stays constant
//! for any number of events. The GeoPackage is an SQLite file laid out per OGC GeoPackage
//! 1.4 (the tables `gpkg_spatial_ref_sys`, `gpkg_contents`, `gpkg_geometry_columns` and a
//! feature table whose geometry is a GeoPackage binary header followed by WKB).

use std::io::Write;
use std::path::Path;

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;

use crate::{EventStore, Filter, StoreError, StoredEvent};

/// Rounds a coordinate to six decimals (about 10 cm), as EVENTS.md asks.
fn round6(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

/// An event as a GeoJSON Feature, serialized straight from the stored row (no
/// intermediate JSON tree: the 1M-event export spends its time writing, not allocating).
#[derive(Serialize)]
struct FeatureOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    geometry: PointOut,
    properties: PropertiesOut<'a>,
}

#[derive(Serialize)]
struct PointOut {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

/// EVENTS.md's flat properties, in its order.
#[derive(Serialize)]
struct PropertiesOut<'a> {
    id: &'a str,
    event_type: &'a str,
    acled_event_type: &'a str,
    acled_sub_event_type: &'a str,
    actor1: Option<&'a str>,
    actor2: Option<&'a str>,
    date: &'a str,
    date_precision: i64,
    place: &'a str,
    place_name: &'a str,
    geonameid: Option<i64>,
    admin1: Option<&'a str>,
    country_code: &'a str,
    geo_precision: i64,
    fatalities: Option<i64>,
    injured: Option<i64>,
    claimed: bool,
    confidence: f64,
    evidence: &'a str,
    evidence_start: i64,
    evidence_end: i64,
    article_id: i64,
    source_url: Option<&'a str>,
    source_title: Option<&'a str>,
    published_at: Option<&'a str>,
    report_count: i64,
}

fn feature_out(event: &StoredEvent) -> FeatureOut<'_> {
    FeatureOut {
        kind: "Feature",
        id: &event.id,
        geometry: PointOut { kind: "Point", coordinates: [round6(event.lon), round6(event.lat)] },
        properties: PropertiesOut {
            id: &event.id,
            event_type: &event.event_type,
            acled_event_type: &event.acled_event_type,
            acled_sub_event_type: &event.acled_sub_event_type,
            actor1: event.actor1.as_deref(),
            actor2: event.actor2.as_deref(),
            date: &event.date,
            date_precision: event.date_precision,
            place: &event.place,
            place_name: &event.place_name,
            geonameid: event.geonameid,
            admin1: event.admin1.as_deref(),
            country_code: &event.country_code,
            geo_precision: event.geo_precision,
            fatalities: event.fatalities,
            injured: event.injured,
            claimed: event.claimed,
            confidence: (event.confidence * 1000.0).round() / 1000.0,
            evidence: &event.evidence,
            evidence_start: event.evidence_start,
            evidence_end: event.evidence_end,
            article_id: event.article_id,
            source_url: event.source_url.as_deref(),
            source_title: event.source_title.as_deref(),
            published_at: event.published_at.as_deref(),
            report_count: event.report_count,
        },
    }
}

/// An event as a GeoJSON Feature: `[lon, lat]` point, flat properties, the event id as
/// the feature id.
pub fn feature(event: &StoredEvent) -> Value {
    serde_json::to_value(feature_out(event)).unwrap_or(Value::Null)
}

/// An event's GeoJSON Feature as text, properties last and in EVENTS.md's order: what
/// [`write_geojson`] writes for it and what the SQLite store keeps ready-made.
pub fn feature_text(event: &StoredEvent) -> String {
    let mut text = String::with_capacity(1024);
    write_feature_text(&mut text, event);
    text
}

/// Appends an event's [`feature_text`] to `text`.
pub(crate) fn write_feature_text(text: &mut String, event: &StoredEvent) {
    // Serializing borrowed strings and numbers into memory cannot fail.
    if let Ok(json) = serde_json::to_string(&feature_out(event)) {
        text.push_str(&json);
    }
}

/// Visits the [`feature_text`] of every matching event in storage order, serialized from
/// [`EventStore::each_event`]: what [`EventStore::each_feature`] does unless a store keeps
/// the features ready-made.
pub fn each_feature_of_events<S: EventStore + ?Sized>(
    store: &S,
    filter: &Filter,
    visit: &mut dyn FnMut(&str) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let mut text = String::with_capacity(1024);
    store.each_event(filter, &mut |event| {
        text.clear();
        write_feature_text(&mut text, event);
        visit(&text)
    })
}

/// Writes every matching event as one GeoJSON FeatureCollection; returns the count.
pub fn write_geojson(
    store: &dyn EventStore,
    filter: &Filter,
    out: &mut dyn Write,
) -> Result<u64, StoreError> {
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    let mut first = true;
    let count = store.each_feature(filter, &mut |feature| {
        if !first {
            out.write_all(b",\n")?;
        }
        first = false;
        out.write_all(feature.as_bytes())?;
        Ok(())
    })?;
    out.write_all(b"\n]}\n")?;
    out.flush()?;
    Ok(count)
}

/// The answer of the near query as GeoJSON: a FeatureCollection of the hits, nearest
/// first, each feature's properties ending with `distance_km` (rounded to metres).
///
/// # Units
///
/// Distances are great-circle kilometres.
pub fn near_collection(hits: &[(String, f64)]) -> String {
    let size: usize = hits.iter().map(|(feature, _)| feature.len() + 32).sum();
    let mut out = String::with_capacity(size + 80);
    out.push_str("{\"type\":\"FeatureCollection\",\"numberReturned\":");
    out.push_str(&hits.len().to_string());
    out.push_str(",\"features\":[");
    for (i, (feature, km)) in hits.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // A feature text ends with its properties' closing brace and its own.
        match feature.strip_suffix("}}") {
            Some(body) => {
                out.push_str(body);
                out.push_str(",\"distance_km\":");
                out.push_str(&json_number((km * 1000.0).round() / 1000.0));
                out.push_str("}}");
            }
            None => out.push_str(feature),
        }
    }
    out.push_str("]}");
    out
}

/// A number as serde_json writes it.
fn json_number(value: f64) -> String {
    serde_json::to_string(&value).unwrap_or_else(|_| "null".to_owned())
}

/// CSV columns, in order; `longitude` and `latitude` are the point.
pub const CSV_COLUMNS: [&str; 29] = [
    "id",
    "event_type",
    "acled_event_type",
    "acled_sub_event_type",
    "actor1",
    "actor2",
    "date",
    "date_precision",
    "place",
    "place_name",
    "geonameid",
    "admin1",
    "country_code",
    "longitude",
    "latitude",
    "geo_precision",
    "fatalities",
    "injured",
    "claimed",
    "confidence",
    "evidence",
    "evidence_start",
    "evidence_end",
    "article_id",
    "source_url",
    "source_title",
    "published_at",
    "report_count",
    "wkt",
];

fn csv_field(out: &mut dyn Write, value: &str) -> std::io::Result<()> {
    if value.contains([',', '"', '\n', '\r']) {
        out.write_all(b"\"")?;
        out.write_all(value.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(value.as_bytes())
    }
}

fn opt<T: ToString>(value: Option<&T>) -> String {
    value.map(ToString::to_string).unwrap_or_default()
}

/// Writes every matching event as CSV (RFC 4180, a header row, a WKT point column);
/// returns the count.
pub fn write_csv(
    store: &dyn EventStore,
    filter: &Filter,
    out: &mut dyn Write,
) -> Result<u64, StoreError> {
    out.write_all(CSV_COLUMNS.join(",").as_bytes())?;
    out.write_all(b"\r\n")?;
    let count = store.each_event(filter, &mut |event| {
        let (lon, lat) = (round6(event.lon), round6(event.lat));
        let fields = [
            event.id.clone(),
            event.event_type.clone(),
            event.acled_event_type.clone(),
            event.acled_sub_event_type.clone(),
            opt(event.actor1.as_ref()),
            opt(event.actor2.as_ref()),
            event.date.clone(),
            event.date_precision.to_string(),
            event.place.clone(),
            event.place_name.clone(),
            opt(event.geonameid.as_ref()),
            opt(event.admin1.as_ref()),
            event.country_code.clone(),
            lon.to_string(),
            lat.to_string(),
            event.geo_precision.to_string(),
            opt(event.fatalities.as_ref()),
            opt(event.injured.as_ref()),
            event.claimed.to_string(),
            ((event.confidence * 1000.0).round() / 1000.0).to_string(),
            event.evidence.clone(),
            event.evidence_start.to_string(),
            event.evidence_end.to_string(),
            event.article_id.to_string(),
            opt(event.source_url.as_ref()),
            opt(event.source_title.as_ref()),
            opt(event.published_at.as_ref()),
            event.report_count.to_string(),
            format!("POINT ({lon} {lat})"),
        ];
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            csv_field(out, field)?;
        }
        out.write_all(b"\r\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(count)
}

/// WGS 84 as OGC WKT (EPSG:4326), the definition GeoPackage readers expect.
const WGS84_WKT: &str = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]";

const GPKG_SCHEMA: &str = "
    PRAGMA application_id = 1196444487;
    PRAGMA user_version = 10400;
    CREATE TABLE gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
    CREATE TABLE gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
    CREATE TABLE gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
    CREATE TABLE events (
        fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POINT, id TEXT NOT NULL,
        event_type TEXT, acled_event_type TEXT, acled_sub_event_type TEXT, actor1 TEXT,
        actor2 TEXT, date DATE, date_precision INTEGER, place TEXT, place_name TEXT,
        geonameid INTEGER, admin1 TEXT, country_code TEXT, geo_precision INTEGER,
        fatalities INTEGER, injured INTEGER, claimed BOOLEAN, confidence REAL, evidence TEXT,
        evidence_start INTEGER, evidence_end INTEGER, article_id INTEGER, source_url TEXT,
        source_title TEXT, published_at TEXT, report_count INTEGER);";

/// A point as a GeoPackage geometry blob: the `GP` header (version 0, little-endian, no
/// envelope, SRS 4326) and a little-endian WKB Point.
pub fn gpkg_point(lon: f64, lat: f64) -> Vec<u8> {
    let mut blob = Vec::with_capacity(29);
    blob.extend_from_slice(b"GP");
    blob.push(0); // version
    blob.push(0b0000_0001); // flags: little-endian, no envelope, not empty
    blob.extend_from_slice(&4326i32.to_le_bytes());
    blob.push(1); // WKB little-endian
    blob.extend_from_slice(&1u32.to_le_bytes()); // Point
    blob.extend_from_slice(&lon.to_le_bytes());
    blob.extend_from_slice(&lat.to_le_bytes());
    blob
}

/// Writes every matching event into a new GeoPackage at `path` (replacing any file there);
/// returns the count.
pub fn write_gpkg(store: &dyn EventStore, filter: &Filter, path: &Path) -> Result<u64, StoreError> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err.into()),
        _ => {}
    }
    let mut gpkg = Connection::open(path)?;
    gpkg.pragma_update(None, "journal_mode", "OFF")?;
    gpkg.pragma_update(None, "synchronous", "OFF")?;
    gpkg.execute_batch(GPKG_SCHEMA)?;
    let tx = gpkg.transaction()?;
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES
            ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
            ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
            ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
        [WGS84_WKT],
    )?;
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let count = {
        let mut insert = tx.prepare(
            "INSERT INTO events (geom, id, event_type, acled_event_type, acled_sub_event_type,
                actor1, actor2, date, date_precision, place, place_name, geonameid, admin1,
                country_code, geo_precision, fatalities, injured, claimed, confidence, evidence,
                evidence_start, evidence_end, article_id, source_url, source_title, published_at,
                report_count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
        )?;
        store.each_event(filter, &mut |event| {
            let (lon, lat) = (round6(event.lon), round6(event.lat));
            (min_x, min_y, max_x, max_y) =
                (min_x.min(lon), min_y.min(lat), max_x.max(lon), max_y.max(lat));
            insert.execute(params![
                gpkg_point(lon, lat),
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
                event.geo_precision,
                event.fatalities,
                event.injured,
                event.claimed,
                (event.confidence * 1000.0).round() / 1000.0,
                event.evidence,
                event.evidence_start,
                event.evidence_end,
                event.article_id,
                event.source_url,
                event.source_title,
                event.published_at,
                event.report_count,
            ])?;
            Ok(())
        })?
    };
    let bounds = (count > 0).then_some((min_x, min_y, max_x, max_y));
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
         VALUES ('events', 'features', 'events', 'borderwatch conflict events', ?1, ?2, ?3, ?4, 4326)",
        params![bounds.map(|b| b.0), bounds.map(|b| b.1), bounds.map(|b| b.2), bounds.map(|b| b.3)],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES ('events', 'geom', 'POINT', 4326, 0, 0)",
        [],
    )?;
    tx.commit()?;
    Ok(count)
}
