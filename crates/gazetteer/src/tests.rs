//! Unit tests of the gazetteer on the hand-picked rows in `tests/data/gazetteer`.

use std::sync::OnceLock;

use approx::assert_relative_eq;
use proptest::prelude::*;

use crate::normalize::{fold, skeleton};
use crate::{
    CountryCode, Diagnostic, Gazetteer, GazetteerBuilder, LookupContext, PlaceKind, Resolution,
};

const MINI: &str = include_str!("../../../tests/data/gazetteer/mini.tsv");
const MINI_ADMIN1: &str = include_str!("../../../tests/data/gazetteer/mini_admin1.json");
const MINI_CURATED: &str = include_str!("../../../tests/data/gazetteer/mini_curated.tsv");
const MINI_DEMONYMS: &str = include_str!("../../../tests/data/gazetteer/mini_demonyms.tsv");
const MINI_WORDS: &str = include_str!("../../../tests/data/gazetteer/mini_words.json");

fn build() -> (Gazetteer, Vec<Diagnostic>) {
    let mut builder = GazetteerBuilder::new();
    builder.add_geonames("mini.tsv", MINI.as_bytes());
    builder.add_natural_earth_admin1("mini_admin1.json", MINI_ADMIN1.as_bytes());
    builder.add_curated("mini_curated.tsv", MINI_CURATED.as_bytes());
    builder.add_demonyms("mini_demonyms.tsv", MINI_DEMONYMS.as_bytes());
    builder.add_common_words("mini_words.json", MINI_WORDS.as_bytes());
    builder.build()
}

fn mini() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| build().0)
}

/// The best candidate for `name` with no context, as `Name (CC) id via how`.
#[track_caller]
fn check(name: &str, expect: &str) {
    check_in(name, &LookupContext::border_region(), expect);
}

#[track_caller]
fn check_in(name: &str, context: &LookupContext, expect: &str) {
    assert_eq!(best_of(mini(), name, context), expect, "lookup of {name:?}");
}

/// The best candidate for `name`, as `Name (CC) id via how`.
fn best_of(gazetteer: &Gazetteer, name: &str, context: &LookupContext) -> String {
    match gazetteer.lookup(name, context).first() {
        Some(best) => format!(
            "{} ({}) {} via {:?}",
            best.place.name,
            best.place.country,
            best.place.stable_id(),
            best.how
        ),
        None => "nothing".to_owned(),
    }
}

#[test]
fn ukrainian_and_russian_romanizations_meet() {
    check("Kyiv", "Kyiv (UA) geonames:703448 via Name");
    check("Kiev", "Kyiv (UA) geonames:703448 via AlternateName");
    check("Kharkov", "Kharkiv (UA) geonames:706483 via AlternateName");
    check("Gorlovka", "Horlivka (UA) geonames:707753 via AlternateName");
    check("Avdeyevka", "Avdiivka (UA) geonames:713122 via AlternateName");
    check("Krasnogorovka", "Krasnohorivka (UA) geonames:704393 via AlternateName");
    check("Yasinovataya", "Yasynuvata (UA) geonames:688373 via AlternateName");
    check("Shakhtersk", "Shakhtarsk (UA) geonames:694382 via AlternateName");
    check("Marinka", "Mar'yinka (UA) geonames:701845 via AlternateName");
    check("Mariinka", "Mar'yinka (UA) geonames:701845 via AlternateName");
    check("Mar'inka", "Mar'yinka (UA) geonames:701845 via AlternateName");
    check("Khmelnytsky", "Khmelnytskyi (UA) geonames:706369 via Variant");
    check("Zaporozhye", "Zaporizhzhya (UA) geonames:687700 via AlternateName");
    check("Zaporizhia", "Zaporizhzhya (UA) geonames:687700 via Variant");
    check("Zaporizhzhia", "Zaporizhzhya (UA) geonames:687700 via AlternateName");
    check("Dnepropetrovsk", "Dnipro (UA) geonames:709930 via AlternateName");
    check("Lysychans'k", "Lysychansk (UA) geonames:702972 via Name");
}

#[test]
fn spellings_missing_from_geonames_meet_through_the_skeleton() {
    check("Iasynuvata", "Yasynuvata (UA) geonames:688373 via Variant");
    check("Krasnohorovka", "Krasnohorivka (UA) geonames:704393 via Variant");
    check("Khmelnitskiy", "Khmelnytskyi (UA) geonames:706369 via AlternateName");
}

#[test]
fn cyrillic_names_resolve() {
    check("Харків", "Kharkiv (UA) geonames:706483 via Name");
    check("Горлівка", "Horlivka (UA) geonames:707753 via AlternateName");
    check("Белгород", "Belgorod (RU) geonames:578072 via Name");
    check("Крымский мост", "Kerch Bridge (UA) curated:feature-kerch-bridge via AlternateName");
}

#[test]
fn typos_one_edit_away_resolve_but_common_words_and_short_names_do_not() {
    check("Belogorod", "Belgorod (RU) geonames:578072 via Typo");
    check("Kharkiw", "Kharkiv (UA) geonames:706483 via Variant");
    check("Horlivkaa", "Horlivka (UA) geonames:707753 via Variant");
    check("Bwlgorod", "Belgorod (RU) geonames:578072 via Typo");
    // "station" is a common English word: no fuzzy guesses for it.
    check("station", "nothing");
    // Surnames: "Peskov" shares Pskov's consonants but not its syllables.
    check("Peskov", "nothing");
}

#[test]
fn regions_answer_with_their_designator_and_cities_without() {
    check("Donetsk", "Donetsk (UA) geonames:709717 via Name");
    check("Donetsk Oblast", "Donets'k (UA) geonames:709716 via AlternateName");
    check("the Donetsk region", "nothing");
    check("Donetsk region", "Donets'k (UA) geonames:709716 via AlternateName");
    check("Belgorod region", "Belgorod (RU) geonames:578071 via AlternateName");
    check("Belgorod", "Belgorod (RU) geonames:578072 via Name");
    check("Donbass", "Donbas (UA) curated:area-donbas via AlternateName");
}

#[test]
fn a_curated_row_with_a_known_geonames_id_adds_names_not_a_place() {
    // The fixture's row gives GeoNames' Donetsk a name of its own and a point of (0, 0).
    check("Testograd", "Donetsk (UA) geonames:709717 via AlternateName");
    // A row whose country is not the place's adds nothing (and is reported).
    check("Testovsk", "nothing");
    let towns: Vec<_> = mini()
        .lookup("Donetsk", &LookupContext::none())
        .into_iter()
        .filter(|candidate| candidate.place.kind == PlaceKind::Populated)
        .collect();
    assert_eq!(towns.len(), 1, "one town Donetsk, not two: {towns:?}");
    assert!(towns[0].place.lat > 47.0, "GeoNames' point stays: {:?}", towns[0].place);
}

#[test]
fn crimea_belongs_to_ukraine_as_the_un_recognizes() {
    check("Crimea", "Crimea (UA) geonames:703883 via AlternateName");
}

#[test]
fn a_country_name_never_resolves_to_a_town() {
    check("Russia", "Russia (RU) curated:country-ru via Name");
    let candidates = mini().lookup("Russia", &LookupContext::none());
    assert!(
        candidates.iter().all(|candidate| candidate.place.kind == crate::PlaceKind::Country),
        "{candidates:?}"
    );
    check("Russian", "Russia (RU) curated:country-ru via Demonym");
}

#[test]
fn ambiguity_is_a_value_and_context_settles_it() {
    let gazetteer = mini();
    match gazetteer.resolve("Avdiivka", &LookupContext::border_region()) {
        Resolution::Ambiguous(candidates) => {
            let admin1: Vec<&str> =
                candidates.iter().map(|candidate| candidate.place.admin1.as_str()).collect();
            assert_eq!(admin1, ["05", "02"]);
        }
        other => panic!("expected ambiguity, got {other:?}"),
    }
    let ua = CountryCode::parse("UA").unwrap();
    let mut context = LookupContext::border_region();
    context.admin1.push((ua, "02".to_owned()));
    check_in("Avdiivka", &context, "Avdiivka (UA) geonames:713120 via Name");
    let mut context = LookupContext::border_region();
    context.near = vec![geo::Point::new(31.3, 51.5)];
    check_in("Avdiivka", &context, "Avdiivka (UA) geonames:713120 via Name");
    assert!(matches!(gazetteer.resolve("Kharkiv", &LookupContext::none()), Resolution::Unique(_)));
    assert!(matches!(gazetteer.resolve("Atlantis", &LookupContext::none()), Resolution::NotFound));
}

#[test]
fn the_rank_explains_itself() {
    let candidates = mini().lookup("Moscow", &LookupContext::none());
    assert_eq!(candidates.len(), 2);
    assert_eq!(candidates[0].place.country.as_str(), "RU");
    assert!(candidates[0].rank.population > candidates[1].rank.population);
    let explained = candidates[0].explain();
    assert!(explained.starts_with("Name \"Moscow\" (+3.00), population 10381222"), "{explained}");
}

#[test]
fn bad_queries_get_no_candidates_and_no_panic() {
    let gazetteer = mini();
    for query in ["", "   ", "\u{0}Kyiv", "Kyiv\n", "\u{fffd}\u{fffd}", "'''", "---"] {
        assert!(gazetteer.lookup(query, &LookupContext::none()).is_empty(), "{query:?}");
    }
    let huge = "Kyiv ".repeat(100_000);
    assert!(gazetteer.lookup(&huge, &LookupContext::none()).is_empty());
    let lossy = String::from_utf8_lossy(b"Khark\xffiv");
    let _ = gazetteer.lookup(&lossy, &LookupContext::none());
}

#[test]
fn malformed_rows_are_reported_with_source_and_line() {
    let (gazetteer, diagnostics) = build();
    let rendered: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(rendered.join("\n"), @r#"
    mini.tsv:27: expected 19 columns, found 1
    mini.tsv:28: bad latitude "not-a-lat"
    mini_admin1.json:0: feature 4: no two-letter country code
    mini_curated.tsv:6: bad lat "north"
    mini_curated.tsv:9: geonameid 709717 is Donetsk in "UA", not a populated place in "RU"; names not added
    mini_demonyms.tsv:4: no country or curated place XX for demonym "Martian"
    "#);
    // Five curated places: the row that names GeoNames' Donetsk adds none.
    assert_eq!(gazetteer.len(), 26 + 4 + 5);
}

#[test]
fn nearest_and_within_use_great_circle_distance() {
    let gazetteer = mini();
    let kharkiv = geo::Point::new(36.25, 49.98);
    let nearest = gazetteer.nearest(kharkiv, 2, |_| true);
    assert_eq!(nearest[0].place.name, "Kharkiv");
    assert!(nearest[0].meters < 2_000.0);
    let within = gazetteer.within(kharkiv, 50_000.0);
    assert_eq!(within.len(), 1);
    let within = gazetteer.within(kharkiv, 100_000.0);
    let names: Vec<&str> = within.iter().map(|nearby| nearby.place.name.as_str()).collect();
    assert_eq!(names, ["Kharkiv", "Belgorod"]);
    assert!(within.windows(2).all(|pair| pair[0].meters <= pair[1].meters));
}

#[test]
fn reverse_lookup_works_across_the_antimeridian() {
    let gazetteer = mini();
    // Just east of the antimeridian; Levuka lies west of it at 179.3 E.
    let point = geo::Point::new(-179.9, -17.7);
    let nearest = gazetteer.nearest(point, 2, |_| true);
    let names: Vec<&str> = nearest.iter().map(|nearby| nearby.place.name.as_str()).collect();
    assert_eq!(names, ["Levuka", "Tubou"]);
    assert_relative_eq!(nearest[0].meters, 92_400.0, max_relative = 0.01);
}

#[test]
fn a_snapshot_loads_back_to_the_same_gazetteer() {
    let gazetteer = mini();
    let mut bytes = Vec::new();
    gazetteer.write_snapshot(&mut bytes).unwrap();
    let loaded = Gazetteer::from_reader(bytes.as_slice()).unwrap();
    assert_eq!(loaded.len(), gazetteer.len());
    for ((_, a), (_, b)) in loaded.places().zip(gazetteer.places()) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.geonameid, b.geonameid);
    }
    let before = gazetteer.lookup("Gorlovka", &LookupContext::none());
    let after = loaded.lookup("Gorlovka", &LookupContext::none());
    assert_eq!(before[0].place, after[0].place);
    assert!(loaded.is_common_word("Bay"));

    let truncated = Gazetteer::from_reader(&bytes[..bytes.len() / 2]);
    assert!(matches!(truncated, Err(crate::Error::Corrupt { .. })));
    let garbage = Gazetteer::from_reader(&b"not a snapshot at all"[..]);
    assert!(matches!(garbage, Err(crate::Error::Corrupt { .. })));
}

#[test]
fn folding_keeps_letters_and_drops_marks() {
    assert_eq!(fold("Charków"), "charkow");
    assert_eq!(fold("Rostov-on-Don"), "rostov on don");
    assert_eq!(fold("Lysychans’k"), "lysychansk");
    assert_eq!(fold("Зaпоріжжя"), "zaporizhzhya");
    assert_eq!(fold("Білгород-Дністровський"), "bilgorod dnistrovskiy");
    assert_eq!(skeleton("horlivka"), skeleton("gorlovka"));
    assert_eq!(skeleton("avdiivka"), skeleton("avdeyevka"));
    assert_eq!(skeleton("zaporizhzhia"), skeleton("zaporozhye"));
    assert_eq!(skeleton("vuhledar"), skeleton("ugledar"));
    assert_eq!(skeleton("yasynuvata"), skeleton("yasinovataya"));
}

#[test]
fn edit_hashes_equal_hashes_of_the_edited_keys() {
    use crate::index::{EditHasher, KeySpace, key_hash};
    let key = b"belgorod";
    let edits = EditHasher::new(key);
    let hash = |text: &str| key_hash(KeySpace::Exact, text.as_bytes());
    assert_eq!(edits.delete(0), hash("elgorod"));
    assert_eq!(edits.delete(7), hash("belgoro"));
    assert_eq!(edits.substitute(3, b'x'), hash("belxorod"));
    assert_eq!(edits.insert(0, b'a'), hash("abelgorod"));
    assert_eq!(edits.insert(8, b's'), hash("belgorods"));
    assert_eq!(edits.insert(3, b'o'), hash("belogorod"));
    assert_eq!(edits.transpose(0), hash("eblgorod"));
    assert_eq!(edits.transpose(6), hash("belgordo"));
}

proptest! {
    #[test]
    fn no_query_panics(query in any::<String>()) {
        let gazetteer = mini();
        let _ = gazetteer.lookup(&query, &LookupContext::none());
        let _ = gazetteer.resolve(&query, &LookupContext::border_region());
        let key = fold(&query);
        let _ = skeleton(&key);
    }

    #[test]
    fn no_point_panics(lon in any::<f64>(), lat in any::<f64>(), radius in any::<f64>()) {
        let gazetteer = mini();
        let _ = gazetteer.nearest(geo::Point::new(lon, lat), 3, |_| true);
        let _ = gazetteer.within(geo::Point::new(lon, lat), radius);
    }

    #[test]
    fn no_snapshot_bytes_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Gazetteer::from_reader(bytes.as_slice());
    }
}

const MINI_DUMP: &str = include_str!("../../../tests/data/gazetteer/mini_dump.tsv");

/// One KATOTTG row: the codes from the oblast down, the category and the name.
fn katottg(line: usize, codes: &[&str], category: &str, name: &str) -> crate::KatottgRow {
    let mut levels: [String; 5] = Default::default();
    for (level, code) in levels.iter_mut().zip(codes) {
        *level = (*code).to_owned();
    }
    crate::KatottgRow { line, levels, category: category.to_owned(), name: name.to_owned() }
}

/// The mini gazetteer with the rows of a full country dump and a few KATOTTG rows.
fn build_full() -> (Gazetteer, crate::DumpReport, crate::KatottgReport, Vec<Diagnostic>) {
    let mut builder = GazetteerBuilder::new();
    builder.add_geonames("mini.tsv", MINI.as_bytes());
    builder.add_natural_earth_admin1("mini_admin1.json", MINI_ADMIN1.as_bytes());
    let dump = builder.add_geonames_dump("mini_dump.tsv", MINI_DUMP.as_bytes());
    // Rows of the codifier's edition of 2026-07-07, and three made up (marked) for the cases
    // it has no example of in this raion.
    const OBLAST: &str = "UA23000000000064947";
    const RAION: &str = "UA23100000000034132";
    const TOKMAK: &str = "UA23100270000073418";
    const POLOHY: &str = "UA23100190000020018";
    let rows = vec![
        katottg(5, &[OBLAST], "O", "Запорізька"),
        katottg(6, &[OBLAST, RAION], "P", "Пологівський"),
        katottg(7, &[OBLAST, RAION, TOKMAK], "H", "Токмацька "),
        katottg(8, &[OBLAST, RAION, TOKMAK, "UA23100270150025192"], "C", "Роботине"),
        katottg(9, &[OBLAST, RAION, POLOHY], "H", "Пологівська "),
        // The raion's town, which the mini dump does not have.
        katottg(10, &[OBLAST, RAION, POLOHY, "UA23100190010032690"], "M", "Пологи"),
        katottg(11, &[OBLAST, RAION, "UA23100110000028240", "UA23100110130034362"], "C", "Степове"),
        // Made up: a second Степове in the raion, so that the one GeoNames place of that
        // name there (687366) is claimed twice and joined to neither.
        katottg(12, &[OBLAST, RAION, POLOHY, "UA23100190990000001"], "C", "Степове"),
        // Made up: a village GeoNames does not have.
        katottg(13, &[OBLAST, RAION, TOKMAK, "UA23100270990000002"], "C", "Новий Світ"),
        // Made up: a row with no proper code.
        katottg(14, &["UA"], "C", "Безкодове"),
    ];
    let report = builder.add_katottg("kodifikator.xlsx", rows);
    let (gazetteer, diagnostics) = builder.build();
    (gazetteer, dump, report, diagnostics)
}

fn full() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| build_full().0)
}

#[test]
fn a_full_dump_adds_villages_and_districts_and_is_checked_against_the_table() {
    let (gazetteer, dump, _, diagnostics) = build_full();
    assert_eq!(dump.rows, 23);
    // Populated places, the three oblasts and four districts; a stream left out, one row broken.
    assert_eq!((dump.taken, dump.other_features, dump.bad_rows), (21, 1, 1));
    assert!(!dump.not_a_dump);
    assert_eq!(dump.countries, [CountryCode::parse("UA").unwrap()]);
    // Avdiivka is spelt Avdiyivka by the dump; Horlivka moved by 0.05°.
    assert_eq!((dump.in_table, dump.renamed, dump.moved), (2, 1, 1));
    let rendered: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.source == "mini_dump.tsv")
        .map(ToString::to_string)
        .collect();
    insta::assert_snapshot!(rendered.join("\n"), @r#"
    mini_dump.tsv:20: geonameid 713122: the GeoNames table has Avdiivka at 48.13989,37.74255, the dump Avdiyivka at 48.14019,37.75008; the dump's is kept
    mini_dump.tsv:21: geonameid 707753: the GeoNames table has Horlivka at 48.33576,38.05325, the dump Horlivka at 48.29986,38.01709; the dump's is kept
    mini_dump.tsv:23: bad latitude "north"
    "#);
    // The old spelling still finds the town, now under the dump's name and point.
    let avdiivka = gazetteer.lookup("Avdiivka", &LookupContext::border_region());
    assert!(
        avdiivka.iter().any(|c| c.place.geonameid == Some(713122) && c.place.name == "Avdiyivka")
    );
    // A village cities500 never had, and a district by the forms news write.
    check_full("Dzerkalne", "Dzerkalne (UA) geonames:9291424 via Name");
    check_full("Pokrovsk district", "Pokrovsk Raion (UA) geonames:704417 via AlternateName");
    assert!(gazetteer.lookup("Vovcha", &LookupContext::none()).is_empty(), "streams are left out");
}

#[track_caller]
fn check_full(name: &str, expect: &str) {
    assert_eq!(
        best_of(full(), name, &LookupContext::border_region()),
        expect,
        "lookup of {name:?}"
    );
}

#[test]
fn a_file_that_is_no_geonames_dump_is_reported_and_takes_nothing() {
    let mut builder = GazetteerBuilder::new();
    let report =
        builder.add_geonames_dump("readme.txt", "GeoNames readme\nthe data is ...\n".as_bytes());
    assert!(report.not_a_dump);
    assert_eq!((report.rows, report.taken), (1, 0));
    assert_eq!(builder.n_places(), 0);
    insta::assert_snapshot!(builder.diagnostics()[0].to_string(), @"readme.txt:1: not a GeoNames dump (expected 19 columns, found 1); file skipped");
}

#[test]
fn katottg_gives_official_names_raions_and_hromadas_and_never_guesses() {
    let (gazetteer, _, report, diagnostics) = build_full();
    assert_eq!((report.rows, report.settlements, report.bad_rows), (10, 5, 1));
    assert_eq!((report.joined, report.unmatched, report.ambiguous), (1, 2, 2));
    let rendered: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.source == "kodifikator.xlsx")
        .map(ToString::to_string)
        .collect();
    insta::assert_snapshot!(rendered.join("\n"), @r#"
    kodifikator.xlsx:10: M Пологи (UA23100190010032690): no GeoNames place of that name in its raion; not joined
    kodifikator.xlsx:11: C Степове (UA23100110130034362): the GeoNames places of that name in its raion (geonames 687366) are named by several settlements or not clearly nearest its hromada; not joined
    kodifikator.xlsx:12: C Степове (UA23100190990000001): the GeoNames places of that name in its raion (geonames 687366) are named by several settlements or not clearly nearest its hromada; not joined
    kodifikator.xlsx:13: C Новий Світ (UA23100270990000002): no GeoNames place of that name in its raion; not joined
    kodifikator.xlsx:14: bad code "UA" or empty name
    "#);
    let robotyne = &gazetteer.lookup("Роботине", &LookupContext::none())[0];
    let place = robotyne.place;
    assert_eq!(place.name, "Robotyne");
    assert_eq!(gazetteer.katottg(robotyne.id).as_deref(), Some("UA23100270150025192"));
    assert_eq!(gazetteer.katottg_units(robotyne.id), (Some("Polohivskyi"), Some("Tokmatska")));
    // The district takes the name of its town, as news write it.
    let raion = gazetteer.admin2_of(place).unwrap();
    assert_eq!(raion.name, "Polohy Raion");
    assert_eq!(gazetteer.lookup("Polohivskyi district", &LookupContext::none())[0].place, raion);
}

#[test]
fn ukrainian_names_are_romanized_by_the_national_system() {
    use crate::normalize::romanize_ukrainian;
    for (name, official) in [
        ("Роботине", "Robotyne"),
        ("Слов'янськ", "Sloviansk"),
        ("Запоріжжя", "Zaporizhzhia"),
        ("Ізюм", "Izium"),
        ("Київ", "Kyiv"),
        ("Юрківка", "Yurkivka"),
        ("Мар'їнка", "Marinka"),
        ("Згурівка", "Zghurivka"),
        ("Нова Збур'ївка", "Nova Zburivka"),
        ("Єнакієве", "Yenakiieve"),
        ("Гуляйполе", "Huliaipole"),
        ("Красногорівка", "Krasnohorivka"),
        ("Щасливе", "Shchaslyve"),
        ("Козачі Лагері", "Kozachi Laheri"),
    ] {
        assert_eq!(romanize_ukrainian(name), official, "{name}");
    }
}

#[test]
fn a_region_written_beside_a_name_settles_its_namesakes() {
    let gazetteer = full();
    let region = |name: &str| {
        let best = gazetteer.lookup(name, &LookupContext::border_region())[0].place;
        gazetteer.within_of(best).unwrap()
    };
    let best_within = |name: &str, within: Vec<crate::Within>| {
        let mut context = LookupContext::border_region();
        context.within = within;
        gazetteer.lookup(name, &context)[0].place.geonameid
    };
    // Three Piskys; the one of the oblast named beside it wins, whatever the others' size.
    assert_eq!(best_within("Pisky", vec![region("Kharkiv Oblast")]), Some(697500));
    assert_eq!(best_within("Pisky", vec![region("Donetsk region")]), Some(9113066));
    // Two Stepoves in Zaporizhzhia oblast: the raion tells them apart.
    let zaporizhzhia = region("Zaporizhzhia Oblast");
    assert_eq!(best_within("Stepove", vec![zaporizhzhia, region("Polohy raion")]), Some(687366));
    // A historical district (no town's code names it) holds the villages around its point.
    assert_eq!(best_within("Dzerkalne", vec![region("Amvrosiivka Raion")]), Some(9291424));
    // A town names its oblast: "Vovchansk, Kharkiv".
    let kharkiv_city = gazetteer.lookup("Kharkiv", &LookupContext::none())[0].place;
    assert_eq!(kharkiv_city.feature_code, "PPLA");
    let mut context = LookupContext::border_region();
    context.within = vec![gazetteer.within_of(kharkiv_city).unwrap()];
    assert_eq!(gazetteer.lookup("Myrne", &context)[0].place.admin1, "07");
}
