//! The store and the server end to end, with real clients: the sample articles ingested
//! with the full gazetteer, the HTTP API queried over a real socket, OGC API - Features
//! paged through by GDAL's `ogrinfo`, the three exports read back by GDAL, and a kill in
//! the middle of an ingest.
//!
//! Needs `make build` (the gazetteer snapshot and the release binary) and GDAL's
//! `ogrinfo`; it runs with `RUN_SLOW_TESTS=1` (CI sets it, and `make test` installs
//! gdal-bin). Without them it says loudly that it skipped.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::Value;
use store::EventStore as _;

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[expect(clippy::print_stderr, reason = "a skipped slow test must say so loudly")]
fn slow_tests_enabled() -> bool {
    if std::env::var_os("RUN_SLOW_TESTS").is_none() {
        eprintln!("SKIPPED: server_e2e needs RUN_SLOW_TESTS=1 and `make build` (CI runs it)");
        return false;
    }
    true
}

pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("borderwatch-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn gazetteer() -> gazetteer::Gazetteer {
    let path = root().join("data/gazetteer.bin");
    let file = std::fs::File::open(&path).unwrap_or_else(|err| {
        panic!("RUN_SLOW_TESTS is set but {} is missing: {err}", path.display())
    });
    gazetteer::Gazetteer::from_reader(std::io::BufReader::new(file)).unwrap()
}

/// One HTTP/1.1 request over a fresh connection: status and body.
pub(crate) fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = response[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16)
                .unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

pub(crate) fn get_json(port: u16, path: &str) -> (u16, Value) {
    let (status, body) = http(port, "GET", path, &[], b"");
    (
        status,
        serde_json::from_slice(&body)
            .unwrap_or_else(|err| panic!("{path}: {err}: {}", String::from_utf8_lossy(&body))),
    )
}

fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let a = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0088 * a.sqrt().asin()
}

pub(crate) fn ogrinfo(args: &[&str]) -> String {
    let output = Command::new("ogrinfo").args(args).output().unwrap_or_else(|err| {
        panic!("GDAL's ogrinfo is needed (make test installs gdal-bin): {err}")
    });
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "ogrinfo {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn feature_count(ogrinfo_summary: &str) -> usize {
    ogrinfo_summary
        .lines()
        .find_map(|line| line.trim().strip_prefix("Feature Count: "))
        .unwrap_or_else(|| panic!("no feature count in {ogrinfo_summary}"))
        .parse()
        .unwrap()
}

/// Starts the real server on a free port in a thread of its own.
pub(crate) fn start_server(
    db: &store::Location,
    gazetteer: Arc<gazetteer::Gazetteer>,
    token: &str,
) -> u16 {
    let config = server::api::Config {
        db: db.clone(),
        web: root().join("web"),
        token: Some(token.to_owned()),
        allow_private_addresses: false,
    };
    let state = server::api::AppState::new(config, gazetteer).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, server::api::router(state)).await.unwrap();
        });
    });
    port
}

#[test]
fn ingest_query_page_with_gdal_and_export() {
    if !slow_tests_enabled() {
        return;
    }
    let dir = scratch("server");
    let db = dir.join("events.sqlite");
    let gazetteer = Arc::new(gazetteer());
    let samples = root().join("examples/articles");

    // Ingest the samples; the second run changes nothing.
    let mut store = store::SqliteStore::open(&db).unwrap();
    let summary =
        server::ingest::ingest_paths(&gazetteer, &mut store, std::slice::from_ref(&samples), None);
    assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
    assert!(summary.added >= 12, "{summary:?}");
    let totals = store.totals().unwrap();
    assert!(totals.events >= summary.added as u64, "{totals:?}");
    let again = server::ingest::ingest_paths(&gazetteer, &mut store, &[samples], None);
    assert_eq!((again.added, again.duplicates), (0, summary.added));
    assert_eq!(store.totals().unwrap(), totals);
    drop(store);

    let token = "e2e-token-0123456789";
    let port = start_server(&store::Location::Sqlite(db.clone()), Arc::clone(&gazetteer), token);
    let (status, health) = get_json(port, "/health");
    assert_eq!(status, 200);
    assert_eq!(health["events"], totals.events);

    // Everything, then filters checked against the full list.
    let (_, all) = get_json(port, "/api/events?limit=10000");
    let all = all["features"].as_array().unwrap().clone();
    assert_eq!(all.len() as u64, totals.events);
    // The map's compact rows: one per event, in the same order.
    let (_, points) = get_json(port, "/api/points");
    let rows = points["rows"].as_array().unwrap();
    assert_eq!(rows.len(), all.len());
    assert_eq!(rows[0][0], all[0]["id"]);
    assert_eq!(rows[0][3], all[0]["properties"]["event_type"]);
    let point = |f: &Value| {
        (
            f["geometry"]["coordinates"][0].as_f64().unwrap(),
            f["geometry"]["coordinates"][1].as_f64().unwrap(),
        )
    };
    let ids = |features: &[Value]| {
        let mut ids: Vec<String> =
            features.iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect();
        ids.sort();
        ids
    };
    let expected: Vec<Value> = all
        .iter()
        .filter(|f| {
            let (lon, lat) = point(f);
            let date = f["properties"]["date"].as_str().unwrap();
            (30.0..=40.5).contains(&lon)
                && (44.0..=52.5).contains(&lat)
                && ("2022-01-01"..="2023-12-31").contains(&date)
        })
        .cloned()
        .collect();
    assert!(!expected.is_empty());
    let (_, filtered) = get_json(
        port,
        "/api/events?bbox=30,44,40.5,52.5&datetime=2022-01-01T00:00:00Z/2023-12-31T23:59:59Z&limit=10000",
    );
    assert_eq!(ids(filtered["features"].as_array().unwrap()), ids(&expected));
    let kind = all[0]["properties"]["event_type"].as_str().unwrap().to_owned();
    let of_kind: Vec<Value> =
        all.iter().filter(|f| f["properties"]["event_type"] == kind.as_str()).cloned().collect();
    let (_, typed) = get_json(port, &format!("/api/events?event_type={kind}&limit=10000"));
    assert_eq!(ids(typed["features"].as_array().unwrap()), ids(&of_kind));

    // Near: every event within the radius, nearest first, with the right distances.
    let (lat, lon, radius) = (50.6, 36.6, 150.0);
    let (_, near) = get_json(
        port,
        &format!("/api/events/near?lat={lat}&lon={lon}&radius_km={radius}&limit=10000"),
    );
    let near = near["features"].as_array().unwrap();
    let within: Vec<Value> = all
        .iter()
        .filter(|f| {
            let (x, y) = point(f);
            haversine_km(lat, lon, y, x) <= radius
        })
        .cloned()
        .collect();
    assert!(!within.is_empty(), "the samples have events around Belgorod");
    assert_eq!(ids(near), ids(&within));
    let mut previous = 0.0;
    for feature in near {
        let (x, y) = point(feature);
        let reported = feature["properties"]["distance_km"].as_f64().unwrap();
        assert!((reported - haversine_km(lat, lon, y, x)).abs() < 0.01, "{feature}");
        assert!(reported >= previous);
        previous = reported;
        // Apart from the distance, each is the feature the event list serves.
        let mut bare = feature.clone();
        bare["properties"].as_object_mut().unwrap().remove("distance_km");
        let listed = all.iter().find(|f| f["id"] == feature["id"]).unwrap();
        assert_eq!(&bare, listed, "the near answer's feature differs from the list's");
    }

    // One event with its sources; unknown ids and bad parameters.
    let id = all[0]["id"].as_str().unwrap();
    let (status, one) = get_json(port, &format!("/api/events/{id}"));
    assert_eq!(status, 200);
    assert!(!one["properties"]["sources"].as_array().unwrap().is_empty());
    assert_eq!(get_json(port, "/api/events/no-such-event").0, 404);
    assert_eq!(get_json(port, "/collections/events/items/no-such-event").0, 404);
    for (query, parameter) in [
        ("/api/events?bbox=0,95,10,96", "bbox"),
        ("/api/events/near?lat=50&lon=30&radius_km=0", "radius_km"),
        ("/api/events/near?lat=50&lon=30&radius_km=50000", "radius_km"),
        ("/api/events/near?lat=91&lon=30", "lat"),
        ("/api/events?datetime=last%20tuesday", "datetime"),
        ("/api/events?limit=-1", "limit"),
        ("/collections/events/items?limit=0", "limit"),
        ("/api/events?event_type=picnic", "event_type"),
        ("/api/events?offset=x", "offset"),
        ("/api/places?q=", "q"),
    ] {
        let (status, body) = get_json(port, query);
        assert_eq!((status, body["parameter"].as_str()), (400, Some(parameter)), "{query}: {body}");
    }

    // Writing needs the token; a new article adds its events.
    let article = br#"{"text": "Russian artillery shelled Vovchansk on Monday, killing two civilians.", "published": "2024-05-13"}"#;
    assert_eq!(http(port, "POST", "/api/articles", &[], article).0, 401);
    assert_eq!(
        http(
            port,
            "POST",
            "/api/articles",
            &[("Authorization", "Bearer wrong-token-0000000")],
            article
        )
        .0,
        401
    );
    let auth = format!("Bearer {token}");
    let (status, body) = http(port, "POST", "/api/articles", &[("Authorization", &auth)], article);
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    // A URL on the server's own network is not fetched (no SSRF through ingestion).
    let by_url = format!(r#"{{"url": "http://127.0.0.1:{port}/health"}}"#);
    let (status, body) =
        http(port, "POST", "/api/articles", &[("Authorization", &auth)], by_url.as_bytes());
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("refused") && body.contains("\"parameter\":\"url\""), "{body}");
    let big = vec![b'a'; 3 << 20];
    assert_eq!(http(port, "POST", "/api/articles", &[("Authorization", &auth)], &big).0, 413);
    let (_, health) = get_json(port, "/health");
    let total = health["events"].as_u64().unwrap();
    assert!(total > totals.events);

    // GDAL reads the live OGC API, paging through every feature with `next` links.
    let base = format!("OAPIF:http://127.0.0.1:{port}");
    let summary = ogrinfo(&["-ro", "-so", &base, "events"]);
    assert_eq!(feature_count(&summary), total as usize, "{summary}");
    let features = ogrinfo(&["-ro", "-q", "-oo", "PAGE_SIZE=7", &base, "events"]);
    let read = features.matches("OGRFeature(events):").count();
    assert_eq!(read, total as usize, "GDAL paged through {read} of {total} features");
    let filtered = ogrinfo(&[
        "-ro",
        "-q",
        "-spat",
        "30",
        "44",
        "40.5",
        "52.5",
        "-oo",
        "PAGE_SIZE=5",
        &base,
        "events",
    ]);
    let in_box = all
        .iter()
        .filter(|f| {
            let (x, y) = point(f);
            (30.0..=40.5).contains(&x) && (44.0..=52.5).contains(&y)
        })
        .count();
    assert!(filtered.matches("OGRFeature(events):").count() >= in_box);

    // The three exports, read back by GDAL with the right counts and field types.
    for (format, file) in
        [("geojson", "events.geojson"), ("csv", "events.csv"), ("gpkg", "events.gpkg")]
    {
        let (status, body) = http(port, "GET", &format!("/api/export.{format}"), &[], b"");
        assert_eq!(status, 200);
        let path = dir.join(file);
        std::fs::write(&path, &body).unwrap();
        let path = path.to_str().unwrap();
        let summary = if format == "csv" {
            ogrinfo(&[
                "-ro",
                "-so",
                "-al",
                "-oo",
                "X_POSSIBLE_NAMES=longitude",
                "-oo",
                "Y_POSSIBLE_NAMES=latitude",
                "-oo",
                "AUTODETECT_TYPE=YES",
                path,
            ])
        } else {
            ogrinfo(&["-ro", "-so", "-al", path])
        };
        assert_eq!(feature_count(&summary), total as usize, "{format}: {summary}");
        for field in ["date: Date", "fatalities: Integer", "confidence: Real", "event_type: String"]
        {
            assert!(summary.contains(field), "{format} lacks {field:?}: {summary}");
        }
        if format != "csv" {
            assert!(summary.contains("Geometry: Point"), "{format}: {summary}");
        }
    }
    // The same filters apply to the exports.
    let (_, body) = http(port, "GET", &format!("/api/export.geojson?event_type={kind}"), &[], b"");
    let export: Value = serde_json::from_slice(&body).unwrap();
    assert!(export["features"].as_array().unwrap().len() >= of_kind.len());
}

#[test]
fn a_kill_in_the_middle_of_an_ingest_leaves_every_committed_article_whole() {
    if !slow_tests_enabled() {
        return;
    }
    let binary = root().join("target/release/borderwatch");
    assert!(
        binary.exists(),
        "RUN_SLOW_TESTS is set but {} is missing: run make build",
        binary.display()
    );
    let dir = scratch("kill");
    // Many distinct articles, built from the samples' bodies.
    let mut bodies = Vec::new();
    for entry in std::fs::read_dir(root().join("examples/articles")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "txt") {
            let input =
                server::ingest::parse_text_file("x", &std::fs::read_to_string(&path).unwrap());
            bodies.push((input.text, input.published));
        }
    }
    let n = 4000;
    let mut jsonl = String::new();
    for i in 0..n {
        let (text, published) = &bodies[i % bodies.len()];
        let record =
            serde_json::json!({ "text": format!("{text}\nReport {i}."), "published": published });
        jsonl.push_str(&record.to_string());
        jsonl.push('\n');
    }
    let input = dir.join("batch.jsonl");
    std::fs::write(&input, jsonl).unwrap();
    let gazetteer = root().join("data/gazetteer.bin");
    let ingest = |db: &Path| {
        let mut command = Command::new(&binary);
        command.args(["ingest", "--db"]).arg(db).arg("--gazetteer").arg(&gazetteer).arg(&input);
        command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        command
    };

    let db = dir.join("killed.sqlite");
    let mut child = ingest(&db).spawn().unwrap();
    let started = std::time::Instant::now();
    let mut seen = 0;
    while seen < 100 {
        assert!(started.elapsed().as_secs() < 120, "the ingest stored nothing in two minutes");
        std::thread::sleep(std::time::Duration::from_millis(20));
        if let Ok(store) = store::SqliteStore::open(&db) {
            seen = store.totals().map(|t| t.articles).unwrap_or(0);
        }
    }
    child.kill().unwrap(); // SIGKILL: no clean-up runs.
    child.wait().unwrap();

    let store = store::SqliteStore::open(&db).unwrap();
    let conn = store.connection();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(check, "ok");
    let killed_at = store.totals().unwrap().articles;
    assert!(killed_at < n as u64, "the kill came after the end; make the batch bigger");
    // Every stored article has its events and every event its sources: nothing half-written.
    let orphans: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_sources s WHERE s.event_rid = e.rid))
                  + (SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM events_rtree r WHERE r.rid = e.rid))
                  + (SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM event_sources s WHERE s.article_id = a.id))",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "half-written rows after the kill");
    drop(store);

    // Restarting finishes the batch; the result equals an uninterrupted run.
    assert!(ingest(&db).status().unwrap().success());
    let clean = dir.join("clean.sqlite");
    assert!(ingest(&clean).status().unwrap().success());
    let resumed = store::SqliteStore::open(&db).unwrap().totals().unwrap();
    let uninterrupted = store::SqliteStore::open(&clean).unwrap().totals().unwrap();
    assert_eq!(resumed.articles, n as u64);
    assert_eq!(resumed, uninterrupted);
}
