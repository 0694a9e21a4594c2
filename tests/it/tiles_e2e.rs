//! Vector tiles end to end: the sample articles ingested, the real server on a socket,
//! tiles read back by GDAL's MVT driver (`ogrinfo /vsicurl/...`) and the tileset by GDAL
//! 3.12's OGCAPI driver (pyogrio), the TileJSON and the OGC API Tiles documents, the 400s,
//! and tiles that follow an ingest made behind the server's back (another process, another
//! server).
//!
//! Needs `make build`, `make test-deps` and GDAL's `ogrinfo`; runs with `RUN_SLOW_TESTS=1` (CI sets it) and
//! says loudly that it skipped otherwise.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use store::EventStore as _;

use crate::server_e2e::{gazetteer, get_json, http, ogrinfo, root, scratch, start_server};

#[expect(clippy::print_stderr, reason = "a skipped slow test must say so loudly")]
fn slow_tests_enabled() -> bool {
    if std::env::var_os("RUN_SLOW_TESTS").is_none() {
        eprintln!("SKIPPED: tiles_e2e needs RUN_SLOW_TESTS=1 and `make build` (CI runs it)");
        return false;
    }
    true
}

/// The features GDAL reads from a tile: each one's fields as `name -> value` text.
fn gdal_features(port: u16, path: &str) -> Vec<HashMap<String, String>> {
    let url = format!("/vsicurl/http://127.0.0.1:{port}{path}");
    let out = ogrinfo(&["-ro", "-al", "-q", &url]);
    let mut features = Vec::new();
    for line in out.lines() {
        let line = line.trim();
        if line.starts_with("OGRFeature(") {
            features.push(HashMap::new());
        } else if let Some(feature) = features.last_mut()
            && let Some((name, value)) = line.split_once(" = ")
            && let Some((name, _kind)) = name.split_once(" (")
        {
            feature.insert(name.to_owned(), value.to_owned());
        }
    }
    features
}

/// What GDAL's OGCAPI driver (3.12, through pyogrio) reads of the events' vector tileset:
/// the CRS and fields of the zoom-0 layer, and the sum of the features' counts at zooms 0,
/// 5 and 8 (cells of events below zoom 10, so each sum is every event).
///
/// GDAL 3.12 takes the collection's extent, which OGC API gives in CRS84 degrees, as if it
/// were in the tile matrix set's metres when it lays out a vector tileset (only a raster
/// tileset's extent is reprojected), so past zoom 2 it finds no tile inside the tileset's
/// limits and makes no layer. The extent in metres, given as the driver's `MINX`..`MAXY`
/// open options, makes every zoom a layer: what a user of GDAL or QGIS's GDAL provider
/// passes (README.md).
fn gdal_reads_tileset(port: u16) -> Value {
    let deps = root().join(".deps/gdal");
    assert!(deps.is_dir(), "{} is missing: `make test-deps` installs pyogrio", deps.display());
    let script = r#"
import json, math, sys, urllib.request
import pyogrio
base = f"http://127.0.0.1:{sys.argv[1]}"
url = f"OGCAPI:{base}/collections/events"
tileset = json.load(urllib.request.urlopen(f"{base}/collections/events/tiles/WebMercatorQuad"))
(west, south), (east, north) = tileset["boundingBox"]["lowerLeft"], tileset["boundingBox"]["upperRight"]
R = 6378137.0
x = lambda lon: math.radians(lon) * R
y = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * R
metres = {"MINX": x(west), "MINY": y(south), "MAXX": x(east), "MAXY": y(north)}
info = pyogrio.read_info(url, layer="Zoom level 0", API="TILES", force_feature_count=True)
counts = {}
for zoom in (0, 5, 8):
    _, _, _, fields = pyogrio.raw.read(url, layer=f"Zoom level {zoom}", API="TILES", columns=["count"], **metres)
    counts[str(zoom)] = int(sum(fields[0]))
print(json.dumps({"crs": info["crs"], "fields": list(info["fields"]), "counts": counts}))
"#;
    let output = std::process::Command::new("python3")
        .env("PYTHONPATH", &deps)
        .args(["-c", script, &port.to_string()])
        .output()
        .unwrap();
    assert!(output.status.success(), "pyogrio: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn counted(features: &[HashMap<String, String>]) -> u64 {
    features.iter().map(|f| f["count"].parse::<u64>().unwrap()).sum()
}

pub(crate) fn tile_of(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let (x, y) = store::mapindex::mercator(lon, lat);
    ((x * n) as u32, (y * n) as u32)
}

#[test]
fn tiles_count_every_event_and_gdal_reads_them() {
    if !slow_tests_enabled() {
        return;
    }
    let dir = scratch("tiles");
    let db = dir.join("events.sqlite");
    let gazetteer = Arc::new(gazetteer());
    let mut store = store::SqliteStore::open(&db).unwrap();
    let samples = root().join("examples/articles");
    let summary = server::ingest::ingest_paths(&gazetteer, &mut store, &[samples], None);
    assert!(summary.added >= 12, "{summary:?}");
    let total = store.totals().unwrap().events;
    let port = start_server(
        &store::Location::Sqlite(db.clone()),
        Arc::clone(&gazetteer),
        "t0k3n-0123456789",
    );

    // TileJSON: the template carries the filters.
    let (status, tilejson) = get_json(port, "/tiles/events.json?event_type=shelling");
    assert_eq!(status, 200);
    assert_eq!(tilejson["tilejson"], "3.0.0");
    assert_eq!(tilejson["vector_layers"][0]["id"], "events");
    let template = tilejson["tiles"][0].as_str().unwrap();
    assert!(template.ends_with("/tiles/events/{z}/{x}/{y}.mvt?event_type=shelling"), "{template}");

    // The world tile counts every event once, as GDAL reads it.
    let world = gdal_features(port, "/tiles/events/0/0/0.mvt");
    assert!(!world.is_empty());
    assert_eq!(counted(&world), total);
    // A type filter counts that type only.
    let (_, all) = get_json(port, "/api/events?limit=10000");
    let all = all["features"].as_array().unwrap().clone();
    let kind = all[0]["properties"]["event_type"].as_str().unwrap();
    let of_kind = all.iter().filter(|f| f["properties"]["event_type"] == kind).count() as u64;
    let typed = gdal_features(port, &format!("/tiles/events/0/0/0.mvt?event_type={kind}"));
    assert_eq!(counted(&typed), of_kind);
    // The counts per day (from the map index) agree with the store's.
    let (_, stats) = get_json(port, &format!("/api/stats?event_type={kind}"));
    assert_eq!(stats["total"], of_kind);
    let (_, stats) = get_json(port, "/api/stats");
    let days: u64 =
        stats["days"].as_array().unwrap().iter().map(|d| d["count"].as_u64().unwrap()).sum();
    assert_eq!((stats["total"].as_u64(), days), (Some(total), total));

    // From zoom 10 each event is a feature of its own, with its id and fields.
    let event = &all[0];
    let (lon, lat) = (
        event["geometry"]["coordinates"][0].as_f64().unwrap(),
        event["geometry"]["coordinates"][1].as_f64().unwrap(),
    );
    let (x, y) = tile_of(lon, lat, 12);
    let features = gdal_features(port, &format!("/tiles/events/12/{x}/{y}.mvt"));
    let id = event["id"].as_str().unwrap();
    let found = features.iter().find(|f| f.get("id").map(String::as_str) == Some(id));
    let found = found.unwrap_or_else(|| panic!("{id} not in tile 12/{x}/{y}: {features:?}"));
    assert_eq!(found["event_type"], kind);
    assert_eq!(found["date"], event["properties"]["date"].as_str().unwrap());
    assert_eq!(found["count"], "1");

    // The same tile by OGC API - Tiles (row, then column), and gzip when asked for.
    let (_, xyz) = http(port, "GET", &format!("/tiles/events/12/{x}/{y}.mvt"), &[], b"");
    let path = format!("/collections/events/tiles/WebMercatorQuad/12/{y}/{x}");
    let (status, ogc) = http(port, "GET", &path, &[], b"");
    assert_eq!((status, &ogc), (200, &xyz));
    let (_, zipped) = http(port, "GET", &path, &[("Accept-Encoding", "gzip")], b"");
    assert_eq!(&zipped[..2], &[0x1f, 0x8b], "gzip-compressed");
    let (_, refused) = http(port, "GET", &path, &[("Accept-Encoding", "gzip;q=0, identity")], b"");
    assert_eq!(refused, xyz, "gzip refused, plain tile");

    // Bad addresses and filters: 400 with the API's JSON error naming the part.
    for (path, parameter) in [
        ("/tiles/events/23/0/0.mvt", "z"),
        ("/tiles/events/2/4/0.mvt", "x"),
        ("/tiles/events/2/0/4.mvt", "y"),
        ("/tiles/events/two/0/0.mvt", "z"),
        ("/tiles/events/2/0/-1.mvt", "y"),
        ("/tiles/events/2/0/0.png", "y"),
        ("/tiles/events/2/0/0.mvt?event_type=nope", "event_type"),
        ("/tiles/events/2/0/0.mvt?min_confidence=2", "min_confidence"),
        ("/collections/events/tiles/WebMercatorQuad/3/8/0", "tileRow"),
        ("/tiles/events.json?country=Ukraine", "country"),
        ("/tiles/events/%FF/0/0.mvt", "path"),
    ] {
        let (status, body) = get_json(port, path);
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["code"], "InvalidParameterValue", "{path}");
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
    }

    // OGC API - Tiles: the collection links its tilesets; the tileset links the tiling
    // scheme and the tile template; the scheme has the 23 zooms of WebMercatorQuad.
    let (_, collection) = get_json(port, "/collections/events");
    let rel = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
    assert!(collection["links"].as_array().unwrap().iter().any(|l| l["rel"] == rel));
    let (_, tilesets) = get_json(port, "/collections/events/tiles");
    assert_eq!(tilesets["tilesets"][0]["dataType"], "vector");
    let (_, tileset) = get_json(port, "/collections/events/tiles/WebMercatorQuad");
    let links = tileset["links"].as_array().unwrap();
    let item = links.iter().find(|l| l["rel"] == "item").unwrap();
    assert_eq!(item["type"], "application/vnd.mapbox-vector-tile");
    assert!(item["href"].as_str().unwrap().ends_with("/{tileMatrix}/{tileRow}/{tileCol}"));
    let (_, tms) = get_json(port, "/tileMatrixSets/WebMercatorQuad");
    let matrices = tms["tileMatrices"].as_array().unwrap();
    assert_eq!(matrices.len(), 23);
    assert_eq!(matrices[22]["matrixWidth"], 1u64 << 22);
    // GDAL 3.12 (pyogrio's wheel, `make test-deps`) reads the tileset through its OGCAPI
    // driver: collection, tilesets, tileset, tile matrix set, then the tiles.
    let gdal = gdal_reads_tileset(port);
    assert_eq!(gdal["crs"], "EPSG:3857", "{gdal}");
    for zoom in ["0", "5", "8"] {
        assert_eq!(gdal["counts"][zoom], total, "zoom {zoom}: {gdal}");
    }
    assert!(gdal["fields"].as_array().unwrap().iter().any(|f| f == "event_type"), "{gdal}");
    let (_, conformance) = get_json(port, "/conformance");
    let classes: Vec<&str> =
        conformance["conformsTo"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt"));

    // An article stored by another process shows in the tiles once the server looks again
    // (every 2 seconds), without a restart.
    let mut other = store::SqliteStore::open(&db).unwrap();
    let text = "Russian forces shelled Vovchansk, Kharkiv region, on 3 March 2024, the regional governor said.";
    let published = extract::Date::new(2024, 3, 3);
    let events = extract::events(&gazetteer, &extract::Article { text, title: None, published });
    assert!(!events.is_empty());
    other
        .add_article(
            &store::NewArticle { text, published: Some("2024-03-03"), ..Default::default() },
            &events,
        )
        .unwrap();
    let after = other.totals().unwrap().events;
    assert!(after > total);
    std::thread::sleep(std::time::Duration::from_millis(2200));
    assert_eq!(counted(&gdal_features(port, "/tiles/events/0/0/0.mvt")), after);
    assert_eq!(get_json(port, "/api/stats").1["total"], after);

    // A reprocess that leaves the counts as they were shows too: rebuild the events once as
    // they are, then with every confidence lowered (no merge changes, the same totals).
    let mut rebuilt = store::SqliteStore::open(&db).unwrap();
    let mut reprocess = |confidence: Option<f32>| {
        rebuilt
            .reprocess(&mut |stored| {
                let published = stored.published.as_deref().and_then(extract::Date::parse);
                let article = extract::Article {
                    text: &stored.text,
                    title: stored.title.as_deref(),
                    published,
                };
                let mut events = extract::events(&gazetteer, &article);
                for event in &mut events {
                    event.confidence = confidence.unwrap_or(event.confidence);
                }
                events
            })
            .unwrap()
    };
    let as_they_are = reprocess(None);
    std::thread::sleep(std::time::Duration::from_millis(2200));
    let confident = get_json(port, "/api/stats?min_confidence=0.5").1["total"].as_u64().unwrap();
    assert!(confident > 0);
    assert!(
        !http(port, "GET", "/tiles/events/0/0/0.mvt?min_confidence=0.5", &[], b"").1.is_empty()
    );
    assert_eq!(reprocess(Some(0.01)), as_they_are, "the same counts");
    std::thread::sleep(std::time::Duration::from_millis(2200));
    assert_eq!(get_json(port, "/api/stats?min_confidence=0.5").1["total"], 0);
    let (status, tile) = http(port, "GET", "/tiles/events/0/0/0.mvt?min_confidence=0.5", &[], b"");
    assert_eq!((status, tile.len()), (200, 0), "no event is that confident now");
}
