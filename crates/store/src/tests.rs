//! The store on an in-memory database: idempotent ingest, merging, filters, the near
//! query, full-text safety, reprocessing and the exports.

use super::*;

fn event(id: &str, kind: &str, place: &str, lat: f64, lon: f64, date: &str) -> extract::Event {
    extract::Event {
        id: id.to_owned(),
        event_type: match kind {
            "shelling" => "shelling",
            "explosion" => "explosion",
            _ => "other",
        },
        acled_event_type: "Explosions/Remote violence",
        acled_sub_event_type: "Shelling/artillery/missile attack",
        actor1: Some("Russian forces"),
        actor2: None,
        date: date.to_owned(),
        date_precision: 1,
        place: place.to_owned(),
        place_name: place.to_owned(),
        geonameid: Some(1),
        admin1: None,
        country_code: "UA".to_owned(),
        lon,
        lat,
        geo_precision: 1,
        fatalities: Some(2),
        injured: None,
        claimed: false,
        confidence: 0.8,
        evidence: format!("Shelling hit «{place}»."),
        evidence_start: 2,
        evidence_end: 20,
        evidence_spans: vec![(2, 20)],
    }
}

fn article(text: &str) -> NewArticle<'_> {
    NewArticle {
        text,
        title: Some("t"),
        url: Some("https://example.org/a"),
        published: Some("2023-12-30"),
        publisher: None,
    }
}

#[test]
fn same_text_twice_changes_nothing() {
    let mut store = SqliteStore::in_memory().unwrap();
    let events = [event("a1", "shelling", "Belgorod", 50.6, 36.6, "2023-12-30")];
    let first = store.add_article(&article("Text one."), &events).unwrap();
    assert!(matches!(first, Ingested::Added { new_events: 1, merged_events: 0, .. }));
    let again = store.add_article(&article("  Text one.\r\n"), &events).unwrap();
    assert!(matches!(again, Ingested::Duplicate { .. }));
    assert_eq!(store.totals().unwrap(), Totals { articles: 1, events: 1 });
    assert_eq!(store.schema_version().unwrap(), 2);
    assert!(!store.seen("feed", "item").unwrap());
    store.remember("feed", "item").unwrap();
    store.remember("feed", "item").unwrap();
    assert!(store.seen("feed", "item").unwrap());
}

#[test]
fn reports_of_one_event_merge_and_list_every_source() {
    let mut store = SqliteStore::in_memory().unwrap();
    store
        .add_article(
            &article("First."),
            &[event("a1", "shelling", "Belgorod", 50.6, 36.6, "2023-12-30")],
        )
        .unwrap();
    // 3 km away, same type and day: the same event.
    let second = store
        .add_article(
            &article("Second."),
            &[event("b1", "shelling", "Belgorod", 50.62, 36.62, "2023-12-30")],
        )
        .unwrap();
    assert!(matches!(second, Ingested::Added { new_events: 0, merged_events: 1, .. }));
    // Another day, another type, or 40 km away: new events.
    store
        .add_article(
            &article("Third."),
            &[
                event("c1", "shelling", "Belgorod", 50.6, 36.6, "2023-12-31"),
                event("c2", "explosion", "Belgorod", 50.6, 36.6, "2023-12-30"),
                event("c3", "shelling", "Shebekino", 50.9, 36.9, "2023-12-30"),
            ],
        )
        .unwrap();
    assert_eq!(store.totals().unwrap().events, 4);
    let (merged, sources) = store.event("a1").unwrap().unwrap();
    assert_eq!(merged.report_count, 2);
    assert_eq!(sources.len(), 2);
    assert_eq!(store.event("b1").unwrap(), None);
    // Both sentences are searchable.
    let filter = Filter { text: Some("«Belgorod»".to_owned()), ..Filter::default() };
    assert_eq!(store.count(&filter).unwrap(), 3);
}

#[test]
fn filters_and_near_query() {
    let mut store = SqliteStore::in_memory().unwrap();
    let events = [
        event("kyiv", "shelling", "Kyiv", 50.45, 30.52, "2022-10-10"),
        event("belgorod", "explosion", "Belgorod", 50.6, 36.6, "2023-12-30"),
        event("brovary", "shelling", "Brovary", 50.51, 30.79, "2022-10-11"),
    ];
    store.add_article(&article("One article."), &events).unwrap();
    let params = |query: &'static str| {
        Filter::from_params(query.split('&').filter_map(|pair| pair.split_once('='))).unwrap()
    };
    assert_eq!(store.count(&params("bbox=30,50,31,51")).unwrap(), 2);
    assert_eq!(store.count(&params("datetime=2022-10-11T00:00:00Z/..")).unwrap(), 2);
    assert_eq!(store.count(&params("datetime=2022-10-10T23:30:00-02:00")).unwrap(), 1);
    assert_eq!(store.count(&params("event_type=explosion")).unwrap(), 1);
    assert_eq!(store.count(&params("actor=russian forces&country=ua")).unwrap(), 3);
    let page = store.events(&Filter::default(), 2, 1).unwrap();
    assert_eq!(page.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["brovary", "kyiv"]);
    let near = store.near(50.45, 30.52, 50.0, 10, &Filter::default()).unwrap();
    assert_eq!(near.iter().map(|(e, _)| e.id.as_str()).collect::<Vec<_>>(), ["kyiv", "brovary"]);
    assert!(near[0].1 < 0.01);
    assert!((near[1].1 - 19.8).abs() < 1.0, "Kyiv to Brovary is about 20 km: {}", near[1].1);
    let stats = store.stats(&Filter::default()).unwrap();
    assert_eq!(stats.len(), 3);
}

#[test]
fn bad_filter_parameters_name_themselves() {
    for (query, parameter) in [
        ("bbox", "1,2,3"),
        ("bbox", "0,95,10,96"),
        ("bbox", "0,50,10,40"),
        ("datetime", "yesterday"),
        ("datetime", "2022-02-30T00:00:00Z"),
        ("datetime", "2022-10-08T25:00:00Z"),
        ("datetime", "2023-01-01/2022-01-01"),
        ("event_type", "picnic"),
        ("country", "Ukraine"),
        ("min_confidence", "2"),
    ] {
        let err = Filter::from_params([(query, parameter)]).unwrap_err();
        assert_eq!(err.parameter, query, "{parameter}");
    }
}

#[test]
fn fts_text_is_never_syntax() {
    let mut store = SqliteStore::in_memory().unwrap();
    store
        .add_article(&article("x"), &[event("a", "shelling", "Kyiv", 50.45, 30.52, "2022-10-10")])
        .unwrap();
    for q in ["\"", "NEAR(", "a OR", "*", "-x", "evidence:"] {
        let filter = Filter { text: Some(q.to_owned()), ..Filter::default() };
        assert!(store.count(&filter).is_ok(), "{q}");
    }
}

#[test]
fn reprocess_rebuilds_events_from_articles() {
    let mut store = SqliteStore::in_memory().unwrap();
    store
        .add_article(&article("x"), &[event("a", "shelling", "Kyiv", 50.45, 30.52, "2022-10-10")])
        .unwrap();
    let totals = store
        .reprocess(&mut |stored| {
            assert_eq!(stored.text, "x");
            vec![
                event("a2", "shelling", "Kyiv", 50.45, 30.52, "2022-10-10"),
                event("b2", "explosion", "Kyiv", 50.45, 30.52, "2022-10-10"),
            ]
        })
        .unwrap();
    assert_eq!(totals, Totals { articles: 1, events: 2 });
    assert_eq!(store.near(50.45, 30.52, 1.0, 10, &Filter::default()).unwrap().len(), 2);
}

#[test]
fn exports_write_every_event() {
    let mut store = SqliteStore::in_memory().unwrap();
    store
        .add_article(
            &article("x"),
            &[
                event("a", "shelling", "Kyiv, \"centre\"", 50.45, 30.52, "2022-10-10"),
                event("b", "shelling", "Lviv", 49.84, 24.03, "2022-10-10"),
            ],
        )
        .unwrap();
    let mut geojson = Vec::new();
    assert_eq!(export::write_geojson(&store, &Filter::default(), &mut geojson).unwrap(), 2);
    let parsed: serde_json::Value = serde_json::from_slice(&geojson).unwrap();
    assert_eq!(parsed["features"].as_array().unwrap().len(), 2);
    assert_eq!(parsed["features"][0]["id"], "a", "exports go in storage order");
    assert_eq!(parsed["features"][0]["geometry"]["coordinates"][0], 30.52);
    let mut csv = Vec::new();
    assert_eq!(export::write_csv(&store, &Filter::default(), &mut csv).unwrap(), 2);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("\"Kyiv, \"\"centre\"\"\""), "{csv}");
    let blob = export::gpkg_point(30.5, 50.4);
    assert_eq!(&blob[..2], b"GP");
    assert_eq!(blob.len(), 8 + 21);
}
