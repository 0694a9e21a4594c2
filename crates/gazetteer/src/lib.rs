//! The border-region gazetteer: place names in every spelling, resolved to ranked places.
//!
//! The gazetteer owns a table of [`Place`]s (GeoNames populated places, countries,
//! Natural Earth first-level regions, districts and curated features such as the Kerch
//! Bridge) and an index from every name they are known by to the places that carry it.
//! [`Gazetteer::lookup`] answers a name with ranked [`Candidate`]s, each with the reason for
//! its rank; [`Gazetteer::resolve`] turns those into a [`Resolution`] that keeps ambiguity
//! as a value for the caller to settle with context.
//!
//! The key design decision is how names meet: every name is folded to one key
//! (lowercase, no diacritics, Cyrillic romanized, apostrophes dropped) and also reduced to
//! a romanization *skeleton* that maps together the letters Ukrainian-based and
//! Russian-based romanizations disagree on (`Horlivka`/`Gorlovka`, `Avdiivka`/`Avdeyevka`).
//! Both go into one hashed, sorted index that loads from a snapshot without rebuilding, so
//! start-up stays fast; typos one edit away are found by probing the query's edits,
//! which costs no memory. See `normalize` for the keys and ARCHITECTURE.md for why.
//!
//! The crate does no IO of its own: it builds from readers ([`GazetteerBuilder`]) and
//! loads from a reader ([`Gazetteer::from_reader`]). It knows nothing about articles.
//!
//! ```
//! use gazetteer::{GazetteerBuilder, LookupContext};
//!
//! let rows = "706483\tKharkiv\tKharkiv\tKharkov,Харків\t49.98081\t36.25272\tP\tPPLA\tUA\t\t07\t\t\t\t1433886\t\t113\tEurope/Kyiv\t2023-01-22\n";
//! let mut builder = GazetteerBuilder::new();
//! builder.add_geonames("mini", rows.as_bytes());
//! let (gazetteer, _diagnostics) = builder.build();
//! let candidates = gazetteer.lookup("Kharkov", &LookupContext::none());
//! assert_eq!(candidates[0].place.name, "Kharkiv");
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod builder;
mod error;
mod index;
mod lookup;
pub mod normalize;
mod place;
mod snapshot;
mod spatial;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use compact_str::CompactString;

pub use crate::builder::{Diagnostic, DumpReport, GazetteerBuilder, KatottgReport, KatottgRow};
pub use crate::error::{Error, Result};
pub use crate::lookup::{
    BORDER_REGION, Candidate, LookupContext, MatchKind, Rank, Resolution, Within,
};
pub use crate::place::{CountryCode, Place, PlaceId, PlaceKind};
pub use crate::spatial::Nearby;

use crate::index::NameIndex;

/// What ranking reads of a place, packed in one cache line: the full `Place` records are
/// scattered and cost several cache misses each.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Summary {
    pub(crate) population: u64,
    pub(crate) lon: f64,
    pub(crate) lat: f64,
    /// Hash of the admin-1 code (0 when there is none), compared with the caller's context.
    pub(crate) admin1: u64,
    /// Hash of the admin-2 code (0 when there is none).
    pub(crate) admin2: u64,
    /// Feature prior: continents, countries, regions and curated places over hamlets.
    pub(crate) feature: f32,
    pub(crate) country: CountryCode,
    pub(crate) kind: PlaceKind,
}

/// The hash an admin-1 code is compared by.
pub(crate) fn admin1_key(code: &str) -> u64 {
    if code.is_empty() {
        return 0;
    }
    index::key_hash(index::KeySpace::Exact, code.as_bytes()) | 1
}

/// The feature prior of a place, in score points.
fn feature_prior(place: &Place) -> f32 {
    let curated = place.curated_id.is_some();
    match place.kind {
        PlaceKind::Country => 2.5,
        PlaceKind::Admin1 => 1.2,
        PlaceKind::Area if place.feature_code == "CONT" => 3.0,
        PlaceKind::Area | PlaceKind::Feature if curated => 2.2,
        PlaceKind::Area => 0.3,
        PlaceKind::Feature => 0.0,
        PlaceKind::Populated => match place.feature_code.as_str() {
            "PPLC" => 0.8,
            "PPLA" => 1.0,
            "PPLA2" => 0.3,
            "PPLX" => -0.3,
            "PPLH" | "PPLQ" | "PPLW" => -1.0,
            _ => 0.0,
        },
    }
}

/// All names as one buffer with offsets: one allocation instead of millions.
///
/// The buffer is UTF-8 name by name, checked when a name is read rather than as a whole at
/// load: a lookup reads a handful of names, and checking 40 MB of them once cost a fifth of
/// the snapshot's load time. A name that is not UTF-8 (a corrupt snapshot) reads as empty.
#[derive(Debug, Default)]
pub(crate) struct NamePool {
    pub(crate) text: Vec<u8>,
    pub(crate) starts: Vec<u32>,
}

impl NamePool {
    pub(crate) fn push(&mut self, name: &str) -> u32 {
        let id = u32::try_from(self.starts.len()).unwrap_or(u32::MAX);
        self.starts.push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        self.text.extend_from_slice(name.as_bytes());
        id
    }

    pub(crate) fn get(&self, id: u32) -> &str {
        let idx = id as usize;
        let start = self.starts.get(idx).copied().unwrap_or(0) as usize;
        let end = self.starts.get(idx + 1).map_or(self.text.len(), |&end| end as usize);
        self.text.get(start..end).and_then(|bytes| std::str::from_utf8(bytes).ok()).unwrap_or("")
    }
}

/// The place index. Build it with [`GazetteerBuilder`] or load a snapshot with
/// [`Gazetteer::from_reader`].
///
/// Useful for: resolving names from news text, reverse lookups around a point.
/// Not useful for: polygon containment (places are points), editing (it is immutable;
/// rebuild to change it).
#[derive(Debug)]
pub struct Gazetteer {
    places: Vec<Place>,
    summaries: Vec<Summary>,
    pool: NamePool,
    index: NameIndex,
    common_words: HashSet<u64, BuildHasherDefault<index::KeyHasher>>,
    countries: HashMap<CountryCode, PlaceId>,
    admin1: HashMap<(CountryCode, CompactString), PlaceId>,
    admin2: HashMap<(CountryCode, CompactString), PlaceId>,
    /// KATOTTG's oblasts, raions and hromadas: code prefix (`UA23`, `UA2310`, `UA2310027`)
    /// → official name, romanized.
    units: HashMap<CompactString, CompactString>,
    /// Countries whose every GeoNames place is in (a full dump was added), sorted.
    full_countries: Vec<CountryCode>,
    /// Ukrainian settlements joined to KATOTTG: (place id, the code's 17 digits), by id.
    katottg: Vec<(u32, u64)>,
    spatial: OnceLock<spatial::SpatialIndex>,
}

impl Gazetteer {
    pub(crate) fn assemble(
        places: Vec<Place>,
        pool: NamePool,
        index: NameIndex,
        common_words: Vec<u64>,
    ) -> Gazetteer {
        let mut countries = HashMap::new();
        let mut admin1 = HashMap::new();
        let mut admin2 = HashMap::new();
        for (idx, place) in places.iter().enumerate() {
            let id = PlaceId(u32::try_from(idx).unwrap_or(u32::MAX));
            match place.kind {
                PlaceKind::Country => {
                    countries.entry(place.country).or_insert(id);
                }
                PlaceKind::Admin1 if !place.admin1.is_empty() => {
                    admin1.entry((place.country, place.admin1.clone())).or_insert(id);
                }
                PlaceKind::Area if place.feature_code == "ADM2" && !place.admin2.is_empty() => {
                    admin2.entry((place.country, place.admin2.clone())).or_insert(id);
                }
                _ => {}
            }
        }
        let common_words = common_words.into_iter().collect();
        let summaries = places
            .iter()
            .map(|place| Summary {
                population: place.population,
                lon: place.lon,
                lat: place.lat,
                admin1: admin1_key(&place.admin1),
                admin2: admin1_key(&place.admin2),
                feature: feature_prior(place),
                country: place.country,
                kind: place.kind,
            })
            .collect();
        Gazetteer {
            places,
            summaries,
            pool,
            index,
            common_words,
            countries,
            admin1,
            admin2,
            units: HashMap::new(),
            full_countries: Vec::new(),
            katottg: Vec::new(),
            spatial: OnceLock::new(),
        }
    }

    /// Number of places.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// True when the gazetteer holds no place.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Number of (name key, place) pairs in the index.
    pub fn n_index_entries(&self) -> usize {
        self.index.len()
    }

    /// The place with this id, if it exists.
    pub fn place(&self, id: PlaceId) -> Option<&Place> {
        self.places.get(id.0 as usize)
    }

    /// Every place, in id order.
    pub fn places(&self) -> impl Iterator<Item = (PlaceId, &Place)> {
        self.places.iter().enumerate().map(|(idx, place)| (PlaceId(idx as u32), place))
    }

    /// The country place for a code, if the gazetteer has it.
    pub fn country(&self, code: CountryCode) -> Option<&Place> {
        self.countries.get(&code).and_then(|&id| self.place(id))
    }

    /// The first-level region a place lies in, if known.
    pub fn admin1_of(&self, place: &Place) -> Option<&Place> {
        if place.admin1.is_empty() {
            return None;
        }
        self.admin1.get(&(place.country, place.admin1.clone())).and_then(|&id| self.place(id))
    }

    /// The district (raion) a place lies in, if known: GeoNames' admin-2 area of its code.
    pub fn admin2_of(&self, place: &Place) -> Option<&Place> {
        if place.admin2.is_empty() {
            return None;
        }
        self.admin2.get(&(place.country, place.admin2.clone())).and_then(|&id| self.place(id))
    }

    /// Ukraine's official code of a settlement (KATOTTG, `UA23100270150025192`), when the
    /// codifier was joined to the place.
    pub fn katottg(&self, place: PlaceId) -> Option<String> {
        let at = self.katottg.binary_search_by_key(&place.0, |&(id, _)| id).ok()?;
        Some(format!("UA{:017}", self.katottg[at].1))
    }

    /// The official names of the raion and the hromada a Ukrainian settlement belongs to,
    /// romanized (`Polohivskyi`, `Tokmatska`), when KATOTTG was joined to it.
    pub fn katottg_units(&self, place: PlaceId) -> (Option<&str>, Option<&str>) {
        let Some(code) = self.katottg(place) else { return (None, None) };
        let unit = |len: usize| code.get(..len).and_then(|prefix| self.units.get(prefix));
        (unit(6).map(CompactString::as_str), unit(9).map(CompactString::as_str))
    }

    /// Number of settlements joined to KATOTTG.
    pub fn n_katottg_joined(&self) -> usize {
        self.katottg.len()
    }

    /// Countries of which every GeoNames place is known (a full country dump was built in);
    /// of the others, only populated places of 500 people or more (cities500).
    pub fn full_countries(&self) -> &[CountryCode] {
        &self.full_countries
    }

    /// Number of KATOTTG oblasts, raions and hromadas known.
    pub fn n_katottg_units(&self) -> usize {
        self.units.len()
    }

    /// True when `word` is a common English word ("bay", "hope", "march").
    pub fn is_common_word(&self, word: &str) -> bool {
        let key = normalize::fold(word);
        let hash = index::key_hash(index::KeySpace::Exact, key.as_bytes());
        self.common_words.contains(&hash)
    }
}
