//! One test suite for both stores: every test of [`both_backends!`] runs on an in-memory
//! SQLite database and on a PostgreSQL schema of its own (idempotent ingest, merging,
//! filters, paging, the near query, full-text search, reprocessing, the exports), then the
//! PostgreSQL store's own: migrations, concurrent writers, copies between the stores.
//!
//! PostgreSQL comes from `BORDERWATCH_TEST_PG` (a server URL; `tests/pg/cluster.sh run cargo
//! test` starts a throwaway one, as `make test` does). Without it the PostgreSQL half says
//! SKIPPED, unless `RUN_SLOW_TESTS` is set, when it fails: CI never skips it.

use super::*;
use crate::postgres::MIGRATION_LOCK;

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

fn same_text_twice_changes_nothing(store: &mut dyn EventStore) {
    let events = [event("a1", "shelling", "Belgorod", 50.6, 36.6, "2023-12-30")];
    let first = store.add_article(&article("Text one."), &events).unwrap();
    assert!(matches!(first, Ingested::Added { new_events: 1, merged_events: 0, .. }));
    let again = store.add_article(&article("  Text one.\r\n"), &events).unwrap();
    assert!(matches!(again, Ingested::Duplicate { .. }));
    assert_eq!(store.totals().unwrap(), Totals { articles: 1, events: 1 });
    assert!(!store.seen("feed", "item").unwrap());
    store.remember("feed", "item").unwrap();
    store.remember("feed", "item").unwrap();
    assert!(store.seen("feed", "item").unwrap());
}

fn reports_of_one_event_merge_and_list_every_source(store: &mut dyn EventStore) {
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

fn filters_and_near_query(store: &mut dyn EventStore) {
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

fn fts_text_is_never_syntax(store: &mut dyn EventStore) {
    store
        .add_article(&article("x"), &[event("a", "shelling", "Kyiv", 50.45, 30.52, "2022-10-10")])
        .unwrap();
    for q in ["\"", "NEAR(", "a OR", "*", "-x", "evidence:"] {
        let filter = Filter { text: Some(q.to_owned()), ..Filter::default() };
        assert!(store.count(&filter).is_ok(), "{q}");
    }
}

fn reprocess_rebuilds_events_from_articles(store: &mut dyn EventStore) {
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
    // A rebuild that leaves the counts as they were still tells caches that it happened.
    let before = store.generation().unwrap();
    let totals = store
        .reprocess(&mut |_| {
            vec![
                event("a3", "protest", "Kyiv", 50.45, 30.52, "2022-10-10"),
                event("b3", "explosion", "Kyiv", 50.45, 30.52, "2022-10-10"),
            ]
        })
        .unwrap();
    assert_eq!(totals, Totals { articles: 1, events: 2 });
    assert_eq!(store.generation().unwrap(), before + 1);
}

fn exports_write_every_event(store: &mut dyn EventStore) {
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
    assert_eq!(export::write_geojson(&*store, &Filter::default(), &mut geojson).unwrap(), 2);
    let parsed: serde_json::Value = serde_json::from_slice(&geojson).unwrap();
    assert_eq!(parsed["features"].as_array().unwrap().len(), 2);
    assert_eq!(parsed["features"][0]["id"], "a", "exports go in storage order");
    assert_eq!(parsed["features"][0]["geometry"]["coordinates"][0], 30.52);
    let mut csv = Vec::new();
    assert_eq!(export::write_csv(&*store, &Filter::default(), &mut csv).unwrap(), 2);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("\"Kyiv, \"\"centre\"\"\""), "{csv}");
    let blob = export::gpkg_point(30.5, 50.4);
    assert_eq!(&blob[..2], b"GP");
    assert_eq!(blob.len(), 8 + 21);
}

fn full_text_search_matches_the_same_words(store: &mut dyn EventStore) {
    let mut a = event("a", "shelling", "Belgorod", 50.6, 36.6, "2023-12-30");
    a.evidence = "Shelling hit «Belgorod» on 2023-12-30, Kyiv's mayor said on example.org; \
                  Russian-occupied naïve Йосип ZAPORIŻŻIA"
        .to_owned();
    let mut b = event("b", "shelling", "Запоріжжя", 47.8, 35.2, "2023-12-29");
    b.evidence = "Обстріл Запоріжжя ёлка".to_owned();
    store.add_article(&article("search"), &[a, b]).unwrap();
    for (q, expected) in [
        ("belgorod", 1),
        ("«BELGOROD»", 1),
        ("12", 1),
        ("org", 1),
        ("occupied", 1),
        ("kyiv's", 1),
        ("Kyiv s", 1),
        ("s Kyiv", 1),
        ("'s kyiv'", 1),
        ("naive", 1),
        ("zaporizzia", 1),
        ("йосип", 1),
        ("иосип", 0),
        ("елка", 0),
        ("ёлка", 1),
        ("запоріжжя", 1),
        ("belgorod *", 1),
        ("*", 0),
        ("«»", 0),
        ("belgorod запоріжжя", 0),
        ("shelling", 1),
        ("hit belgorod", 1),
        ("mayor belgorod kyiv", 1),
        ("said example", 1),
        ("example.org", 1),
        ("orgs", 0),
    ] {
        let filter = Filter { text: Some(q.to_owned()), ..Filter::default() };
        assert_eq!(store.count(&filter).unwrap(), expected, "q={q:?}");
    }
}

fn ties_break_by_insertion_and_pages_do_not_overlap(store: &mut dyn EventStore) {
    let events: Vec<extract::Event> = (0..25)
        .map(|i| {
            let date = if i % 2 == 0 { "2022-03-01" } else { "2022-03-02" };
            // Far apart, so that none merge; three share one point for the near query.
            let (lat, lon) = if i < 3 { (48.0, 37.8) } else { (44.0 + i as f64 * 0.5, 24.0) };
            event(&format!("e{i:02}"), "shelling", "P", lat, lon, date)
        })
        .collect();
    store.add_article(&article("many"), &events[..12]).unwrap();
    store.add_article(&article("more"), &events[12..]).unwrap();
    let all: Vec<String> =
        store.events(&Filter::default(), 100, 0).unwrap().into_iter().map(|e| e.id).collect();
    let mut expected: Vec<(String, usize)> =
        events.iter().enumerate().map(|(i, e)| (e.date.clone(), i)).collect();
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<String> = expected.iter().map(|(_, i)| format!("e{i:02}")).collect();
    assert_eq!(all, expected, "newest first, later stored first within a day");
    let mut paged = Vec::new();
    for offset in (0..25).step_by(7) {
        paged
            .extend(store.events(&Filter::default(), 7, offset).unwrap().into_iter().map(|e| e.id));
    }
    assert_eq!(paged, all);
    let mut points = Vec::new();
    store.each_point(&Filter::default(), &mut |point| points.push(point.id)).unwrap();
    assert_eq!(points, all);
    let mut unordered = Vec::new();
    store.each_point_unordered(&Filter::default(), &mut |point| unordered.push(point.id)).unwrap();
    unordered.sort();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(unordered, sorted, "the same events in some order");
    let mut stored = Vec::new();
    store
        .each_event(&Filter::default(), &mut |event| {
            stored.push(event.id.clone());
            Ok(())
        })
        .unwrap();
    assert_eq!(stored, events.iter().map(|e| e.id.clone()).collect::<Vec<_>>());
    // Equal distances rank by insertion; a limit cuts there.
    let near = store.near(48.0, 37.8, 1.0, 2, &Filter::default()).unwrap();
    assert_eq!(near.iter().map(|(e, _)| e.id.as_str()).collect::<Vec<_>>(), ["e00", "e01"]);
    assert_eq!(store.count(&Filter::default()).unwrap(), 25);
}

fn the_map_index_holds_what_the_filter_matches(store: &mut dyn EventStore) {
    let events: Vec<extract::Event> = (0..40)
        .map(|i| {
            let kind = if i % 3 == 0 { "protest" } else { "shelling" };
            let date = format!("2023-05-{:02}", 1 + i % 20);
            let mut event = event(
                &format!("m{i:02}"),
                kind,
                "P",
                46.0 + i as f64 * 0.2,
                30.0 + i as f64 * 0.3,
                &date,
            );
            if i % 4 == 0 {
                event.actor1 = Some("Belarusian forces");
            }
            event
        })
        .collect();
    store.add_article(&article("map index"), &events).unwrap();
    let filter = Filter::from_params([
        ("actor", "belarusian forces"),
        ("event_type", "shelling"),
        ("datetime", "2023-05-05T00:00:00Z/.."),
    ])
    .unwrap();
    let (base, selection) = crate::mapindex::Selection::split(&filter);
    let index = crate::mapindex::MapIndex::build(store, &base).unwrap();
    assert_eq!(index.len() as u64, store.count(&base).unwrap());
    assert_eq!(index.count(&selection) as u64, store.count(&filter).unwrap());
    assert!(index.count(&selection) > 0);
    // Counts per day and type as the store makes them, when no actor is asked for.
    let by_day = Filter { actors: Vec::new(), ..filter };
    let (base, selection) = crate::mapindex::Selection::split(&by_day);
    let everything = crate::mapindex::MapIndex::build(store, &base).unwrap();
    assert_eq!(everything.day_counts(&selection).unwrap(), store.stats(&by_day).unwrap());
    let all = crate::mapindex::Selection::default();
    assert_eq!(everything.day_counts(&all).unwrap(), store.stats(&Filter::default()).unwrap());
}

fn boxes_radii_and_sides_are_exact(store: &mut dyn EventStore) {
    let mut east = event("east", "shelling", "E", 65.0, 179.5, "2022-01-01");
    east.actor1 = Some("Wagner Group");
    let west = event("west", "explosion", "W", 65.0, -179.5, "2022-01-01");
    let edge = event("edge", "other", "Edge", 50.0, 30.0, "2022-01-02");
    store.add_article(&article("edges"), &[east, west, edge]).unwrap();
    let params = |query: &str| {
        Filter::from_params(query.split('&').filter_map(|pair| pair.split_once('='))).unwrap()
    };
    // Across the antimeridian, and boundaries inclusive.
    assert_eq!(store.count(&params("bbox=179,60,-179,70")).unwrap(), 2);
    assert_eq!(store.count(&params("bbox=30,50,31,51")).unwrap(), 1);
    assert_eq!(store.count(&params("bbox=30.000001,50,31,51")).unwrap(), 0);
    assert_eq!(store.count(&params("actor=wagner group")).unwrap(), 1);
    assert_eq!(store.count(&params("actor=WAGNER GROUP,nobody")).unwrap(), 1);
    assert_eq!(store.count(&params("country=ua&min_confidence=0.8")).unwrap(), 3);
    assert_eq!(store.count(&params("min_confidence=0.81")).unwrap(), 0);
    assert_eq!(store.count(&params("datetime=2022-01-02")).unwrap(), 1);
    // Near across the antimeridian; the 1 km circle around 30,50 holds only the point itself.
    let near = store.near(65.0, 180.0, 50.0, 10, &Filter::default()).unwrap();
    assert_eq!(near.len(), 2, "{near:?}");
    let km = distance_km(50.0, 30.0, 50.009, 30.0);
    assert_eq!(store.near(50.009, 30.0, km + 0.0001, 10, &Filter::default()).unwrap().len(), 1);
    assert_eq!(store.near(50.009, 30.0, km - 0.0001, 10, &Filter::default()).unwrap().len(), 0);
    assert_eq!(
        store.near(65.0, 179.5, 10.0, 10, &params("event_type=explosion")).unwrap().len(),
        0
    );
    // Stats in date, then type order (byte order of the names).
    let stats = store.stats(&Filter::default()).unwrap();
    let keys: Vec<(&str, &str)> =
        stats.iter().map(|d| (d.date.as_str(), d.event_type.as_str())).collect();
    assert_eq!(
        keys,
        [("2022-01-01", "explosion"), ("2022-01-01", "shelling"), ("2022-01-02", "other")]
    );
    let extent = store.extent().unwrap().unwrap();
    assert_eq!(extent.bbox, [-179.5, 50.0, 179.5, 65.0]);
    assert_eq!(extent.dates, ("2022-01-01".to_owned(), "2022-01-02".to_owned()));
    let (one, sources) = store.event("edge").unwrap().unwrap();
    assert_eq!((one.lat, one.lon, one.report_count, sources.len()), (50.0, 30.0, 1, 1));
    assert_eq!(one.source_url.as_deref(), Some("https://example.org/a"));
    assert_eq!(one.published_at.as_deref(), Some("2023-12-30"));
}

/// A small xorshift generator: the same events and queries every run.
struct Random(u64);

impl Random {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.unit() * items.len() as f64) as usize % items.len()]
    }
}

/// The near query and a box as GeoJSON, on random events (clusters on one point, merges,
/// the antimeridian, a pole) and random filters, answer exactly what the events table
/// answers when read in full and measured one by one: the same features, in the same
/// order, at the same distances.
fn map_queries_answer_as_the_events_table_does(store: &mut dyn EventStore) {
    let mut random = Random(0x0DDB_1A5E_5EED_2024);
    let towns = [(50.45, 30.52), (48.0, 37.8), (65.0, 179.99), (65.0, -179.99), (89.9, 10.0)];
    let kinds = ["shelling", "explosion", "other"];
    let actors = [Some("Russian forces"), Some("Wagner Group"), Some("Ukrainian forces"), None];
    let countries = ["UA", "RU", "BY"];
    let words = ["drone", "artillery", "bridge", "village"];
    let mut made: Vec<extract::Event> = Vec::new();
    for article_n in 0..40 {
        let mut events = Vec::new();
        for i in 0..12 {
            let (lat, lon) = match (random.unit() * 4.0) as u32 {
                // On a town's very point, or a repeat of an earlier event (a merge when another
                // article reports it), or anywhere in the region.
                0 => *random.pick(&towns[..]),
                1 if !made.is_empty() => {
                    let earlier = random.pick(&made).clone();
                    events.push(extract::Event { id: format!("m{article_n}-{i}"), ..earlier });
                    continue;
                }
                _ => (44.0 + 12.0 * random.unit(), 22.0 + 23.0 * random.unit()),
            };
            let date = format!(
                "2023-0{}-1{}",
                1 + (random.unit() * 3.0) as u32,
                (random.unit() * 9.0) as u32
            );
            let kind = *random.pick(&kinds[..]);
            let mut e = event(&format!("e{article_n}-{i}"), kind, "P", lat, lon, &date);
            e.actor1 = *random.pick(&actors[..]);
            e.actor2 = *random.pick(&actors[..]);
            e.country_code = (*random.pick(&countries[..])).to_owned();
            e.confidence = (0.3 + 0.7 * random.unit()) as f32;
            e.fatalities = (random.unit() < 0.5).then(|| (random.unit() * 9.0) as u32);
            e.evidence = format!("A {} near {article_n}.", random.pick(&words[..]));
            events.push(e);
        }
        made.extend(events.iter().cloned());
        let text = format!("Article {article_n}.");
        store.add_article(&article(&text), &events).unwrap();
    }
    let mut filters = vec![Filter::default()];
    for _ in 0..40 {
        let mut filter = Filter::default();
        if random.unit() < 0.5 {
            let (lon, lat) = (20.0 + 30.0 * random.unit(), 42.0 + 16.0 * random.unit());
            filter.bbox = Some([lon, lat, lon + 8.0 * random.unit(), lat + 6.0 * random.unit()]);
        }
        if random.unit() < 0.3 {
            filter.date_from = Some("2023-02-01".to_owned());
        }
        if random.unit() < 0.3 {
            filter.event_types = vec![(*random.pick(&kinds[..])).to_owned()];
        }
        if random.unit() < 0.2 {
            filter.actors = vec!["wagner group".to_owned()];
        }
        if random.unit() < 0.2 {
            filter.countries = vec!["UA".to_owned(), "BY".to_owned()];
        }
        if random.unit() < 0.2 {
            filter.min_confidence = Some(0.6);
        }
        if random.unit() < 0.2 {
            filter.text = Some((*random.pick(&words[..])).to_owned());
        }
        filters.push(filter);
    }
    filters.push(Filter { bbox: Some([179.0, 60.0, -179.0, 70.0]), ..Filter::default() });
    filters.push(Filter { bbox: Some([-180.0, -90.0, 180.0, 90.0]), ..Filter::default() });
    filters.push(Filter { bbox: Some([30.52, 50.45, 30.52, 50.45]), ..Filter::default() });
    // Halves of the region: boxes that hold many of the events (pages read by date).
    filters.push(Filter { bbox: Some([20.0, 40.0, 33.0, 60.0]), ..Filter::default() });
    filters.push(Filter {
        bbox: Some([33.0, 40.0, 50.0, 50.0]),
        event_types: vec!["shelling".to_owned()],
        ..Filter::default()
    });
    for filter in &filters {
        // Every matching event, in storage order, as the events table has it.
        let mut all: Vec<StoredEvent> = Vec::new();
        store
            .each_event(filter, &mut |event| {
                all.push(event.clone());
                Ok(())
            })
            .unwrap();
        let mut features = Vec::new();
        let count = store
            .each_feature(filter, &mut |feature| {
                features.push(feature.to_owned());
                Ok(())
            })
            .unwrap();
        let expected: Vec<String> = all.iter().map(export::feature_text).collect();
        assert_eq!(count as usize, expected.len(), "{filter:?}");
        assert_eq!(features, expected, "{filter:?}");
        // Counts and newest-first pages, whichever way the store reads them.
        assert_eq!(store.count(filter).unwrap() as usize, all.len(), "{filter:?}");
        let mut newest: Vec<(&str, usize)> =
            all.iter().enumerate().map(|(at, e)| (e.date.as_str(), at)).collect();
        newest.sort_by(|a, b| b.cmp(a));
        for (limit, offset) in [(7, 0), (7, 5), (1000, 0), (3, 400)] {
            let page: Vec<String> =
                store.events(filter, limit, offset).unwrap().into_iter().map(|e| e.id).collect();
            let expected: Vec<String> =
                newest.iter().skip(offset).take(limit).map(|&(_, at)| all[at].id.clone()).collect();
            assert_eq!(page, expected, "page {limit}+{offset} of {filter:?}");
            let (together, matched) = store.page(filter, limit, offset).unwrap();
            assert_eq!(together.into_iter().map(|e| e.id).collect::<Vec<_>>(), expected);
            assert_eq!(matched as usize, all.len());
        }
        // The last circle ends exactly on a town where events are.
        let edge = distance_km(towns[0].0, towns[0].1, towns[1].0, towns[1].1);
        for query in 0..7 {
            let (lat, lon) = match (random.unit() * 3.0) as u32 {
                _ if query == 6 => towns[0],
                0 => *random.pick(&towns[..]),
                _ => (44.0 + 12.0 * random.unit(), 22.0 + 23.0 * random.unit()),
            };
            let radius = match query {
                6 => edge,
                _ => *random.pick(&[0.5, 5.0, 25.0, 300.0, 20_000.0]),
            };
            let limit = *random.pick(&[1, 3, 10, 100, 1000]);
            let mut nearest: Vec<(f64, usize)> = all
                .iter()
                .enumerate()
                .map(|(at, e)| (distance_km(lat, lon, e.lat, e.lon), at))
                .filter(|&(km, _)| km <= radius)
                .collect();
            nearest.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            nearest.truncate(limit);
            let expected: Vec<(String, f64)> =
                nearest.iter().map(|&(km, at)| (export::feature_text(&all[at]), km)).collect();
            let context = format!("near {lat},{lon} {radius} km, {limit} at most, {filter:?}");
            let found = store.near_features(lat, lon, radius, limit, filter).unwrap();
            assert_eq!(found, expected, "{context}");
            let events = store.near(lat, lon, radius, limit, filter).unwrap();
            let ids: Vec<(&str, f64)> = events.iter().map(|(e, km)| (e.id.as_str(), *km)).collect();
            let expected_ids: Vec<(&str, f64)> =
                nearest.iter().map(|&(km, at)| (all[at].id.as_str(), km)).collect();
            assert_eq!(ids, expected_ids, "{context}");
        }
    }
    // Merges happened, and their features carry the new counts.
    assert!(store.count(&Filter::default()).unwrap() < made.len() as u64);
    let merged = store.events(&Filter::default(), 10_000, 0).unwrap();
    assert!(merged.iter().any(|e| e.report_count > 1));
}

fn empty_store_answers_empty(store: &mut dyn EventStore) {
    assert_eq!(store.extent().unwrap(), None);
    assert_eq!(store.totals().unwrap(), Totals { articles: 0, events: 0 });
    assert!(store.events(&Filter::default(), 10, 0).unwrap().is_empty());
    assert!(store.near(50.0, 30.0, 20_000.0, 10, &Filter::default()).unwrap().is_empty());
    assert_eq!(store.find_article("nothing").unwrap(), None);
    assert_eq!(store.event("nothing").unwrap(), None);
}

/// A fresh PostgreSQL schema for one test, or `None` (said loudly) without a server.
fn postgres_store(test: &str) -> Option<PostgresStore> {
    let url = postgres_url(test)?;
    Some(PostgresStore::connect(&url).unwrap())
}

#[expect(clippy::print_stderr, reason = "a skipped test must say so loudly")]
fn postgres_url(test: &str) -> Option<String> {
    let Ok(base) = std::env::var("BORDERWATCH_TEST_PG") else {
        assert!(
            std::env::var_os("RUN_SLOW_TESTS").is_none(),
            "RUN_SLOW_TESTS is set but BORDERWATCH_TEST_PG is not: run the tests through \
             `tests/pg/cluster.sh run cargo test` (make test does)"
        );
        eprintln!(
            "SKIPPED: {test} on PostgreSQL needs BORDERWATCH_TEST_PG (`tests/pg/cluster.sh run cargo test`; make test does)"
        );
        return None;
    };
    let schema = format!("store_{test}_{}", std::process::id());
    let mut admin = ::postgres::Client::connect(&base, ::postgres::NoTls).unwrap();
    // One statement a transaction: the extension is committed before the lock is let go.
    for sql in [
        format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"),
        "CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public".to_owned(),
        format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"),
        format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
        format!("CREATE SCHEMA {schema}"),
    ] {
        admin.batch_execute(&sql).unwrap();
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{separator}options=-c%20search_path%3D{schema}%2Cpublic"))
}

/// Generates one `#[test]` per backend for each suite function.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&mut crate::SqliteStore::in_memory().unwrap());
                }
            )*
        }
        mod on_postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(mut store) = super::postgres_store(stringify!($name)) {
                        super::$name(&mut store);
                    }
                }
            )*
        }
    };
}

both_backends!(
    same_text_twice_changes_nothing,
    reports_of_one_event_merge_and_list_every_source,
    filters_and_near_query,
    fts_text_is_never_syntax,
    reprocess_rebuilds_events_from_articles,
    exports_write_every_event,
    full_text_search_matches_the_same_words,
    ties_break_by_insertion_and_pages_do_not_overlap,
    boxes_radii_and_sides_are_exact,
    the_map_index_holds_what_the_filter_matches,
    map_queries_answer_as_the_events_table_does,
    empty_store_answers_empty,
);

/// The ids the near query finds around 50°N 30°E.
fn near_ids(store: &SqliteStore) -> Vec<String> {
    let found = store.near(50.0, 30.0, 100.0, 10, &Filter::default()).unwrap();
    let features = store.near_features(50.0, 30.0, 100.0, 10, &Filter::default()).unwrap();
    assert_eq!(found.len(), features.len());
    found.into_iter().map(|(event, _)| event.id).collect()
}

#[test]
fn connections_to_one_file_share_its_points_and_keep_their_snapshots() {
    let dir = std::env::temp_dir().join(format!("store-points-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("events.sqlite");
    let mut writer = SqliteStore::open(&path).unwrap();
    let reader = SqliteStore::open(&path).unwrap();
    assert!(near_ids(&reader).is_empty());
    let a = event("a", "shelling", "A", 50.0, 30.0, "2022-03-01");
    writer.add_article(&article("one"), std::slice::from_ref(&a)).unwrap();
    assert_eq!(near_ids(&reader), ["a"], "another connection's commit is seen");
    // A reader in an older snapshot, while the shared points move past it.
    let old = SqliteStore::open(&path).unwrap();
    old.connection().execute_batch("BEGIN").unwrap();
    assert_eq!(near_ids(&old), ["a"]);
    let b = event("b", "shelling", "B", 50.01, 30.0, "2022-03-02");
    writer.add_article(&article("two"), &[b]).unwrap();
    assert_eq!(near_ids(&reader), ["a", "b"]);
    assert_eq!(near_ids(&writer), ["a", "b"], "a connection sees its own commits");
    assert_eq!(near_ids(&old), ["a"], "points past the snapshot are not seen");
    // A reprocess is a new generation of events, with rids counted anew.
    writer
        .reprocess(&mut |stored| {
            let id = if stored.text == "one" { "c" } else { "d" };
            let date = format!("2022-03-0{}", 2 + stored.id);
            vec![event(id, "shelling", id, 50.0 + 0.02 * stored.id as f64, 30.0, &date)]
        })
        .unwrap();
    assert_eq!(near_ids(&reader), ["c", "d"]);
    assert_eq!(near_ids(&old), ["a"], "an older generation is read from a copy of its own");
    old.connection().execute_batch("COMMIT").unwrap();
    assert_eq!(near_ids(&old), ["c", "d"]);
    drop((writer, reader, old));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn schema_versions_are_recorded() {
    assert_eq!(SqliteStore::in_memory().unwrap().schema_version().unwrap(), 4);
    // The whole file is read through a memory map: SQLite's 2 GB default ceiling is lifted
    // at build time (.cargo/config.toml), or a large store's map tables would be read().
    let dir = std::env::temp_dir().join(format!("store-mmap-{}", std::process::id()));
    let store = SqliteStore::open(&dir.join("events.sqlite")).unwrap();
    let mapped: i64 =
        store.connection().pragma_query_value(None, "mmap_size", |row| row.get(0)).unwrap();
    assert_eq!(mapped, 1 << 40);
    let page: i64 =
        store.connection().pragma_query_value(None, "page_size", |row| row.get(0)).unwrap();
    assert_eq!(page, 8192, "a new file has 8 KiB pages");
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
    let Some(url) = postgres_url("schema_versions") else { return };
    // Two processes' worth of first connections at once: one migrates, the other waits.
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                PostgresStore::connect(&url).unwrap().schema_version().unwrap()
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), 2);
    }
}

#[test]
fn concurrent_writers_merge_one_event_once() {
    let Some(url) = postgres_url("concurrent_writers") else { return };
    // Eight writers, 30 rounds: in each, every writer stores its own article reporting the
    // round's two new events, all at once (a barrier), then the round's shared article.
    // Without the merge lock, writers that miss each other's uncommitted events each insert
    // one; without the unique hash, the shared article is stored eight times.
    let (writers, rounds) = (8, 30);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(writers));
    let threads: Vec<_> = (0..writers)
        .map(|writer| {
            let (url, barrier) = (url.clone(), std::sync::Arc::clone(&barrier));
            std::thread::spawn(move || {
                let mut store = PostgresStore::connect(&url).unwrap();
                for round in 0..rounds {
                    let date = extract::Date::new(2022, 1, 1).unwrap().add_days(round).to_string();
                    let events = [
                        event(
                            &format!("a{writer}-{round}"),
                            "shelling",
                            "Kyiv",
                            50.45,
                            30.52,
                            &date,
                        ),
                        event(
                            &format!("b{writer}-{round}"),
                            "explosion",
                            "Kyiv",
                            50.45,
                            30.52,
                            &date,
                        ),
                    ];
                    barrier.wait();
                    store
                        .add_article(&article(&format!("Report {writer}-{round}.")), &events)
                        .unwrap();
                    barrier.wait();
                    let shared =
                        [event(&format!("s{round}"), "shelling", "Kyiv", 50.45, 30.52, &date)];
                    store
                        .add_article(&article(&format!("Shared report {round}.")), &shared)
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let store = PostgresStore::connect(&url).unwrap();
    let (writers, rounds) = (writers as u64, rounds as u64);
    assert_eq!(
        store.totals().unwrap(),
        Totals { articles: rounds * (writers + 1), events: rounds * 2 }
    );
    for event in store.events(&Filter::default(), 1000, 0).unwrap() {
        let expected = if event.event_type == "shelling" { writers + 1 } else { writers };
        assert_eq!(event.report_count as u64, expected, "{}", event.id);
    }
}

#[test]
fn a_copy_to_postgres_and_back_loses_nothing() {
    let Some(url) = postgres_url("copy_round_trip") else { return };
    let dir = std::env::temp_dir().join(format!("store-copy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let first = dir.join("first.sqlite");
    let mut store = SqliteStore::open(&first).unwrap();
    reports_of_one_event_merge_and_list_every_source(&mut store);
    let mut special = event("n", "shelling", "Запоріжжя", 47.8, 35.2, "2023-12-29");
    special.evidence = "Kyiv's naïve «Belgorod» report".to_owned();
    store.add_article(&article("special"), &[special.clone()]).unwrap();
    special.id = "m".to_owned();
    store.add_article(&article("special again"), &[special]).unwrap();
    store.remember("https://example.org/feed", "item-1").unwrap();
    drop(store);
    let to_postgres =
        transfer::copy(&Location::parse(first.to_str().unwrap()), &Location::parse(&url)).unwrap();
    assert_eq!(to_postgres.from, to_postgres.to);
    assert_eq!(to_postgres.to.articles.rows, 5);
    assert_eq!(to_postgres.to.events.rows, 5);
    assert_eq!(to_postgres.to.sources.rows, 7);
    assert_eq!(to_postgres.to.feed_items.rows, 1);
    // A second copy into the same store is refused, and changes nothing.
    let again = transfer::copy(&Location::parse(first.to_str().unwrap()), &Location::parse(&url));
    assert!(matches!(again, Err(StoreError::Refused(_))), "{again:?}");
    let back = dir.join("back.sqlite");
    let to_sqlite =
        transfer::copy(&Location::parse(&url), &Location::parse(back.to_str().unwrap())).unwrap();
    assert_eq!(to_sqlite.to, to_postgres.from, "SQLite -> PostgreSQL -> SQLite is the identity");
    // The copies answer alike, searches included; new writes continue the ids.
    let mut copied = PostgresStore::connect(&url).unwrap();
    let original = SqliteStore::open(&back).unwrap();
    let first = SqliteStore::open(&first).unwrap();
    for q in ["belgorod", "«Belgorod»", "kyiv's", "naive", "запоріжжя", "shebekino", "report"]
    {
        let filter = Filter { text: Some(q.to_owned()), ..Filter::default() };
        let counts = (
            first.count(&filter).unwrap(),
            copied.count(&filter).unwrap(),
            original.count(&filter).unwrap(),
        );
        assert_eq!(counts.0, counts.1, "{q}: {counts:?}");
        assert_eq!(counts.0, counts.2, "{q}: {counts:?}");
    }
    let added = copied
        .add_article(
            &article("After the copy."),
            &[event("z", "other", "X", 10.0, 10.0, "2020-01-01")],
        )
        .unwrap();
    assert!(matches!(added, Ingested::Added { article_id: 6, new_events: 1, .. }), "{added:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn urls_and_paths_are_told_apart_and_passwords_hidden() {
    assert!(Location::parse("postgres://u:p@h/db").is_postgres());
    assert!(Location::parse("PostgreSQL://h/db").is_postgres());
    assert!(!Location::parse("data/borderwatch.sqlite").is_postgres());
    assert!(!Location::parse("postgres.sqlite").is_postgres());
    assert_eq!(
        redact_url("postgres://bw:s3cr%40t@db.example:5432/events"),
        "postgres://bw:***@db.example:5432/events"
    );
    assert_eq!(
        redact_url("postgresql://bw@h/db?password=x&sslmode=disable"),
        "postgresql://bw@h/db?password=***&sslmode=disable"
    );
    assert_eq!(redact_url("postgres://h"), "postgres://h");
    let location = Location::parse("postgres://bw:hunter2@127.0.0.1:1/db");
    assert_eq!(
        format!("{location} {location:?}"),
        "postgres://bw:***@127.0.0.1:1/db Location(postgres://bw:***@127.0.0.1:1/db)"
    );
    // A server that is not there: a clear error naming the URL, no password.
    let err = connect(&location).err().unwrap();
    let message = err.to_string();
    assert!(message.starts_with("cannot open postgres://bw:***@127.0.0.1:1/db: "), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
    assert!(err.is_unavailable());
    let err = connect(&Location::parse("postgres://bw:hunter2@[::1")).err().unwrap().to_string();
    assert!(!err.contains("hunter2"), "{err}");
}
