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
    /// A point the place is probably near (a place resolved nearby in the text).
    pub near: Option<geo::Point<f64>>,
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
            near: None,
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
        if latin && !settled && !self.is_common_key(&key) {
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
                    if vowel_groups(&scratch) == syllables
                        && similarity(&key, &scratch) >= MIN_VARIANT_SIMILARITY
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
                let mut rank =
                    rank(summary, how, &key, matched_name, context, &admin1, &mut scratch);
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

/// Scores one candidate; the parts are kept in the `Rank`.
fn rank(
    place: &Summary,
    how: MatchKind,
    key: &str,
    matched_name: &str,
    context: &LookupContext,
    admin1: &[(CountryCode, u64)],
    scratch: &mut String,
) -> Rank {
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
    let people = if place.population == 0 && place.kind == PlaceKind::Admin1 && exact {
        300_000
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
    if let Some(near) = context.near {
        let km = Haversine.distance(near, geo::Point::new(place.lon, place.lat)) / 1000.0;
        in_context += (2.0 * (-km / 150.0).exp()) as f32;
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
