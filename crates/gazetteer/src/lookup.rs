//! Name lookup: candidate generation (exact key, romanization skeleton, one-edit typos)
//! and ranking with priors and caller-supplied context.

use geo::{Distance, Haversine};

use crate::index::{EditHasher, Entry, KeySpace, NameRole, key_hash};
use crate::normalize::{fold_into, is_latin_key, skeleton, skeleton_strength};
use crate::{CountryCode, Gazetteer, Place, PlaceId, PlaceKind, Summary, admin1_key};

/// Countries of the border region; their places get the region prior when it is on.
pub const BORDER_REGION: &[&str] =
    &["UA", "RU", "BY", "PL", "LT", "LV", "EE", "MD", "FI", "RO", "SK", "HU", "GE"];

/// Countries whose place names reach English news through competing romanizations (of
/// Cyrillic, Georgian, Armenian); elsewhere only big cities get variant matches.
const ROMANIZED: &[&str] = &[
    "UA", "RU", "BY", "KZ", "KG", "TJ", "UZ", "TM", "MD", "BG", "RS", "MK", "MN", "GE", "AM", "AZ",
];

/// What the caller knows about the text around a name.
#[derive(Debug, Clone)]
pub struct LookupContext {
    /// Countries the text is about (named in it, or the region it comes from).
    pub countries: Vec<CountryCode>,
    /// First-level regions the text names, as (country, GeoNames admin1 code); weaker than a
    /// country, since a text names regions for other reasons than where things happen.
    pub admin1: Vec<(CountryCode, String)>,
    /// Points the place is probably near (places the text names and that are settled); a
    /// candidate gains by its distance to the nearest of them.
    pub near: Vec<geo::Point<f64>>,
    /// Regions the text names right beside the name ("Stepove, Zaporizhzhia region",
    /// "Pisky (Donetsk oblast)", "the village of Dzerkalne in the Amvrosiivka district",
    /// "Myrne in Kharkiv's Kupiansk raion"): a place inside one is almost surely the one
    /// meant, whatever its namesakes' size, and a place inside each of several nested ones
    /// more surely still.
    pub within: Vec<Within>,
    /// Favour places in the Russia / Ukraine / Belarus / Baltic border region.
    pub region_prior: bool,
    /// Try typos one edit away when nothing matches exactly.
    pub fuzzy: bool,
    /// At most this many candidates.
    pub limit: usize,
}

impl LookupContext {
    /// No context: world-wide priors only, fuzzy matching on, ten candidates.
    pub fn none() -> LookupContext {
        LookupContext {
            countries: Vec::new(),
            admin1: Vec::new(),
            near: Vec::new(),
            within: Vec::new(),
            region_prior: false,
            fuzzy: true,
            limit: 10,
        }
    }

    /// The border region prior on, no other context.
    pub fn border_region() -> LookupContext {
        LookupContext { region_prior: true, ..LookupContext::none() }
    }
}

/// A region as it settles which of a name's namesakes is meant: a first-level region, a
/// district (its admin-2 code; a historical district, which no town's code names, by the
/// area around its point). Made by [`Gazetteer::within_of`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Within {
    country: CountryCode,
    /// Hash of the admin-1 code (0: any).
    admin1: u64,
    /// Hash of the admin-2 code (0: any).
    admin2: u64,
    /// For a district no code names: its point and how far around it a place may lie.
    around: Option<(geo::Point<f64>, f64)>,
}

/// How far around the point of a historical district (a pre-2020 raion) its villages lie.
const OLD_DISTRICT_RADIUS_METERS: f64 = 35_000.0;
/// What lying inside a region the text names beside the name is worth: more than any
/// difference of size between namesakes (a village of none against a town of 100,000 is
/// about 2 points).
const WITHIN_BONUS: f32 = 4.0;

impl Within {
    fn holds(&self, place: &Summary) -> bool {
        if place.country != self.country
            || (self.admin1 != 0 && place.admin1 != self.admin1)
            || (self.admin2 != 0 && place.admin2 != self.admin2)
        {
            return false;
        }
        self.around.is_none_or(|(centre, radius)| {
            Haversine.distance(centre, geo::Point::new(place.lon, place.lat)) <= radius
        })
    }
}

impl Gazetteer {
    /// The region a place names when a text writes it beside another name: a first-level
    /// region itself, a district (by its code, or a historical one by the area around it),
    /// or for a town the first-level region it lies in ("Vovchansk, Kharkiv", where Kharkiv
    /// is the oblast named after its capital). `None` for countries, areas and features.
    pub fn within_of(&self, place: &Place) -> Option<Within> {
        let admin1 = crate::admin1_key(&place.admin1);
        let base = Within { country: place.country, admin1, admin2: 0, around: None };
        match (place.kind, place.feature_code.as_str()) {
            (PlaceKind::Admin1, _) if admin1 != 0 => Some(base),
            (PlaceKind::Area, "ADM2") if !place.admin2.is_empty() => {
                Some(Within { admin2: crate::admin1_key(&place.admin2), ..base })
            }
            (PlaceKind::Area, "ADM2" | "ADM2H") => {
                Some(Within { around: Some((place.point(), OLD_DISTRICT_RADIUS_METERS)), ..base })
            }
            (PlaceKind::Populated, _) if admin1 != 0 => Some(base),
            _ => None,
        }
    }

    /// True when the place lies in the region.
    pub fn is_within(&self, place: PlaceId, within: &Within) -> bool {
        self.summaries.get(place.0 as usize).is_some_and(|summary| within.holds(summary))
    }
}

/// How the query met the candidate's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The place's preferred name.
    Name,
    /// Another recorded name of the place (language, script, romanization, era).
    AlternateName,
    /// A people's or adjective form of a country ("Russian").
    Demonym,
    /// A region's name without "oblast" or "region".
    RegionName,
    /// Same romanization skeleton, different spelling ("Yasinovataya" for "Yasynuvata").
    Variant,
    /// One edit away ("Belogorod" for "Belgorod").
    Typo,
}

/// The parts of a candidate's score, so a caller can see why it ranks where it does.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Rank {
    /// How well the name matched.
    pub name: f32,
    /// Population prior (log scale).
    pub population: f32,
    /// Feature prior: countries, capitals, regions over hamlets and historical places.
    pub feature: f32,
    /// Border-region prior.
    pub region: f32,
    /// Caller context: country, region and nearby point.
    pub context: f32,
}

impl Rank {
    /// The score: the sum of the parts.
    pub fn total(&self) -> f32 {
        self.name + self.population + self.feature + self.region + self.context
    }
}

/// One place a name may refer to.
#[derive(Debug, Clone)]
pub struct Candidate<'g> {
    /// Its id in the gazetteer.
    pub id: PlaceId,
    /// The place.
    pub place: &'g Place,
    /// The name of the place that matched the query.
    pub matched_name: &'g str,
    /// How it matched.
    pub how: MatchKind,
    /// Why it ranks where it does.
    pub rank: Rank,
}

impl Candidate<'_> {
    /// The candidate's score.
    pub fn score(&self) -> f32 {
        self.rank.total()
    }

    /// A one-line human explanation of the rank.
    pub fn explain(&self) -> String {
        let r = &self.rank;
        format!(
            "{:?} {:?} ({:+.2}), population {} ({:+.2}), {} ({:+.2}), region ({:+.2}), context ({:+.2}) = {:.2}",
            self.how,
            self.matched_name,
            r.name,
            self.place.population,
            r.population,
            self.place.feature_code,
            r.feature,
            r.region,
            r.context,
            r.total()
        )
    }
}

/// What a name resolves to.
#[derive(Debug, Clone)]
pub enum Resolution<'g> {
    /// One clear best place; the runner-up, if any, is far behind or the same spot.
    Unique(Candidate<'g>),
    /// Several places are close in rank and far apart: the caller decides with context.
    Ambiguous(Vec<Candidate<'g>>),
    /// No place has this name.
    NotFound,
}

/// Candidates this far behind the best are not a real alternative.
const AMBIGUITY_MARGIN: f32 = 0.75;
/// Two candidates this close together are the same spot for mapping purposes.
const SAME_SPOT_METERS: f64 = 50_000.0;
/// Variants further from the query than this (1 minus normalized edit distance) are
/// different names that happen to share consonants.
const MIN_VARIANT_SIMILARITY: f32 = 0.7;
/// The same for a place with no population recorded.
const MIN_VARIANT_SIMILARITY_UNCOUNTED: f32 = 0.8;
/// The population every populated place counts as at least (see `rank`).
const VILLAGE_PEOPLE: u64 = 1_000;
/// Longest query looked up; longer text is not a place name.
const MAX_QUERY_BYTES: usize = 200;

impl Gazetteer {
    /// Ranked candidates for a name, best first; empty when nothing matches.
    ///
    /// Never fails: empty, overlong or control-character queries have no candidates.
    pub fn lookup<'g>(&'g self, name: &str, context: &LookupContext) -> Vec<Candidate<'g>> {
        if name.len() > MAX_QUERY_BYTES || name.chars().any(|ch| ch.is_control()) {
            return Vec::new();
        }
        let mut key = String::with_capacity(name.len() + 8);
        fold_into(name, &mut key);
        if key.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<(Entry, MatchKind)> = Vec::new();
        for entry in self.index.get(key_hash(KeySpace::Exact, key.as_bytes())) {
            let how = match entry.role {
                NameRole::Primary => MatchKind::Name,
                NameRole::Alternate => MatchKind::AlternateName,
                NameRole::RegionBase => MatchKind::RegionName,
                NameRole::Demonym => MatchKind::Demonym,
            };
            found.push((entry, how));
        }

        let latin = is_latin_key(&key);
        // An exact hit (other than a region's bare name) settles the spelling; otherwise a
        // variant spelling of a place in a country of competing romanizations may be meant.
        let settled = found.iter().any(|(_, how)| *how != MatchKind::RegionName);
        // A region written beside the name that holds none of its exact hits may hold a
        // village spelled another way ("Kuibyshevo, Zaporizhzhia region" for Kuibysheve,
        // when Kuibyshevo is also a village in Crimea): variants inside it are looked for.
        let inside = |entry: &Entry| {
            context.within.iter().any(|within| within.holds(&self.summaries[entry.place as usize]))
        };
        let within_missed =
            !context.within.is_empty() && !found.iter().any(|(entry, _)| inside(entry));
        if latin && (!settled || within_missed) && !self.is_common_key(&key) {
            if let Some(skel) = skeleton(&key).filter(|skel| skeleton_strength(skel) >= 4) {
                let syllables = vowel_groups(&key);
                let mut scratch = String::new();
                for entry in self.index.get(key_hash(KeySpace::Skeleton, skel.as_bytes())) {
                    if found.iter().any(|(seen, _)| seen.place == entry.place) {
                        continue;
                    }
                    let place = &self.summaries[entry.place as usize];
                    if !(place.country.is_one_of(ROMANIZED) || place.population >= 100_000) {
                        continue;
                    }
                    // Romanizations change vowels, not how many syllables a name has:
                    // "Peskov" is not "Pskov", "Chornobyl" is not "Carnaubal".
                    fold_into(self.pool.get(entry.name), &mut scratch);
                    // Thirty thousand villages of no recorded size (a country's full dump)
                    // make the skeletons crowded: a spelling of one must be closer, or a
                    // surname spelled the German way ("Klitschko") meets one ("Klitsko").
                    let needed = if place.population == 0 {
                        MIN_VARIANT_SIMILARITY_UNCOUNTED
                    } else {
                        MIN_VARIANT_SIMILARITY
                    };
                    if vowel_groups(&scratch) == syllables
                        && similarity(&key, &scratch) >= needed
                        && (!settled || inside(&entry))
                    {
                        found.push((entry, MatchKind::Variant));
                    }
                }
            }
            if found.is_empty() && context.fuzzy && key.len() >= 7 {
                self.typo_candidates(&key, &mut found);
            }
        }

        // A country name never resolves to a town: "Russia" is not Russia, Ohio.
        // An old or foreign name of a country ("Tunis" for Tunisia) yields to a big town
        // that bears the name as its own.
        let town_by_own_name = found.iter().any(|(entry, how)| {
            let place = &self.summaries[entry.place as usize];
            *how == MatchKind::Name
                && place.kind == PlaceKind::Populated
                && place.population >= 100_000
        });
        let country_hit = found.iter().any(|(entry, how)| {
            self.summaries[entry.place as usize].kind == PlaceKind::Country
                && (matches!(how, MatchKind::Name | MatchKind::Demonym)
                    || (*how == MatchKind::AlternateName && !town_by_own_name))
        });
        if country_hit {
            found.retain(|(entry, _)| {
                !matches!(
                    self.summaries[entry.place as usize].kind,
                    PlaceKind::Populated | PlaceKind::Feature
                )
            });
        }

        let mut scratch = String::new();
        let acronym = name.chars().filter(|c| c.is_uppercase()).count() >= 2
            && !name.chars().any(char::is_lowercase);
        let admin1: Vec<(CountryCode, u64)> =
            context.admin1.iter().map(|(country, code)| (*country, admin1_key(code))).collect();
        // The points to be near as unit vectors, once: a candidate's nearest is then a few
        // multiplications away, not a haversine per point.
        let near: Vec<[f64; 3]> =
            context.near.iter().map(|point| unit_vector(point.x(), point.y())).collect();
        let mut scored: Vec<(Entry, MatchKind, Rank)> = found
            .into_iter()
            .map(|(entry, how)| {
                let summary = &self.summaries[entry.place as usize];
                // The matched name is read only where it changes the rank.
                let matched_name = if how == MatchKind::Variant || acronym {
                    self.pool.get(entry.name)
                } else {
                    ""
                };
                let mut rank = rank(
                    summary,
                    how,
                    &key,
                    matched_name,
                    &Scoring { context, admin1: &admin1, near: &near },
                    &mut scratch,
                );
                // "EU" in capitals is the European Union, not the French town of Eu.
                if acronym && !matched_name.chars().all(|c| !c.is_lowercase()) {
                    rank.name -= 1.5;
                }
                (entry, how, rank)
            })
            .collect();
        scored.sort_by(|a, b| b.2.total().total_cmp(&a.2.total()).then(a.0.place.cmp(&b.0.place)));
        scored.dedup_by_key(|(entry, _, _)| entry.place);
        scored.truncate(context.limit.max(1));
        scored
            .into_iter()
            .map(|(entry, how, rank)| Candidate {
                id: PlaceId(entry.place),
                place: &self.places[entry.place as usize],
                matched_name: self.pool.get(entry.name),
                how,
                rank,
            })
            .collect()
    }

    /// Resolves a name: one place, an ambiguity to settle with context, or nothing.
    pub fn resolve<'g>(&'g self, name: &str, context: &LookupContext) -> Resolution<'g> {
        let mut candidates = self.lookup(name, context);
        if candidates.is_empty() {
            return Resolution::NotFound;
        }
        let best = candidates[0].clone();
        let rivals: Vec<Candidate<'g>> = candidates
            .drain(1..)
            .filter(|rival| {
                best.score() - rival.score() < AMBIGUITY_MARGIN
                    && Haversine.distance(best.place.point(), rival.place.point())
                        > SAME_SPOT_METERS
            })
            .collect();
        if rivals.is_empty() {
            return Resolution::Unique(best);
        }
        let mut all = vec![best];
        all.extend(rivals);
        Resolution::Ambiguous(all)
    }

    fn is_common_key(&self, key: &str) -> bool {
        self.common_words.contains(&key_hash(KeySpace::Exact, key.as_bytes()))
    }

    /// Probes every string one edit (delete, transpose, substitute, insert) away from the
    /// key; only places that matter enough to be misspelt in the news are kept.
    fn typo_candidates(&self, key: &str, found: &mut Vec<(Entry, MatchKind)>) {
        const WITH_SPACE: &[u8] = b"abcdefghijklmnopqrstuvwxyz ";
        let bytes = key.as_bytes();
        // A one-word query misspells a one-word name far more often than it drops a space.
        let alphabet = if bytes.contains(&b' ') { WITH_SPACE } else { &WITH_SPACE[..26] };
        let edits = EditHasher::new(bytes);
        let probe = |hash: u64, found: &mut Vec<(Entry, MatchKind)>| {
            if !self.index.may_hold_exact(hash) {
                return;
            }
            for entry in self.index.get(hash) {
                let place = &self.places[entry.place as usize];
                let notable =
                    place.population >= 5_000 || !matches!(place.kind, PlaceKind::Populated);
                if notable
                    && entry.role != NameRole::RegionBase
                    && !found.iter().any(|(seen, _)| seen.place == entry.place)
                {
                    found.push((entry, MatchKind::Typo));
                }
            }
        };
        for i in 0..bytes.len() {
            probe(edits.delete(i), found);
            if i + 1 < bytes.len() && bytes[i] != bytes[i + 1] {
                probe(edits.transpose(i), found);
            }
            for &letter in alphabet {
                if letter != bytes[i] {
                    probe(edits.substitute(i, letter), found);
                }
            }
        }
        for i in 0..=bytes.len() {
            for &letter in alphabet {
                probe(edits.insert(i, letter), found);
            }
        }
    }
}

/// The caller's context as ranking reads it, prepared once per lookup.
struct Scoring<'a> {
    context: &'a LookupContext,
    /// The context's admin-1 regions, by hash.
    admin1: &'a [(CountryCode, u64)],
    /// The context's points to be near, as unit vectors.
    near: &'a [[f64; 3]],
}

/// The unit vector of a point on the sphere.
fn unit_vector(lon: f64, lat: f64) -> [f64; 3] {
    let (lon, lat) = (lon.to_radians(), lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Scores one candidate; the parts are kept in the `Rank`.
fn rank(
    place: &Summary,
    how: MatchKind,
    key: &str,
    matched_name: &str,
    scoring: &Scoring<'_>,
    scratch: &mut String,
) -> Rank {
    let Scoring { context, admin1, near } = *scoring;
    let name = match how {
        MatchKind::Name => 3.0,
        MatchKind::AlternateName => 2.8,
        MatchKind::Demonym => 2.8,
        MatchKind::RegionName => 1.5,
        MatchKind::Variant => {
            fold_into(matched_name, scratch);
            1.2 + 0.8 * similarity(key, scratch)
        }
        MatchKind::Typo => 0.9,
    };
    // Regions carry no population in the sources; matched by one of their own names they
    // count as 300,000 people, so a bare "California" is the state but a bare "Donetsk"
    // is still the city.
    let exact = matches!(how, MatchKind::Name | MatchKind::AlternateName | MatchKind::RegionName);
    // A town's population separates towns, not villages: GeoNames has none for two Ukrainian
    // villages in three, and a village of 400 is not likelier news than one of no count, so
    // every populated place counts as at least a village of 1,000.
    let people = if place.population == 0 && place.kind == PlaceKind::Admin1 && exact {
        300_000
    } else if place.kind == PlaceKind::Populated {
        place.population.max(VILLAGE_PEOPLE)
    } else {
        place.population
    };
    let population = if people > 0 { 0.35 * (people as f32).log10() } else { 0.0 };
    let region =
        if context.region_prior && place.country.is_one_of(BORDER_REGION) { 0.6 } else { 0.0 };
    let mut in_context = 0.0;
    if place.kind != PlaceKind::Country && context.countries.contains(&place.country) {
        in_context += 1.5;
    }
    if place.admin1 != 0
        && place.kind != PlaceKind::Admin1
        && admin1.iter().any(|&(country, code)| country == place.country && code == place.admin1)
    {
        in_context += 1.0;
    }
    if !near.is_empty() {
        // The nearest point has the largest dot product; its chord gives the great-circle
        // distance exactly (the sphere of `Haversine`).
        let point = unit_vector(place.lon, place.lat);
        let dot = near
            .iter()
            .map(|v| v[0] * point[0] + v[1] * point[1] + v[2] * point[2])
            .fold(f64::NEG_INFINITY, f64::max);
        let chord = (2.0 - 2.0 * dot.clamp(-1.0, 1.0)).max(0.0).sqrt();
        let meters = 2.0 * geo::Haversine.radius() * (chord / 2.0).min(1.0).asin();
        // Near in the region's sense (150 km) and in the village's (15 km): of two namesake
        // villages the one beside the other places named wins.
        in_context += (2.0 * (-meters / 150_000.0).exp() + (-meters / 15_000.0).exp()) as f32;
    }
    // "In Kharkiv's Kupiansk raion": inside the oblast counts, inside the raion too.
    let held = context.within.iter().filter(|within| within.holds(place)).count();
    if held > 0 {
        in_context += WITHIN_BONUS + (held - 1) as f32;
    }
    Rank { name, population, feature: place.feature, region, context: in_context }
}

/// Number of vowel runs in a folded key (`y` counts as a vowel): a syllable count that
/// survives transliteration.
fn vowel_groups(key: &str) -> usize {
    let mut groups = 0;
    let mut in_vowel = false;
    for byte in key.bytes() {
        let vowel = matches!(byte, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
        if vowel && !in_vowel {
            groups += 1;
        }
        in_vowel = vowel;
    }
    groups
}

/// 1 minus the normalized Levenshtein distance of two keys.
fn similarity(a: &str, b: &str) -> f32 {
    let a = a.as_bytes();
    let b = b.as_bytes();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    1.0 - previous[b.len()] as f32 / a.len().max(b.len()) as f32
}
