//! Resolution of recognized spans against the gazetteer, the whole document at once.

use gazetteer::{Candidate, CountryCode, Gazetteer, LookupContext, PlaceKind};

use crate::recognize::Span;
use crate::{Mention, ResolvedPlace};

/// Resolves every span: first alone, then with the countries and regions the document
/// names as context.
pub(crate) fn resolve(gazetteer: &Gazetteer, text: &str, spans: Vec<Span>) -> Vec<Mention> {
    let mut alone = LookupContext::none();
    alone.limit = 3;
    let mut countries: Vec<CountryCode> = Vec::new();
    let mut admin1: Vec<(CountryCode, String)> = Vec::new();
    let mut border_region = false;
    let mut anchors: Vec<(f64, f64)> = Vec::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for span in spans.iter().filter(|span| !span.boilerplate) {
        if !seen.insert(span.query.as_str()) {
            continue;
        }
        let Some(best) = gazetteer.lookup(&span.query, &alone).into_iter().next() else { continue };
        let place = best.place;
        if place.country.is_one_of(gazetteer::BORDER_REGION)
            && matches!(place.kind, PlaceKind::Country | PlaceKind::Admin1)
        {
            border_region = true;
        }
        let settles_country = matches!(place.kind, PlaceKind::Country | PlaceKind::Admin1)
            || (place.kind == PlaceKind::Populated && place.population >= 100_000);
        if settles_country && !countries.contains(&place.country) {
            countries.push(place.country);
        }
        if place.kind == PlaceKind::Admin1 {
            admin1.push((place.country, place.admin1.to_string()));
        }
        // Towns of 100,000 or more anchor the document's centre, and so do the areas of the
        // border region a text names ("Donbas", "the DPR"): a Pisky or a Shumy named beside
        // them is the one there.
        let named_area = place.kind == PlaceKind::Area
            && &*place.feature_code == "RGN"
            && place.country.is_one_of(gazetteer::BORDER_REGION);
        if named_area || (place.kind == PlaceKind::Populated && place.population >= 100_000) {
            anchors.push((place.lon, place.lat));
        }
    }
    // The centre of the document's big towns, when they lie together (within about
    // 500 km of their mean): small places are then more likely near it.
    let near = if anchors.is_empty() {
        None
    } else {
        let n = anchors.len() as f64;
        let lon = anchors.iter().map(|a| a.0).sum::<f64>() / n;
        let lat = anchors.iter().map(|a| a.1).sum::<f64>() / n;
        let centre = geo::Point::new(lon, lat);
        let together = anchors.iter().all(|&(lon, lat)| {
            geo::Distance::distance(&geo::Haversine, centre, geo::Point::new(lon, lat)) < 500_000.0
        });
        together.then_some(centre)
    };
    let mut in_document = LookupContext::none();
    in_document.limit = 3;
    in_document.region_prior = border_region;
    in_document.countries = countries;
    in_document.admin1 = admin1;
    in_document.near = near;

    let mut memo: std::collections::HashMap<String, Vec<gazetteer::Candidate<'_>>> =
        std::collections::HashMap::new();
    crate::work::add(spans.len());
    spans
        .into_iter()
        .map(|span| {
            let candidates = memo
                .entry(span.query.clone())
                .or_insert_with(|| gazetteer.lookup(&span.query, &in_document))
                .clone();
            let best = candidates.first();
            let runner_up = candidates
                .get(1)
                .filter(|second| best.is_some_and(|best| best.score() - second.score() < 1.0));
            let confidence = best.map_or(0.0, |best| confidence(best, candidates.get(1)));
            Mention {
                start: span.start,
                end: span.end,
                text: text.get(span.start..span.end).unwrap_or("").to_owned(),
                role: span.role,
                boilerplate: span.boilerplate,
                place: best.map(|candidate| to_place(gazetteer, candidate)),
                confidence,
                runner_up: runner_up.map(|candidate| to_place(gazetteer, candidate)),
            }
        })
        .collect()
}

/// A logistic of the margin over the runner-up, lowered for typo and variant matches.
fn confidence(best: &Candidate<'_>, second: Option<&Candidate<'_>>) -> f32 {
    let margin = second.map_or(3.0, |second| best.score() - second.score());
    let base = 1.0 / (1.0 + (-1.5 * margin).exp());
    let how = match best.how {
        gazetteer::MatchKind::Typo => 0.7,
        gazetteer::MatchKind::Variant => 0.85,
        _ => 1.0,
    };
    (base * how).clamp(0.0, 1.0)
}

pub(crate) fn to_place(gazetteer: &Gazetteer, candidate: &Candidate<'_>) -> ResolvedPlace {
    let place = candidate.place;
    ResolvedPlace {
        geonameid: place.geonameid,
        id: place.stable_id(),
        name: place.name.to_string(),
        lon: place.lon,
        lat: place.lat,
        country_code: place.country.as_str().to_owned(),
        admin1: gazetteer.admin1_of(place).map(|admin1| admin1.name.to_string()),
        feature_code: place.feature_code.to_string(),
    }
}
