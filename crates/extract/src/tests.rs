//! Unit tests of the geoparser on the hand-picked gazetteer rows in `tests/data/gazetteer`.

use std::sync::OnceLock;

use gazetteer::{Gazetteer, GazetteerBuilder};
use proptest::prelude::*;

use crate::{Article, Role, geoparse};

/// The mini gazetteer's sources, then `more` of them.
fn build_mini(more: impl FnOnce(&mut GazetteerBuilder)) -> Gazetteer {
    let mut builder = GazetteerBuilder::new();
    builder.add_geonames(
        "mini.tsv",
        include_str!("../../../tests/data/gazetteer/mini.tsv").as_bytes(),
    );
    builder.add_natural_earth_admin1(
        "mini_admin1.json",
        include_str!("../../../tests/data/gazetteer/mini_admin1.json").as_bytes(),
    );
    builder.add_demonyms(
        "mini_demonyms.tsv",
        include_str!("../../../tests/data/gazetteer/mini_demonyms.tsv").as_bytes(),
    );
    more(&mut builder);
    builder.build().0
}

fn mini() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| {
        build_mini(|builder| {
            builder.add_curated(
                "mini_curated.tsv",
                include_str!("../../../tests/data/gazetteer/mini_curated.tsv").as_bytes(),
            );
            builder.add_common_words(
                "mini_words.json",
                include_str!("../../../tests/data/gazetteer/mini_words.json").as_bytes(),
            );
        })
    })
}

/// Every mention as `surface/role/place id`, with offsets checked against the text.
#[track_caller]
fn check(text: &str, expect: &[&str]) {
    let mentions = geoparse(mini(), &Article { text, title: None, published: None });
    let actual: Vec<String> = mentions
        .iter()
        .map(|mention| {
            assert_eq!(
                &text[mention.start..mention.end],
                mention.text,
                "offsets must slice back to the surface form"
            );
            let place = mention.place.as_ref().map_or("unresolved", |place| place.id.as_str());
            let boilerplate = if mention.boilerplate { "/boilerplate" } else { "" };
            format!("{}/{:?}/{place}{boilerplate}", mention.text, mention.role)
        })
        .collect();
    assert_eq!(actual, expect, "in {text:?}");
}

#[test]
fn metonyms_demonyms_and_literal_places_are_told_apart() {
    check(
        "Moscow has accused Kyiv of sending helicopters to attack facilities in Belgorod. Russian troops moved on.",
        &[
            "Moscow/Metonym/geonames:524901",
            "Kyiv/Metonym/geonames:703448",
            "Belgorod/Literal/geonames:578072",
            "Russian/Demonym/curated:country-ru",
        ],
    );
    check(
        "Kiev-backed forces shelled Gorlovka.",
        &["Kiev/Metonym/geonames:703448", "Gorlovka/Literal/geonames:707753"],
    );
}

#[test]
fn multi_word_names_and_regions_are_one_mention() {
    check(
        "Drones hit the Belgorod region and the Kerch Bridge, officials in Donetsk Oblast said.",
        &[
            "Belgorod region/Literal/geonames:578071",
            "Kerch Bridge/Literal/curated:feature-kerch-bridge",
            "Donetsk Oblast/Literal/geonames:709716",
        ],
    );
    check("Shelling near Horlivka's outskirts.", &["Horlivka/Literal/geonames:707753"]);
}

#[test]
fn people_outlets_and_calendar_words_are_not_places() {
    check("Kremlin spokesman Dmitry Peskov spoke to the Kyiv Post on Friday.", &[]);
    check("Spokesman Pskov said nothing.", &[]);
    check("A station near the bay.", &[]);
}

#[test]
fn unknown_names_with_a_designator_are_reported_unresolved() {
    check("Fighting in the Zzyzx region continued.", &["Zzyzx region/Literal/unresolved"]);
}

#[test]
fn boilerplate_mentions_are_marked() {
    check(
        "Troops in Kharkiv (Image: Reuters Moscow) waited.\nAlso Read: Moscow news\n",
        &[
            "Kharkiv/Literal/geonames:706483",
            "Moscow/Literal/geonames:524901/boilerplate",
            "Moscow/Literal/geonames:524901/boilerplate",
        ],
    );
}

#[test]
fn huge_repetitive_and_empty_articles_do_not_break_it() {
    check("", &[]);
    let repeated = "Kharkiv ".repeat(20_000);
    let mentions = geoparse(mini(), &Article { text: &repeated, title: None, published: None });
    assert_eq!(mentions.len(), 20_000);
    let one_line = "x".repeat(1 << 20);
    assert!(
        geoparse(mini(), &Article { text: &one_line, title: None, published: None }).is_empty()
    );
    assert_eq!(Role::Literal, mentions[0].role);
}

proptest! {
    #[test]
    fn no_text_panics_and_offsets_stay_on_char_boundaries(text in any::<String>()) {
        let mentions = geoparse(mini(), &Article { text: &text, title: None, published: None });
        for mention in mentions {
            prop_assert!(text.get(mention.start..mention.end).is_some());
        }
    }

    #[test]
    fn place_like_text_never_panics(words in proptest::collection::vec("(Kyiv|Kharkiv|Moscow|region|U\\.S\\.|St\\.|'s|said|-| |\\.|Dmitry|[A-Z][a-z]{0,8})", 0..40)) {
        let text = words.join(" ");
        let mentions = geoparse(mini(), &Article { text: &text, title: None, published: None });
        for mention in mentions {
            prop_assert!(text.get(mention.start..mention.end).is_some());
        }
    }
}

/// Every event as `type@place date/precision actors fatalities`, with the evidence slicing
/// back to a sentence of the text.
#[track_caller]
fn check_events(text: &str, published: &str, expect: &[&str]) {
    let article = Article { text, title: None, published: crate::Date::parse(published) };
    let events = crate::events(mini(), &article);
    let actual: Vec<String> = events
        .iter()
        .map(|event| {
            assert_eq!(&text[event.evidence_start..event.evidence_end], event.evidence);
            format!(
                "{}@{} {}/{} {:?}/{:?} killed={:?} injured={:?} claimed={} geo={}",
                event.event_type,
                event.place_name,
                event.date,
                event.date_precision,
                event.actor1,
                event.actor2,
                event.fatalities,
                event.injured,
                event.claimed,
                event.geo_precision
            )
        })
        .collect();
    assert_eq!(actual, expect, "in {text:?}");
}

#[test]
fn events_are_typed_located_and_dated_from_their_sentence() {
    // 2022-04-02 was a Saturday: "on Friday" is 2022-04-01.
    check_events(
        "Moscow has accused Kyiv of sending helicopters to attack facilities in Belgorod on Friday.",
        "2022-04-02",
        &[
            // The accused side is the one that attacked, as the allegation has it.
            "air_drone_strike@Belgorod 2022-04-01/1 Some(\"Ukrainian forces\")/Some(\"Russian forces\") killed=None injured=None claimed=true geo=1",
        ],
    );
    check_events(
        "Russian artillery shelled the outskirts of Kharkiv yesterday, killing three people and wounding 12.",
        "2024-01-09",
        &[
            "shelling@Kharkiv 2024-01-08/1 Some(\"Russian forces\")/None killed=Some(3) injured=Some(12) claimed=false geo=2",
        ],
    );
}

#[test]
fn troop_counts_are_not_casualties_and_countries_are_not_event_places() {
    check_events(
        "At least 12,000 Russian troops massed near Belgorod. Troops moved in Ukraine.",
        "2014-08-04",
        &[
            "troop_movement@Belgorod 2014-08-04/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=2",
        ],
    );
}

#[test]
fn impossible_dates_are_not_invented() {
    check_events(
        "Shelling hit Donetsk on February 30.",
        "2015-03-10",
        &["shelling@Donetsk 2015-03-10/1 None/None killed=None injured=None claimed=false geo=1"],
    );
    check_events("A quiet day in Kyiv with no news.", "2015-03-10", &[]);
}

proptest! {
    #[test]
    fn no_text_or_date_makes_the_event_extractor_panic(text in any::<String>(), days in -100_000i64..100_000) {
        let published = Some(crate::Date::from_days(days));
        let events = crate::events(mini(), &Article { text: &text, title: None, published });
        for event in events {
            prop_assert!(text.get(event.evidence_start..event.evidence_end).is_some());
        }
    }

    #[test]
    fn the_rules_of_places_and_dates_never_panic(words in proptest::collection::vec("(Horlivka|Belgorod|Kharkiv|Ukraine’s|Ukrainian|east|south|since|last|mid|August|Sept|until|Friday|boats|tug|and|,|arrived|in|the|region|area|accused|blamed|\\?\\?|\\?|-| - |border|eastern|destroyed|systems|killed|shelled|civilians|who|KYIV, Aug 30 \\(Reuters\\) -|2014|\n\n|Ш|’)", 0..40)) {
        let text = words.join(" ");
        let events = crate::events(mini(), &Article { text: &text, title: None, published: crate::Date::new(2023, 5, 21) });
        for event in events {
            prop_assert!(text.get(event.evidence_start..event.evidence_end).is_some());
        }
    }

    #[test]
    fn war_like_text_never_panics(words in proptest::collection::vec("(Kyiv|Kharkiv|Moscow|shelled|killed|12,000|troops|on|Friday|February|30|yesterday|last|week|near|\\.|Russian|eastern|Ukraine|Ш)", 0..40)) {
        let text = words.join(" ");
        let _ = crate::events(mini(), &Article { text: &text, title: None, published: crate::Date::new(2022, 2, 24) });
    }
}

#[test]
fn dates_count_days_and_weekdays_correctly() {
    let date = crate::Date::new(2022, 2, 24).unwrap();
    assert_eq!(date.weekday(), 3, "24 February 2022 was a Thursday");
    assert_eq!(crate::Date::from_days(date.to_days()), date);
    assert_eq!(date.add_days(5).to_string(), "2022-03-01");
    assert_eq!(crate::Date::new(2023, 2, 29), None);
    assert_eq!(crate::Date::parse("2024-02-29T10:00:00Z"), crate::Date::new(2024, 2, 29));
}

#[test]
fn long_articles_give_one_merged_event_per_place_and_day() {
    let text = "Shelling hit Kharkiv. Two people were killed.\n".repeat(5_000);
    let article = Article { text: &text, title: None, published: crate::Date::new(2023, 5, 1) };
    let events = crate::events(mini(), &article);
    assert_eq!(events.len(), 1, "one shelling in Kharkiv on that day, with its dead");
    assert_eq!(events[0].evidence_spans.len(), 10_000);
    assert_eq!(events[0].fatalities, Some(2));
}

#[test]
fn each_clause_is_its_own_event_with_its_own_day() {
    // 2014-08-04 was a Monday; "in recent weeks" is a week back with month precision.
    check_events(
        "There were fierce fights in Mariinka, a suburb that was turned into a ghost town following heavy shelling in recent weeks.",
        "2014-08-04",
        &[
            "armed_clash@Mar'yinka 2014-08-04/1 None/None killed=None injured=None claimed=false geo=1",
            "shelling@Mar'yinka 2014-07-28/3 None/None killed=None injured=None claimed=false geo=1",
        ],
    );
    // The reporting clause's day dates the event clause.
    check_events(
        "The ministry said on Saturday that drones hit Belgorod.",
        "2024-01-09",
        &[
            "air_drone_strike@Belgorod 2024-01-06/1 None/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn plans_threats_and_denials_are_not_events_but_announced_drills_are() {
    check_events("Russia will deploy troops to Belgorod next month.", "2022-10-15", &[]);
    check_events("Troops are not withdrawing from Kharkiv.", "2022-10-15", &[]);
    check_events("Kyiv vowed to stop the shelling of Kharkiv.", "2022-10-15", &[]);
    check_events(
        "Russia said it will hold military drills near Belgorod.",
        "2014-08-04",
        &[
            "military_exercise@Belgorod 2014-08-04/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=2",
        ],
    );
}

#[test]
fn capitals_that_stand_for_governments_and_reference_points_are_not_event_places() {
    check_events(
        "Moscow accused Kyiv of shelling Belgorod.",
        "2022-10-15",
        &[
            "shelling@Belgorod 2022-10-15/1 Some(\"Ukrainian forces\")/Some(\"Russian forces\") killed=None injured=None claimed=true geo=1",
        ],
    );
    check_events(
        "Buildings in Dnipro, across the river from Kharkiv, were attacked.",
        "2022-10-15",
        &["shelling@Dnipro 2022-10-15/1 None/None killed=None injured=None claimed=false geo=1"],
    );
    // A strike "in Ukraine" is too coarse to map and borrows no town from the next clause.
    check_events("Drones struck Ukraine after Kyiv blamed Belgorod.", "2022-10-15", &[]);
}

#[test]
fn background_years_and_photo_captions_do_not_make_events_of_the_day() {
    check_events(
        "Protests erupted in Belgorod after the disputed 2020 election.",
        "2022-10-15",
        &[],
    );
    check_events(
        "Troops fight in Kharkiv (Image: Reuters) The minister spoke in Belgorod about drills.",
        "2022-10-15",
        &[
            "armed_clash@Kharkiv 2022-10-15/1 None/None killed=None injured=None claimed=false geo=1",
            "military_exercise@Belgorod 2022-10-15/1 None/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn a_spaced_dash_ends_a_place_name() {
    // A headline with its source after a dash: the small town is not part of "Defence Ministry".
    check("Shelling near Yasynuvata - Defence Ministry", &["Yasynuvata/Literal/geonames:688373"]);
}

#[test]
fn states_qualifiers_and_refuges_are_not_event_places() {
    // "Russian-occupied" and "the captured" describe a state, not a capture that day.
    check_events("The Russian-occupied town of Yasynuvata lost power.", "2022-10-15", &[]);
    // "Russia's Belgorod region" is one place; the refuge of an evacuation is not where it
    // happened.
    check_events(
        "Residents of Kharkiv were evacuated to Russia's Belgorod region.",
        "2022-09-11",
        &["evacuation@Kharkiv 2022-09-11/1 None/None killed=None injured=None claimed=false geo=1"],
    );
}

#[test]
fn a_dateline_is_not_the_day_of_the_event_and_a_day_beats_a_month() {
    // 2022-09-11 was a Sunday: "on Saturday" is 2022-09-10, not the dateline's September 11
    // nor the February of the background.
    check_events(
        "KHARKIV, September 11 (Reuters) - Ukraine said on Saturday its troops retook Izium and pushed into Kharkiv region, the worst Russian setback since the invasion in February 2022.",
        "2022-09-11",
        &[
            "territory_change@Kharkiv 2022-09-10/1 Some(\"Ukrainian forces\")/Some(\"Russian forces\") killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn outcomes_join_their_strike_and_offices_do_not_place_events() {
    check_events(
        "Three people were killed when a missile hit Kharkiv, Donetsk regional governor Ivan Petrenko said.",
        "2022-04-08",
        &[
            "shelling@Kharkiv 2022-04-08/1 None/None killed=Some(3) injured=None claimed=false geo=1",
        ],
    );
    // A capital that is struck is a place; one that speaks is a government.
    check_events(
        "Kyiv came under a drone attack overnight. Moscow blamed Kyiv for shelling Belgorod.",
        "2023-05-30",
        &[
            "air_drone_strike@Kyiv 2023-05-30/1 None/None killed=None injured=None claimed=false geo=1",
            "shelling@Belgorod 2023-05-30/1 Some(\"Ukrainian forces\")/Some(\"Russian forces\") killed=None injured=None claimed=true geo=1",
        ],
    );
}

#[test]
fn border_areas_are_events_at_their_representative_points() {
    check_events(
        "At least 12,000 Russian troops are now massed near Ukraine’s eastern border.",
        "2014-08-04",
        &[
            "troop_movement@Russia–Ukraine border area (Donbas stretch) 2014-08-04/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=3",
        ],
    );
}

#[test]
fn rivers_named_like_towns_and_border_attributes_are_not_event_places() {
    // "across the Dnipro" is the river; "the Dnipro direction" is the town's area.
    check_events("Russian troops withdrew across the Dnipro.", "2022-11-11", &[]);
    check_events(
        "Russian troops attacked in the Dnipro direction.",
        "2022-11-11",
        &[
            "armed_clash@Dnipro 2022-11-11/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
    // "the Ukrainian border town" is the town, and from Poland "the Ukrainian border" is not
    // Russia's.
    check_events(
        "Russian shelling hit the Ukrainian border town of Lysychansk.",
        "2024-05-12",
        &[
            "shelling@Lysychansk 2024-05-12/1 Some(\"Russian forces\")/Some(\"Ukrainian forces\") killed=None injured=None claimed=false geo=1",
        ],
    );
    check_events("A missile hit a Polish farm near the Ukrainian border.", "2022-11-15", &[]);
    // The same with a curly apostrophe: "Ukraine’s eastern border town" is the town.
    check_events(
        "Russian shelling hit Ukraine’s eastern border town of Lysychansk.",
        "2024-05-12",
        &[
            "shelling@Lysychansk 2024-05-12/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn named_units_and_separatist_republics_are_sides() {
    check_events(
        "DPR militia and Wagner fighters shelled the outskirts of Kharkiv.",
        "2023-05-20",
        &[
            "shelling@Kharkiv 2023-05-20/1 Some(\"Separatist forces\")/Some(\"Wagner Group\") killed=None injured=None claimed=false geo=2",
        ],
    );
}

#[test]
fn warnings_units_and_convoys_of_civilians_are_read_for_what_they_are() {
    // Sirens warn of a strike; they are none.
    check_events("Air raid sirens sounded in Kharkiv overnight.", "2022-05-03", &[]);
    // A battalion named after a town fights elsewhere.
    check_events(
        "The Donetsk battalion fought in Yasynuvata on Monday.",
        "2014-08-19",
        &[
            "armed_clash@Yasynuvata 2014-08-18/1 None/None killed=None injured=None claimed=false geo=1",
        ],
    );
    check_events(
        "A convoy of buses carrying civilians left Kharkiv.",
        "2022-05-03",
        &[
            "evacuation@Kharkiv 2022-05-03/1 Some(\"Civilians\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
    // A withdrawal from a town hands it over.
    check_events(
        "Ukraine has withdrawn its forces from Avdiivka.",
        "2024-02-17",
        &[
            "territory_change@Avdiivka 2024-02-17/1 Some(\"Ukrainian forces\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn a_place_in_an_apposition_only_describes_the_first() {
    check_events(
        "Troops fought their way into Yasynuvata, a railway junction north of Donetsk, on Monday.",
        "2014-08-19",
        &[
            "armed_clash@Yasynuvata 2014-08-18/1 None/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn the_east_of_an_article_about_ukraine_is_eastern_ukraine() {
    check_events(
        "Three Ukrainian soldiers killed in separatist east: military.",
        "2015-04-26",
        &[
            "armed_clash@eastern Ukraine 2015-04-26/1 Some(\"Separatist forces\")/Some(\"Ukrainian forces\") killed=Some(3) injured=None claimed=false geo=3",
        ],
    );
    // A bearing, a bank, somebody's workplace, or an article not about Ukraine.
    check_events("Ukrainian troops shelled the east bank of the river.", "2015-04-26", &[]);
    check_events("Ukrainian troops shelled positions east of the river.", "2015-04-26", &[]);
    check_events(
        "A spokesman for the Ukrainian operation working in the east said soldiers were killed.",
        "2015-04-26",
        &[],
    );
    check_events("Drones attacked an airfield in the east.", "2015-04-26", &[]);
}

#[test]
fn a_spaced_hyphen_ends_a_clause_but_not_a_dateline() {
    // The denial before the dash does not reach the report after it.
    check_events(
        "Ukrainian troops did not allow a crossing - they destroyed a barge near Horlivka.",
        "2022-09-07",
        &[
            "infrastructure_damage@Horlivka 2022-09-07/1 Some(\"Ukrainian forces\")/None killed=None injured=None claimed=false geo=2",
        ],
    );
    check_events(
        "KYIV, Sep 5 (Reuters) - Russian troops shelled Horlivka.",
        "2022-09-07",
        &[
            "shelling@Horlivka 2022-09-07/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn question_marks_inside_a_line_do_not_end_the_sentence() {
    // "в районе «Горловки»" with its quotes lost to an encoding: "the area of ??Horlivka".
    check_events(
        "Russian troops shelled positions in the area of ??Horlivka - ministry.",
        "2023-02-01",
        &[
            "shelling@Horlivka 2023-02-01/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=2",
        ],
    );
}

#[test]
fn deadlines_are_not_days_and_a_year_after_a_month_is_not_a_day() {
    // 2014-08-04 was a Monday: "until Friday" is the end of the drills, not their day.
    check_events(
        "The Russian exercises near Belgorod, expected to continue until Friday, are routine.",
        "2014-08-04",
        &[
            "military_exercise@Belgorod 2014-08-04/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=2",
        ],
    );
    check_events(
        "Crimea was annexed by Russia in March 2014.",
        "2014-11-04",
        &[
            "territory_change@Crimea 2014-03-15/3 None/None killed=None injured=None claimed=false geo=3",
        ],
    );
}

#[test]
fn the_region_and_the_area_are_the_ones_the_article_last_named() {
    check_events(
        "Drones hit the Belgorod region on Saturday.\n\nThe governor said on Tuesday that three people had been injured in the region by debris from downed drones.",
        "2024-01-09",
        &[
            "air_drone_strike@Belgorod 2024-01-06/1 None/None killed=None injured=None claimed=false geo=3",
            "interception@Belgorod 2024-01-09/1 None/None killed=None injured=Some(3) claimed=false geo=3",
        ],
    );
    check_events(
        "Russian troops shelled Horlivka on Monday.\n\nUkraine has deployed more soldiers to the area.",
        "2024-01-09",
        &[
            "shelling@Horlivka 2024-01-08/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
            "troop_movement@Horlivka 2024-01-08/1 Some(\"Ukrainian forces\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn destroyed_weapons_are_an_attack_and_troops_moving_closer_a_movement() {
    check_events(
        "A Ukrainian mission destroyed two Russian anti-aircraft systems near Belgorod.",
        "2024-01-09",
        &[
            "explosion@Belgorod 2024-01-09/1 Some(\"Ukrainian forces\")/Some(\"Russian forces\") killed=None injured=None claimed=false geo=2",
        ],
    );
    check_events(
        "NATO is seeing Russian troops moving closer to Belgorod.",
        "2014-11-04",
        &[
            "troop_movement@Belgorod 2014-11-04/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn ships_named_after_towns_are_not_the_towns() {
    check_events(
        "Russian border guards seized the boats Kharkiv and Horlivka and the tug Dnipro near Belgorod.",
        "2018-11-26",
        &[
            "territory_change@Belgorod 2018-11-26/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=2",
        ],
    );
}

#[test]
fn civilians_arriving_somewhere_are_evacuated_from_where_they_left() {
    check_events(
        "A convoy of buses carrying 100 civilians who had left Avdiivka on Sunday arrived in Kharkiv.",
        "2022-05-04",
        &[
            "evacuation@Avdiivka 2022-05-01/1 Some(\"Civilians\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn since_a_month_dates_the_start_of_the_span() {
    check_events(
        "Russian forces have been attacking Avdiivka since last August.",
        "2023-05-21",
        &[
            "armed_clash@Avdiivka 2022-08-01/3 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
    check_events(
        "Russian forces have been shelling Horlivka since mid-April.",
        "2023-05-21",
        &[
            "shelling@Horlivka 2023-04-15/3 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn a_headline_is_the_event_its_report_dates_and_a_baseline_year_is_not_background() {
    // 2023-12-31 was a Sunday.
    check_events(
        "Strike on central Belgorod kills 20\n\nOfficials said on Sunday that 20 people were killed when the centre of Belgorod came under attack on Saturday, the deadliest attack since the invasion began in February 2022.",
        "2023-12-31",
        &[
            "shelling@Belgorod 2023-12-30/1 None/None killed=Some(20) injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn the_following_day_is_the_day_after_the_one_last_named() {
    check_events(
        "Russian troops shelled Horlivka on November 8. Ukraine deployed soldiers to Horlivka the following day.",
        "2021-11-16",
        &[
            "shelling@Horlivka 2021-11-08/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
            "troop_movement@Horlivka 2021-11-09/1 None/None killed=None injured=None claimed=false geo=1",
        ],
    );
}

#[test]
fn baselines_passives_possessive_days_and_paragraph_days_are_read_for_what_they_are() {
    // "Since" after a superlative compares; "since 2014" for a state is background.
    check_events(
        "Russian troops shelled Belgorod, the heaviest shelling since February 2022.",
        "2023-05-21",
        &[
            "shelling@Belgorod 2023-05-21/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
    check_events("Russian forces have occupied Horlivka since 2014.", "2023-05-21", &[]);
    // An event dated by its paragraph keeps its day when a later one is dated otherwise.
    // 2024-01-10 was a Wednesday.
    check_events(
        "Fighting raged near Donetsk on Monday. Russian troops shelled Horlivka.\n\nOn Tuesday Russian troops shelled Horlivka again.",
        "2024-01-10",
        &[
            "armed_clash@Donetsk 2024-01-08/1 None/None killed=None injured=None claimed=false geo=2",
            "shelling@Horlivka 2024-01-08/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
            "shelling@Horlivka 2024-01-09/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=1",
        ],
    );
    // The accused comes first even against separatists; in the passive the accused is the
    // subject.
    check_events(
        "Separatists accused Ukrainian troops of shelling Horlivka.",
        "2023-05-21",
        &[
            "shelling@Horlivka 2023-05-21/1 Some(\"Ukrainian forces\")/Some(\"Separatist forces\") killed=None injured=None claimed=true geo=1",
        ],
    );
    check_events(
        "Russian troops were accused by Ukrainian officials of shelling Horlivka.",
        "2023-05-21",
        &[
            "shelling@Horlivka 2023-05-21/1 Some(\"Russian forces\")/Some(\"Ukrainian forces\") killed=None injured=None claimed=true geo=1",
        ],
    );
    // "Hit by Saturday's strike" names the day; "by Friday" would be a deadline.
    check_events(
        "A school in Kharkiv was hit by Saturday's missile strike.",
        "2023-05-22",
        &["shelling@Kharkiv 2023-05-20/1 None/None killed=None injured=None claimed=false geo=1"],
    );
}

/// Steps of counted work (`crate::work`) that reading the events of `text` takes, and the
/// notes of the limits it reached.
fn work_of(text: &str) -> (u64, Vec<crate::Note>) {
    crate::work::take();
    let article = Article { text, title: None, published: crate::Date::new(2024, 3, 4) };
    let (_, notes) = crate::events_with_notes(mini(), &article);
    (crate::work::take(), notes)
}

/// Four times the text may cost at most 4.5 times the work: extraction is linear (the
/// half step is room for the constant parts: the lead's sentences, a longer last clause).
#[track_caller]
fn check_linear(unit: &str, repeats: usize) {
    let (small, _) = work_of(&unit.repeat(repeats));
    let (large, _) = work_of(&unit.repeat(4 * repeats));
    assert!(small > 0, "the work of {unit:?} is counted");
    let ratio = large as f64 / small as f64;
    assert!(
        ratio <= 4.5,
        "{unit:?} x{repeats}: {small} steps, x{}: {large} steps, {ratio:.2} times the work for four times the text",
        4 * repeats
    );
}

// Issue 15: one 2 MB page of repeated place names held the extractor for 15 s, because a
// dateline check scanned back to the text's start for every mention.
#[test]
fn long_articles_cost_work_linear_in_their_length() {
    // The pages, below the limits so that every mention is read.
    check_linear("Avdiivka, Donetsk region. ", 1_000);
    check_linear("Russian forces shelled Avdiivka on Monday. ", 1_000);
    // One run-on sentence of clauses and places, no full stop; and of clauses without a
    // place, each of which looks for the nearest clause that has one.
    check_linear("shelling hit Kharkiv while troops attacked Horlivka, and ", 500);
    check_linear("killed while ", 200);
    // Brackets that never close, brackets that never open, dotted words, no blanks.
    check_linear("(Kharkiv ", 2_000);
    check_linear("Kharkiv) ", 2_000);
    check_linear("a.", 20_000);
    check_linear("ш", 50_000);
    // Many events: a new place and day each time.
    check_linear("Shelling hit Kharkiv on March 1. Drones struck Belgorod on March 2.\n", 500);
}

#[test]
fn an_article_past_the_limits_is_read_in_part_and_says_so() {
    let text = "Russian forces shelled Avdiivka on Monday. ".repeat(12_000);
    let (mentions, notes) =
        crate::geoparse_with_notes(mini(), &Article { text: &text, title: None, published: None });
    assert_eq!(mentions.len(), crate::MAX_MENTIONS);
    let [crate::Note::MentionLimit { at }] = notes[..] else {
        panic!("one note of the mention limit, not {notes:?}")
    };
    // Reading stopped at the next capitalized word after the last mention read.
    let last_end = mentions.last().map_or(0, |m| m.end);
    assert_eq!((at, &text[last_end..at]), (last_end + " on ".len(), " on "));
    // Past the limit, the work stops growing.
    let (work, _) = work_of(&text);
    let (double, notes) = work_of(&text.repeat(2));
    assert!((double as f64) < 1.2 * work as f64, "{work} then {double} steps");
    assert!(matches!(notes[..], [crate::Note::MentionLimit { .. }]));
    // A new place or day each time, more events than an article may report.
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let towns =
        ["Kharkiv", "Horlivka", "Avdiivka", "Lysychansk", "Belgorod", "Dnipro", "Yasynuvata"];
    let mut days = String::new();
    for town in towns {
        for month in MONTHS {
            for day in 1..=28 {
                days.push_str(&format!("Shelling hit {town} on {month} {day}.\n"));
            }
        }
    }
    let article = Article { text: &days, title: None, published: crate::Date::new(2030, 12, 31) };
    let (events, notes) = crate::events_with_notes(mini(), &article);
    assert_eq!(events.len(), crate::MAX_EVENTS);
    assert!(matches!(notes[..], [crate::Note::EventLimit { .. }]), "{notes:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn repeated_war_reporting_costs_linear_work(words in proptest::collection::vec("(Kharkiv|Horlivka|Avdiivka|Donetsk|region|Russian|Ukrainian|shelled|killed|troops|near|while|that|after|on|Friday|March|12|\\.|,|\\(|\\)|-|\n|'s|Mr|Gen\\.)", 1..30)) {
        let unit = words.join(" ") + " ";
        let (small, _) = work_of(&unit.repeat(200));
        let (large, _) = work_of(&unit.repeat(800));
        prop_assert!(large as f64 <= 4.5 * small.max(1) as f64, "{unit:?}: {small} then {large} steps");
    }
}

/// The mini gazetteer with the rows of Ukraine's full dump in `mini_dump.tsv`: namesake
/// villages (three Piskys, three Stepoves, two Myrnes), oblasts and districts.
fn villages() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| {
        build_mini(|builder| {
            builder.add_geonames_dump(
                "mini_dump.tsv",
                include_str!("../../../tests/data/gazetteer/mini_dump.tsv").as_bytes(),
            );
        })
    })
}

/// Every mention as `surface: geonames id`, and `(locates surface)` for a region written
/// beside a name only to say where that is.
#[track_caller]
fn check_villages(text: &str, expect: &[&str]) {
    let mentions = geoparse(villages(), &Article { text, title: None, published: None });
    let actual: Vec<String> = mentions
        .iter()
        .filter(|mention| mention.role == Role::Literal)
        .map(|mention| {
            let id = mention.place.as_ref().and_then(|place| place.geonameid).unwrap_or(0);
            let located = mention
                .locates
                .map(|at| format!(" (locates {})", mentions[at].text))
                .unwrap_or_default();
            format!("{}: {id}{located}", mention.text)
        })
        .collect();
    assert_eq!(actual, expect, "in {text:?}");
}

// Issue 12: the oblast or raion written beside a village settles which namesake it is.
#[test]
fn a_region_beside_a_village_settles_its_namesakes_and_is_only_context() {
    check_villages(
        "Russian forces shelled Pisky, Kharkiv region, overnight.",
        &["Pisky: 697500", "Kharkiv region: 706482 (locates Pisky)"],
    );
    check_villages(
        "Fighting went on near Pisky (Donetsk oblast) all day.",
        &["Pisky: 9113066", "Donetsk oblast: 709716 (locates Pisky)"],
    );
    check_villages(
        "Troops entered Stepove in Zaporizhzhia's Polohy raion.",
        &[
            "Stepove: 687366",
            "Zaporizhzhia: 687699 (locates Stepove)",
            "Polohy raion: 696670 (locates Stepove)",
        ],
    );
    check_villages(
        "Paratroopers were detained near the village of Dzerkalne in the Amvrosiivka district.",
        &["Dzerkalne: 9291424", "Amvrosiivka district: 713502 (locates Dzerkalne)"],
    );
    // A bare oblast name that is also its capital's: the oblast, not the city.
    check_villages(
        "Russian troops shelled Vovchansk, Kharkiv, on Friday.",
        &["Vovchansk: 689304", "Kharkiv: 706482 (locates Vovchansk)"],
    );
    // A list of villages before the region: each is the one inside it.
    check_villages(
        "Shelling hit Pisky and Vovchansk in the Kharkiv region.",
        &["Pisky: 697500", "Vovchansk: 689304", "Kharkiv region: 706482 (locates Vovchansk)"],
    );
}

#[test]
fn towns_in_a_list_are_towns_and_a_village_is_taken_near_the_other_places() {
    // "Horlivka, Donetsk and Avdiivka" lists three towns: Donetsk is the city.
    check_villages(
        "Shelling hit Horlivka, Donetsk and Avdiivka.",
        &["Horlivka: 707753", "Donetsk: 709717", "Avdiivka: 713122"],
    );
    // No region beside Pisky: the one near the other places the text names.
    check_villages(
        "Russian forces attacked Pisky, west of Donetsk, and shelled Avdiivka.",
        &["Pisky: 9113066", "Donetsk: 709717", "Avdiivka: 713122"],
    );
}

#[test]
fn an_event_at_a_village_is_not_also_made_at_the_region_beside_it() {
    let text = "Russian troops shelled Vovchansk, Kharkiv, on Friday. Shelling hit Robotyne, Zaporizhzhia region.";
    let article = Article { text, title: None, published: crate::Date::new(2024, 5, 13) };
    let events = crate::events(villages(), &article);
    let places: Vec<(&str, Option<u32>)> =
        events.iter().map(|event| (event.place_name.as_str(), event.geonameid)).collect();
    assert_eq!(places, [("Vovchansk", Some(689304)), ("Robotyne", Some(695586))]);
}

#[test]
fn the_fronts_words_are_events_and_an_encircled_town_is_a_state() {
    check_events(
        "Russian forces advanced near Horlivka on Monday. Russia claimed the capture of Avdiivka. Bombers dropped two guided bombs on Kharkiv.",
        "2024-02-20",
        &[
            // "Near" places the event at precision 2; the lead's Monday dates the rest.
            "armed_clash@Horlivka 2024-02-19/1 Some(\"Russian forces\")/None killed=None injured=None claimed=false geo=2",
            "territory_change@Avdiivka 2024-02-19/1 Some(\"Russian forces\")/None killed=None injured=None claimed=true geo=1",
            "air_drone_strike@Kharkiv 2024-02-19/1 None/None killed=None injured=None claimed=false geo=1",
        ],
    );
    check_events("Both strongholds, Horlivka and Donetsk, are now encircled.", "2014-08-04", &[]);
}
