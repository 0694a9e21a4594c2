//! Resolution of recognized spans against the gazetteer, the whole document at once.
//!
//! Three passes. First every name is looked up alone: the countries and regions the text
//! names become context, and so does whether it is about the border region. Then the
//! regions written right beside a name ("Stepove, Zaporizhzhia region", "Pisky (Donetsk
//! oblast)", "the village of Dzerkalne in the Amvrosiivka district", "Robotyne in
//! Zaporizhzhia's Polohy raion") settle which namesake that name is: a place inside them
//! wins over any namesake elsewhere, and the region becomes the name's context rather than
//! a place of its own (`Mention::locates`). Last, every name is looked up again with that
//! context and near the places the text has settled: a village several oblasts have is
//! taken near the others.

use gazetteer::{Candidate, CountryCode, Gazetteer, LookupContext, PlaceKind, Within};

use crate::memo::Memo;
use crate::recognize::Span;
use crate::{Mention, ResolvedPlace};

/// Most settled places a name is taken near: the nearest counts, so a few dozen suffice,
/// and the cost of a lookup grows with them.
const MAX_ANCHORS: usize = 64;

/// How two neighbouring names are joined in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// A comma: the second may be the first's region ("Stepove, Zaporizhzhia region"), or
    /// the next item of a list ("Kupiansk, Izium and Balakliia").
    Comma,
    /// The second says where the first is: "X (Y oblast)", "X in the Y district", "X and
    /// Z villages in Y region".
    Beside,
    /// "Y's Z raion", "Z raion of Y region": one region inside the other.
    Inside,
    /// "X and Z", "X or Z": a list.
    List,
}

/// The link the text between two names makes, if any.
fn link(gap: &str) -> Option<Link> {
    let gap = gap.trim().to_ascii_lowercase();
    let words: Vec<&str> = gap.split_whitespace().collect();
    match words.as_slice() {
        [","] => Some(Link::Comma),
        ["("] | ["in"] | ["in", "the"] | [",", "in"] | [",", "in", "the"] | ["(", "in"] => {
            Some(Link::Beside)
        }
        // "Robotyne and Verbove villages in Zaporizhzhia region", "Rivne, a village in the
        // Pokrovsk district".
        [noun, "in"]
        | [noun, "in", "the"]
        | [",", noun, "in"]
        | [",", noun, "in", "the"]
        | [",", "a", noun, "in"]
        | [",", "a", noun, "in", "the"]
            if is_settlement_noun(noun) =>
        {
            Some(Link::Beside)
        }
        ["'s"] | ["’s"] | ["of"] | ["of", "the"] => Some(Link::Inside),
        ["and"] | ["or"] | [",", "and"] | [",", "or"] | ["/"] => Some(Link::List),
        _ => None,
    }
}

fn is_settlement_noun(word: &str) -> bool {
    matches!(
        word,
        "village"
            | "villages"
            | "town"
            | "towns"
            | "settlement"
            | "settlements"
            | "city"
            | "hamlet"
    )
}

/// True when a span names its designator ("Donetsk region", "Pokrovsk district").
fn has_designator(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.split_whitespace().any(|word| {
        matches!(
            word.trim_end_matches(['\'', '’', 's']),
            "region" | "oblast" | "district" | "raion" | "rayon" | "province" | "krai"
        ) || matches!(word, "regions" | "oblasts" | "districts" | "raions")
    })
}

/// Resolves every span: first alone, then with the regions written beside it and the
/// countries, regions and settled places of the whole document as context.
pub(crate) fn resolve(gazetteer: &Gazetteer, text: &str, spans: &[Span]) -> Vec<Mention> {
    crate::work::add(spans.len());
    let mut alone = LookupContext::none();
    alone.limit = 3;
    let mut lookups = Lookups {
        gazetteer,
        border: LookupContext { limit: 5, ..LookupContext::border_region() },
        regions: Memo::default(),
        sets: Vec::new(),
        inside: Memo::default(),
    };
    // Every distinct name looked up alone once.
    let mut alone_memo: Memo<&str, Vec<Candidate<'_>>> = Memo::default();
    for span in spans.iter().filter(|span| !span.boilerplate) {
        alone_memo
            .entry(span.query.as_str())
            .or_insert_with(|| gazetteer.lookup(&span.query, &alone));
    }
    let mut countries: Vec<CountryCode> = Vec::new();
    let mut admin1: Vec<(CountryCode, String)> = Vec::new();
    let mut border_region = false;
    for candidates in alone_memo.values() {
        let Some(best) = candidates.first() else { continue };
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
    }
    countries.sort();
    admin1.sort();
    let mut in_document = LookupContext::none();
    in_document.limit = 3;
    in_document.region_prior = border_region;
    in_document.countries = countries;
    in_document.admin1 = admin1;

    // For each span, the set of regions beside it (`NO_REGIONS` when none), and for a region
    // so written the span it locates.
    let (within, locates) = regions_beside(&mut lookups, text, spans, &in_document);

    // Places the text settles: those a region beside them placed, the border region's named
    // areas ("Donbas"), big towns, and names with one clear candidate. A village several
    // oblasts have is then taken near them. One point per name.
    let mut anchors: Vec<(&str, geo::Point<f64>)> = Vec::new();
    for (at, span) in spans.iter().enumerate() {
        if span.boilerplate
            || span.role != crate::Role::Literal
            || anchors.len() >= MAX_ANCHORS
            || anchors.iter().any(|(query, _)| *query == span.query)
        {
            continue;
        }
        let settled = if within[at] == NO_REGIONS {
            let candidates = alone_memo.get(span.query.as_str()).map_or(&[][..], Vec::as_slice);
            candidates
                .first()
                .filter(|best| {
                    let place = best.place;
                    let margin = candidates
                        .get(1)
                        .map_or(f32::INFINITY, |second| best.score() - second.score());
                    let named_area = place.kind == PlaceKind::Area
                        && &*place.feature_code == "RGN"
                        && place.country.is_one_of(gazetteer::BORDER_REGION);
                    let town = matches!(place.kind, PlaceKind::Populated | PlaceKind::Feature);
                    named_area || (town && (place.population >= 100_000 || margin >= 1.0))
                })
                .map(|best| best.place.point())
        } else {
            lookups
                .best_inside(&span.query, within[at], &in_document)
                .map(|best| best.place.point())
        };
        if let Some(point) = settled {
            anchors.push((span.query.as_str(), point));
        }
    }

    in_document.limit = CANDIDATES;
    let mut memo: Memo<(&str, usize), Vec<Candidate<'_>>> = Memo::default();
    let mut all: Vec<Vec<Candidate<'_>>> = Vec::with_capacity(spans.len());
    for (at, span) in spans.iter().enumerate() {
        // A region that only says where the name before it is stands as that region, not
        // as a town of its name ("Vovchansk, Kharkiv" names Kharkiv oblast).
        let region = locates[at].and_then(|_| lookups.region(&span.query));
        let candidates = match region {
            Some(region) => vec![region],
            None => memo
                .entry((span.query.as_str(), within[at]))
                .or_insert_with(|| {
                    let mut context = in_document.clone();
                    if let Some(regions) = lookups.sets.get(within[at]) {
                        context.within.clone_from(regions);
                    }
                    // A name is not taken near itself.
                    context.near = anchors
                        .iter()
                        .filter(|(query, _)| *query != span.query)
                        .map(|&(_, point)| point)
                        .collect();
                    gazetteer.lookup(&span.query, &context)
                })
                .clone(),
        };
        all.push(candidates);
    }
    support_by_neighbours(text, spans, &within, &locates, &mut all);
    let mut mentions: Vec<Mention> = Vec::with_capacity(spans.len());
    for (at, (span, candidates)) in spans.iter().zip(all).enumerate() {
        let best = candidates.first();
        let runner_up = candidates
            .get(1)
            .filter(|second| best.is_some_and(|best| best.score() - second.score() < 1.0));
        let confidence = best.map_or(0.0, |best| confidence(best, candidates.get(1)));
        mentions.push(Mention {
            start: span.start,
            end: span.end,
            text: text.get(span.start..span.end).unwrap_or("").to_owned(),
            role: span.role,
            boilerplate: span.boilerplate,
            place: best.map(|candidate| to_place(gazetteer, candidate)),
            confidence,
            runner_up: runner_up.map(|candidate| to_place(gazetteer, candidate)),
            locates: locates[at],
        });
    }
    mentions
}

/// No regions are written beside a span.
const NO_REGIONS: usize = usize::MAX;

/// The lookups of the region pass, each done once per name (and set of regions): an
/// article repeats its names.
struct Lookups<'g> {
    gazetteer: &'g Gazetteer,
    border: LookupContext,
    /// Name → the region it can stand for.
    regions: Memo<String, Option<Candidate<'g>>>,
    /// The distinct sets of regions written beside names.
    sets: Vec<Vec<Within>>,
    /// (name, set) → its best candidate inside every region of the set, if it has one.
    inside: Memo<(String, usize), Option<Candidate<'g>>>,
}

impl<'g> Lookups<'g> {
    /// The region a name stands for when it is written beside another name: its best
    /// candidate if that is a region or district, else (for a bare "Kharkiv") the region of
    /// that name among its candidates.
    fn region(&mut self, query: &str) -> Option<Candidate<'g>> {
        if let Some(known) = self.regions.get(query) {
            return known.clone();
        }
        let found = self.gazetteer.lookup(query, &self.border).into_iter().find(|candidate| {
            let place = candidate.place;
            place.kind == PlaceKind::Admin1
                || (place.kind == PlaceKind::Area
                    && matches!(&*place.feature_code, "ADM2" | "ADM2H"))
        });
        self.regions.insert(query.to_owned(), found.clone());
        found
    }

    /// The id of a set of regions, added if new.
    fn set(&mut self, regions: &[Within]) -> usize {
        match self.sets.iter().position(|known| known == regions) {
            Some(id) => id,
            None => {
                self.sets.push(regions.to_vec());
                self.sets.len() - 1
            }
        }
    }

    /// The name's best candidate when the regions of the set are beside it, if that is a
    /// town or feature inside every one of them.
    fn best_inside(
        &mut self,
        query: &str,
        set: usize,
        in_document: &LookupContext,
    ) -> Option<Candidate<'g>> {
        if let Some(known) = self.inside.get(&(query.to_owned(), set)) {
            return known.clone();
        }
        let regions = self.sets.get(set).cloned().unwrap_or_default();
        let mut context = in_document.clone();
        context.limit = 1;
        context.within.clone_from(&regions);
        let gazetteer = self.gazetteer;
        let found = gazetteer.lookup(query, &context).into_iter().next().filter(|best| {
            matches!(best.place.kind, PlaceKind::Populated | PlaceKind::Feature)
                && regions.iter().all(|region| gazetteer.is_within(best.id, region))
        });
        self.inside.insert((query.to_owned(), set), found.clone());
        found
    }
}

/// For every span, the set of regions written beside it that settle which namesake it is
/// (an id into `lookups.sets`, or `NO_REGIONS`), and for a region so written, the span it
/// locates.
fn regions_beside(
    lookups: &mut Lookups<'_>,
    text: &str,
    spans: &[Span],
    in_document: &LookupContext,
) -> (Vec<usize>, Vec<Option<usize>>) {
    let mut within: Vec<usize> = vec![NO_REGIONS; spans.len()];
    let mut locates: Vec<Option<usize>> = vec![None; spans.len()];
    let links: Vec<Option<Link>> = spans
        .windows(2)
        .map(|pair| {
            let gap = text.get(pair[0].end..pair[1].start).unwrap_or("");
            let usable = !pair[0].boilerplate && !pair[1].boilerplate && gap.len() <= 24;
            usable.then(|| link(gap)).flatten()
        })
        .collect();
    // The region a span can stand for, and whether the text calls it one.
    let reading = |lookups: &mut Lookups<'_>, at: usize| -> Option<(Within, bool)> {
        let region = lookups.region(&spans[at].query)?;
        let within = lookups.gazetteer.within_of(region.place)?;
        Some((within, has_designator(&spans[at].query)))
    };
    let mut at = 0;
    while at + 1 < spans.len() {
        let next = at + 1;
        let Some(link) = links[at].filter(|link| matches!(link, Link::Comma | Link::Beside)) else {
            at += 1;
            continue;
        };
        // The regions beside: "Y", or "Y's Z raion" / "Z raion of Y region" (both count).
        let Some((first_region, designated)) = reading(lookups, next) else {
            at += 1;
            continue;
        };
        let mut regions: Vec<Within> = vec![first_region];
        let mut region_spans: Vec<usize> = vec![next];
        let mut last = next;
        while links.get(last).copied().flatten() == Some(Link::Inside) {
            let Some((region, _)) = reading(lookups, last + 1) else { break };
            regions.push(region);
            region_spans.push(last + 1);
            last += 1;
        }
        // A bare town name after a comma is a region only when the text does not go on
        // with another place: "Kramatorsk, Donetsk" is the oblast, "Kramatorsk, Donetsk and
        // Horlivka" a list of towns.
        let continues_list =
            matches!(links.get(last).copied().flatten(), Some(Link::List | Link::Comma));
        if link == Link::Comma && !designated && continues_list {
            at += 1;
            continue;
        }
        let set = lookups.set(&regions);
        if lookups.best_inside(&spans[at].query, set, in_document).is_none() {
            at += 1;
            continue;
        }
        // The name, and the names of the list it ends ("Robotyne, Verbove and
        // Novoprokopivka in Zaporizhzhia region"), that lie inside.
        let mut first = at;
        while first > 0 && matches!(links[first - 1], Some(Link::List | Link::Comma)) {
            first -= 1;
        }
        for item in first..=at {
            let inside = item == at
                || (within[item] == NO_REGIONS
                    && lookups.best_inside(&spans[item].query, set, in_document).is_some());
            if inside {
                within[item] = set;
            }
        }
        for &region in &region_spans {
            locates[region] = Some(at);
        }
        at = last + 1;
    }
    (within, locates)
}

/// Candidates kept per name for the last pass.
const CANDIDATES: usize = 8;
/// Names this many spans before or after a name, and within this many bytes, are its
/// neighbours.
const NEIGHBOURS: usize = 4;
const NEIGHBOUR_BYTES: usize = 500;

/// Names still ambiguous after their context (two namesakes within a point of each other)
/// are read together with their neighbours in the text: a reading of one lying near a
/// good reading of another gains ("Russian assault units are fighting inside Dimitrov,
/// east of Krasnoarmeysk": the Ukrainian towns, 5 km apart, not Dmitrov and Krasnoarmeysk
/// in Russia, 800 km apart). A neighbour's reading counts by how far it falls behind the
/// neighbour's best, so a poor reading lends little.
fn support_by_neighbours(
    text: &str,
    spans: &[Span],
    within: &[usize],
    locates: &[Option<usize>],
    all: &mut [Vec<Candidate<'_>>],
) {
    const MARGIN: f32 = 1.0;
    let usable = |at: usize| {
        let span = &spans[at];
        !span.boilerplate
            && span.role == crate::Role::Literal
            && locates[at].is_none()
            && !all[at].is_empty()
    };
    let ambiguous = |candidates: &[Candidate<'_>]| {
        candidates.len() >= 2 && candidates[0].score() - candidates[1].score() < MARGIN
    };
    let mut support: Vec<(usize, Vec<f32>)> = Vec::new();
    for at in 0..spans.len() {
        if !usable(at) || within[at] != NO_REGIONS || !ambiguous(&all[at]) {
            continue;
        }
        let span = &spans[at];
        let neighbours: Vec<usize> = (at.saturating_sub(NEIGHBOURS)
            ..spans.len().min(at + NEIGHBOURS + 1))
            .filter(|&other| other != at && usable(other) && spans[other].query != span.query)
            .filter(|&other| {
                let (from, to) =
                    (span.start.min(spans[other].start), span.end.max(spans[other].end));
                to - from <= NEIGHBOUR_BYTES && text.get(from..to).is_some()
            })
            .collect();
        if neighbours.is_empty() {
            continue;
        }
        crate::work::add(neighbours.len() * CANDIDATES * CANDIDATES);
        let gains: Vec<f32> = all[at]
            .iter()
            .map(|candidate| {
                let point = candidate.place.point();
                neighbours
                    .iter()
                    .map(|&other| {
                        let best = all[other][0].score();
                        all[other]
                            .iter()
                            .map(|reading| {
                                let meters = geo::Distance::distance(
                                    &geo::Haversine,
                                    point,
                                    reading.place.point(),
                                );
                                let near = 1.5 * (-meters / 25_000.0).exp() as f32;
                                (near - (best - reading.score())).max(0.0)
                            })
                            .fold(0.0, f32::max)
                    })
                    .sum()
            })
            .collect();
        support.push((at, gains));
    }
    for (at, gains) in support {
        for (candidate, gain) in all[at].iter_mut().zip(gains) {
            candidate.rank.context += gain;
        }
        all[at].sort_by(|a, b| b.score().total_cmp(&a.score()));
    }
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
        district: gazetteer
            .admin2_of(place)
            .filter(|district| district.geonameid != place.geonameid)
            .map(|district| district.name.to_string()),
        katottg: gazetteer.katottg(candidate.id),
        hromada: gazetteer.katottg_units(candidate.id).1.map(str::to_owned),
        feature_code: place.feature_code.to_string(),
    }
}
