//! Unit tests of the geoparser on the hand-picked gazetteer rows in `tests/data/gazetteer`.

use std::sync::OnceLock;

use gazetteer::{Gazetteer, GazetteerBuilder};
use proptest::prelude::*;

use crate::{Article, Role, geoparse};

fn mini() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| {
        let mut builder = GazetteerBuilder::new();
        builder.add_geonames(
            "mini.tsv",
            include_str!("../../../tests/data/gazetteer/mini.tsv").as_bytes(),
        );
        builder.add_natural_earth_admin1(
            "mini_admin1.json",
            include_str!("../../../tests/data/gazetteer/mini_admin1.json").as_bytes(),
        );
        builder.add_curated(
            "mini_curated.tsv",
            include_str!("../../../tests/data/gazetteer/mini_curated.tsv").as_bytes(),
        );
        builder.add_demonyms(
            "mini_demonyms.tsv",
            include_str!("../../../tests/data/gazetteer/mini_demonyms.tsv").as_bytes(),
        );
        builder.add_common_words(
            "mini_words.json",
            include_str!("../../../tests/data/gazetteer/mini_words.json").as_bytes(),
        );
        builder.build().0
    })
}

/// Every mention as `surface/role/place id`, with offsets checked against the text.
#[track_caller]
fn check(text: &str, expect: &[&str]) {
    let mentions = geoparse(mini(), &Article { text, title: None });
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
    let mentions = geoparse(mini(), &Article { text: &repeated, title: None });
    assert_eq!(mentions.len(), 20_000);
    let one_line = "x".repeat(1 << 20);
    assert!(geoparse(mini(), &Article { text: &one_line, title: None }).is_empty());
    assert_eq!(Role::Literal, mentions[0].role);
}

proptest! {
    #[test]
    fn no_text_panics_and_offsets_stay_on_char_boundaries(text in any::<String>()) {
        let mentions = geoparse(mini(), &Article { text: &text, title: None });
        for mention in mentions {
            prop_assert!(text.get(mention.start..mention.end).is_some());
        }
    }

    #[test]
    fn place_like_text_never_panics(words in proptest::collection::vec("(Kyiv|Kharkiv|Moscow|region|U\\.S\\.|St\\.|'s|said|-| |\\.|Dmitry|[A-Z][a-z]{0,8})", 0..40)) {
        let text = words.join(" ");
        let mentions = geoparse(mini(), &Article { text: &text, title: None });
        for mention in mentions {
            prop_assert!(text.get(mention.start..mention.end).is_some());
        }
    }
}
