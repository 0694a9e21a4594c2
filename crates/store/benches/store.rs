//! `make bench`: the store at one million events.
//!
//! Generates events at random points of the border region (a fixed seed, so every run and
//! the PostGIS peer see the same points), stores them through the ingest path (merge check,
//! R*Tree, full-text index, map features), then times the near query (25 km, at most 100
//! events, answered as GeoJSON) from 1,000 centres, 25 2°×2° boxes as GeoJSON, and a full
//! GeoJSON export with the process's peak memory before and after it. Writes the points and
//! queries to `target/bench-store/` for `bench/postgis_peer.sh` and prints one JSON line.
//!
//! With `BORDERWATCH_TEST_PG` set (a PostgreSQL + PostGIS server URL; `make bench` starts
//! one with `tests/pg/cluster.sh run`), the same events go through borderwatch's own
//! `PostgresStore` too, and the same near and bbox queries are timed on it (`pg_*` keys),
//! with the table and index sizes.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    reason = "a bench harness reports and stops on failure"
)]

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use store::mapindex::{self, MapIndex, Selection};
use store::{EventStore, Filter, PostgresStore, SqliteStore, export};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Anonymous (heap) memory now, MB: file pages of the memory-mapped database are not
/// counted, so this is what an export itself holds.
fn anon_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("RssAnon:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn synthetic_event(
    i: usize,
    kind: &'static str,
    lon: f64,
    lat: f64,
    date: String,
) -> extract::Event {
    extract::Event {
        id: format!("ev{i}"),
        event_type: kind,
        acled_event_type: "Explosions/Remote violence",
        acled_sub_event_type: "Shelling/artillery/missile attack",
        actor1: Some("Russian forces"),
        actor2: Some("Ukrainian forces"),
        date,
        date_precision: 1,
        place: "Somewhere".to_owned(),
        place_name: "Somewhere".to_owned(),
        geonameid: Some(703_448),
        admin1: Some("Kharkiv".to_owned()),
        country_code: "UA".to_owned(),
        lon,
        lat,
        geo_precision: 1,
        fatalities: Some(2),
        injured: None,
        claimed: false,
        confidence: 0.7,
        evidence: format!("Russian forces shelled the town overnight, report {i} said."),
        evidence_start: 0,
        evidence_end: 60,
        evidence_spans: vec![(0, 60)],
    }
}

fn main() {
    let n: usize =
        std::env::var("BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    // Relative paths are taken from the workspace root (cargo runs benches in the crate's folder).
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = match std::env::var_os("BENCH_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target/bench-store"),
    };
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("events.sqlite");
    // BENCH_REUSE=1 times the queries on the database a previous run left (no ingest figure).
    let reuse = std::env::var_os("BENCH_REUSE").is_some() && db.exists();
    if !reuse {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    }
    let mut rng = Rng(0x5EED_B0DE_2022_0224);
    let types = &store::EVENT_TYPES[..14];
    let start_day = extract::Date::new(2022, 2, 24).unwrap();
    let points_file: Box<dyn Write> = if reuse {
        Box::new(std::io::sink())
    } else {
        Box::new(std::fs::File::create(dir.join("points.csv")).unwrap())
    };
    let mut points = std::io::BufWriter::new(points_file);
    writeln!(points, "id,lon,lat,date,event_type").unwrap();
    let mut near_file = std::fs::File::create(dir.join("near.csv")).unwrap();
    writeln!(near_file, "lat,lon").unwrap();
    let centres: Vec<(f64, f64)> =
        (0..1000).map(|_| (45.0 + 10.0 * rng.next(), 23.0 + 21.0 * rng.next())).collect();
    for (lat, lon) in &centres {
        writeln!(near_file, "{lat:.6},{lon:.6}").unwrap();
    }
    // Five boxes along the front, then twenty anywhere in the events' extent.
    let mut boxes: Vec<[f64; 4]> = (0..5)
        .map(|i| {
            let (x, y) = (28.0 + 2.0 * i as f64, 47.0 + i as f64);
            [x, y, x + 2.0, y + 2.0]
        })
        .collect();
    // A generator of their own, so that the events are those of earlier runs.
    let mut box_rng = Rng(0xB0C5_2026_1206_0001);
    for _ in 0..20 {
        let (x, y) = (22.0 + 21.0 * box_rng.next(), 44.0 + 10.0 * box_rng.next());
        boxes.push([x, y, x + 2.0, y + 2.0]);
    }
    let mut bbox_file = std::fs::File::create(dir.join("bbox.csv")).unwrap();
    writeln!(bbox_file, "min_lon,min_lat,max_lon,max_lat").unwrap();
    for b in &boxes {
        writeln!(bbox_file, "{},{},{},{}", b[0], b[1], b[2], b[3]).unwrap();
    }

    // Store through the ingest path: 10 events per article, one transaction each; events
    // are made as they are stored, so the harness holds no more than one article's worth.
    // Opening migrates an older store (the features table is built then): timed.
    let t = Instant::now();
    let mut store = SqliteStore::open(&db).unwrap();
    let open_s = t.elapsed().as_secs_f64();
    let points_rng = Rng(rng.0);
    let mut ingest_s = 0.0;
    let mut chunk = Vec::with_capacity(10);
    let next_chunk = |rng: &mut Rng, article: usize, chunk: &mut Vec<extract::Event>| {
        chunk.clear();
        for i in article * 10..((article + 1) * 10).min(n) {
            let lon = 22.0 + 23.0 * rng.next();
            let lat = 44.0 + 12.0 * rng.next();
            let date = start_day.add_days((rng.next() * 1000.0) as i64).to_string();
            let kind = types[(rng.next() * types.len() as f64) as usize % types.len()];
            chunk.push(synthetic_event(i, kind, lon, lat, date));
        }
    };
    for article in 0..if reuse { 0 } else { n.div_ceil(10) } {
        next_chunk(&mut rng, article, &mut chunk);
        for event in &chunk {
            let (id, lon, lat, date, kind) =
                (&event.id, event.lon, event.lat, &event.date, event.event_type);
            writeln!(points, "{id},{lon:.6},{lat:.6},{date},{kind}").unwrap();
        }
        let text = format!("Synthetic article {article}.");
        let stored =
            store::NewArticle { text: &text, published: Some("2024-01-01"), ..Default::default() };
        let t = Instant::now();
        store.add_article(&stored, &chunk).unwrap();
        ingest_s += t.elapsed().as_secs_f64();
    }
    points.flush().unwrap();
    let totals = store.totals().unwrap();
    eprintln!(
        "stored {} events from {} articles in {ingest_s:.1} s",
        totals.events, totals.articles
    );

    let (near_ms, rows, near_first_s) = near_figures(&store, &centres);
    let (bbox_ms, bbox_features) = bbox_figures(&store, &boxes, 1);

    let tiles = tile_figures(&store, &centres);

    // Full export.
    let anon_before = anon_rss_mb();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut peak: f64 = 0.0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(anon_rss_mb());
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            peak
        })
    };
    let t = Instant::now();
    let file = std::fs::File::create(dir.join("export.geojson")).unwrap();
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
    let exported = export::write_geojson(&store, &Filter::default(), &mut writer).unwrap();
    drop(writer);
    let export_s = t.elapsed().as_secs_f64();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let anon_peak = sampler.join().unwrap();

    let postgres = std::env::var("BORDERWATCH_TEST_PG").ok().map(|url| {
        let mut rng = Rng(points_rng.0);
        postgres_figures(
            &url,
            n,
            &mut |article, chunk| next_chunk(&mut rng, article, chunk),
            &centres,
            &boxes,
        )
    });

    let mut report = serde_json::json!({
        "events": totals.events,
        "store_events_per_s": (totals.events as f64 / ingest_s).round(),
        "store_articles_per_s": (totals.articles as f64 / ingest_s).round(),
        "open_s": (open_s * 100.0).round() / 100.0,
        "near_p50_ms": (percentile(&near_ms, 0.5) * 1000.0).round() / 1000.0,
        "near_p99_ms": (percentile(&near_ms, 0.99) * 1000.0).round() / 1000.0,
        "near_rows_mean": rows as f64 / centres.len() as f64,
        "near_index_build_s": (near_first_s * 1000.0).round() / 1000.0,
        "bbox_ms_median": (percentile(&bbox_ms, 0.5) * 10.0).round() / 10.0,
        "bbox_ms_p99": (percentile(&bbox_ms, 0.99) * 10.0).round() / 10.0,
        "bbox_boxes": bbox_ms.len(),
        "bbox_features": bbox_features,
        "export_geojson_s": (export_s * 100.0).round() / 100.0,
        "export_events": exported,
        "heap_mb_before_export": (anon_before * 10.0).round() / 10.0,
        "heap_mb_peak_during_export": (anon_peak * 10.0).round() / 10.0,
    });
    if let (serde_json::Value::Object(tiles), Some(object)) = (tiles, report.as_object_mut()) {
        object.extend(tiles);
    }
    if let (Some(serde_json::Value::Object(pg)), Some(object)) = (postgres, report.as_object_mut())
    {
        object.extend(pg);
    }
    println!("{report}");
}

/// The near query as the server answers it (25 km, at most 100 events, the GeoJSON text of
/// `/api/events/near`) from every centre, after 100 untimed: sorted times in ms, and the
/// events returned.
fn near_figures(store: &dyn EventStore, centres: &[(f64, f64)]) -> (Vec<f64>, usize, f64) {
    let filter = Filter::default();
    // The first query builds the SQLite store's in-memory points: timed on its own.
    let t = Instant::now();
    store.near_features(centres[0].0, centres[0].1, 25.0, 100, &filter).unwrap();
    let first_s = t.elapsed().as_secs_f64();
    for (lat, lon) in centres.iter().take(100) {
        export::near_collection(&store.near_features(*lat, *lon, 25.0, 100, &filter).unwrap());
    }
    let mut near_ms = Vec::new();
    let mut rows = 0;
    for (lat, lon) in centres {
        let t = Instant::now();
        let hits = store.near_features(*lat, *lon, 25.0, 100, &filter).unwrap();
        let answer = export::near_collection(&hits);
        near_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(answer.len() > hits.len());
        rows += hits.len();
    }
    near_ms.sort_by(f64::total_cmp);
    (near_ms, rows, first_s)
}

/// Each box as one GeoJSON FeatureCollection (what `/api/export.geojson?bbox=` sends),
/// after `warm` untimed passes: sorted times in ms, and the first box's feature count.
fn bbox_figures(store: &dyn EventStore, boxes: &[[f64; 4]], warm: usize) -> (Vec<f64>, u64) {
    let mut bbox_ms = Vec::new();
    let mut bbox_features = 0;
    for pass in 0..=warm {
        for (i, b) in boxes.iter().enumerate() {
            let filter = Filter { bbox: Some(*b), ..Filter::default() };
            let t = Instant::now();
            let mut out = Vec::new();
            let count = export::write_geojson(store, &filter, &mut out).unwrap();
            if pass == warm {
                bbox_ms.push(t.elapsed().as_secs_f64() * 1e3);
            }
            if i == 0 {
                bbox_features = count;
            }
        }
    }
    bbox_ms.sort_by(f64::total_cmp);
    (bbox_ms, bbox_features)
}

/// The map index built from the store, then tiles cut from it (and gzip-compressed, as
/// served, no cache) at zooms 5, 8 and 12 around the near centres: `tile_*` figures.
fn tile_figures(store: &dyn EventStore, centres: &[(f64, f64)]) -> serde_json::Value {
    let t = Instant::now();
    let index = MapIndex::build(store, &Filter::default()).unwrap();
    let build_s = t.elapsed().as_secs_f64();
    eprintln!("map index of {} events built in {build_s:.2} s", index.len());
    let mut report = serde_json::json!({
        "tile_index_build_s": (build_s * 100.0).round() / 100.0,
        "tile_index_heap_mb": (index.heap_bytes() as f64 / 1e5).round() / 10.0,
    });
    let one_type = Selection { event_types: vec!["shelling".to_owned()], ..Selection::default() };
    for (z, selection, name) in [
        (5u8, Selection::default(), "z5"),
        (8, Selection::default(), "z8"),
        (12, Selection::default(), "z12"),
        (5, one_type, "z5_one_type"),
    ] {
        let n = 1u32 << z;
        let mut ms = Vec::new();
        let mut bytes = 0;
        for (lat, lon) in centres.iter().take(300) {
            let (fx, fy) = mapindex::mercator(*lon, *lat);
            let (x, y) =
                (((fx * f64::from(n)) as u32).min(n - 1), ((fy * f64::from(n)) as u32).min(n - 1));
            let t = Instant::now();
            let tile = mapindex::gzip(&index.tile(z, x, y, &selection).unwrap());
            ms.push(t.elapsed().as_secs_f64() * 1e3);
            bytes += tile.len();
        }
        ms.sort_by(f64::total_cmp);
        let object = report.as_object_mut().unwrap();
        object.insert(
            format!("tile_{name}_p50_ms"),
            serde_json::json!((percentile(&ms, 0.5) * 1000.0).round() / 1000.0),
        );
        object.insert(
            format!("tile_{name}_p99_ms"),
            serde_json::json!((percentile(&ms, 0.99) * 1000.0).round() / 1000.0),
        );
        object.insert(
            format!("tile_{name}_kb_mean"),
            serde_json::json!((bytes as f64 / ms.len() as f64 / 100.0).round() / 10.0),
        );
    }
    report
}

/// The same events through borderwatch's `PostgresStore`, then the same near and bbox
/// queries; `pg_*` figures and the table sizes.
fn postgres_figures(
    url: &str,
    n: usize,
    next_chunk: &mut dyn FnMut(usize, &mut Vec<extract::Event>),
    centres: &[(f64, f64)],
    boxes: &[[f64; 4]],
) -> serde_json::Value {
    let mut store = PostgresStore::connect(url).unwrap();
    let mut ingest_s = 0.0;
    let mut chunk = Vec::with_capacity(10);
    for article in 0..n.div_ceil(10) {
        next_chunk(article, &mut chunk);
        let text = format!("Synthetic article {article}.");
        let stored =
            store::NewArticle { text: &text, published: Some("2024-01-01"), ..Default::default() };
        let t = Instant::now();
        store.add_article(&stored, &chunk).unwrap();
        ingest_s += t.elapsed().as_secs_f64();
    }
    store
        .with_client(|client| {
            client.batch_execute("VACUUM ANALYZE events")?;
            client.batch_execute("VACUUM ANALYZE event_sources")?;
            Ok(())
        })
        .unwrap();
    let totals = store.totals().unwrap();
    eprintln!(
        "PostgreSQL: stored {} events from {} articles in {ingest_s:.1} s",
        totals.events, totals.articles
    );
    let (near_ms, rows, _) = near_figures(&store, centres);
    let (bbox_ms, bbox_features) = bbox_figures(&store, boxes, 1);
    let sizes = store
        .with_client(|client| {
            let mb = |client: &mut postgres::Client, sql: &str| -> Result<f64, store::StoreError> {
                Ok(client.query_one(sql, &[])?.try_get::<_, i64>(0)? as f64 / 1e6)
            };
            Ok(serde_json::json!({
                "pg_events_table_mb": mb(client, "SELECT pg_table_size('events')")?.round(),
                "pg_events_indexes_mb": mb(client, "SELECT pg_indexes_size('events')")?.round(),
                "pg_sources_table_mb": mb(client, "SELECT pg_table_size('event_sources')")?.round(),
                "pg_sources_indexes_mb": mb(client, "SELECT pg_indexes_size('event_sources')")?.round(),
                "pg_articles_mb": mb(client, "SELECT pg_total_relation_size('articles')")?.round(),
                "pg_server": client.query_one("SELECT version()", &[])?.try_get::<_, String>(0)?,
            }))
        })
        .unwrap();
    let mut figures = serde_json::json!({
        "pg_events": totals.events,
        "pg_store_events_per_s": (totals.events as f64 / ingest_s).round(),
        "pg_store_articles_per_s": (totals.articles as f64 / ingest_s).round(),
        "pg_near_p50_ms": (percentile(&near_ms, 0.5) * 1000.0).round() / 1000.0,
        "pg_near_p99_ms": (percentile(&near_ms, 0.99) * 1000.0).round() / 1000.0,
        "pg_near_rows_mean": rows as f64 / centres.len() as f64,
        "pg_bbox_ms_median": (percentile(&bbox_ms, 0.5) * 10.0).round() / 10.0,
        "pg_bbox_ms_p99": (percentile(&bbox_ms, 0.99) * 10.0).round() / 10.0,
        "pg_bbox_features": bbox_features,
    });
    if let (Some(object), serde_json::Value::Object(sizes)) = (figures.as_object_mut(), sizes) {
        object.extend(sizes);
    }
    figures
}
