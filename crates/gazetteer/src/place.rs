//! The place record and its small value types.

use compact_str::CompactString;
use serde::Serialize;

/// Index of a place inside one [`crate::Gazetteer`]; not stable across builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PlaceId(pub u32);

/// ISO 3166-1 alpha-2 country code, upper case (`UA`); `ZZ` when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// The code for places with no country (seas, the unknown).
    pub const NONE: CountryCode = CountryCode(*b"ZZ");

    /// Parses a two-letter code, case-insensitively; `None` for anything else.
    pub fn parse(code: &str) -> Option<CountryCode> {
        let bytes = code.trim().as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        Some(CountryCode([bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()]))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }

    /// True when the code is one of `codes` (upper-case two-letter strings); compares bytes.
    pub fn is_one_of(&self, codes: &[&str]) -> bool {
        codes.iter().any(|code| code.as_bytes() == self.0)
    }

    pub(crate) fn to_bytes(self) -> [u8; 2] {
        self.0
    }

    pub(crate) fn from_bytes(bytes: [u8; 2]) -> CountryCode {
        CountryCode::parse(std::str::from_utf8(&bytes).unwrap_or("ZZ")).unwrap_or(CountryCode::NONE)
    }
}

impl std::fmt::Display for CountryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What sort of place a row is; drives the priors in ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// A sovereign country (GeoNames `PCLI` and kin).
    Country,
    /// A first-level region: oblast, krai, voivodeship, state.
    Admin1,
    /// A named area that is not an administrative unit: Donbas, a sea, "eastern Ukraine".
    Area,
    /// A populated place: city, town, village.
    Populated,
    /// A point feature: bridge, dam, power plant, border crossing, air base.
    Feature,
}

impl PlaceKind {
    pub(crate) fn to_byte(self) -> u8 {
        match self {
            PlaceKind::Country => 0,
            PlaceKind::Admin1 => 1,
            PlaceKind::Area => 2,
            PlaceKind::Populated => 3,
            PlaceKind::Feature => 4,
        }
    }

    pub(crate) fn from_byte(byte: u8) -> Option<PlaceKind> {
        Some(match byte {
            0 => PlaceKind::Country,
            1 => PlaceKind::Admin1,
            2 => PlaceKind::Area,
            3 => PlaceKind::Populated,
            4 => PlaceKind::Feature,
            _ => return None,
        })
    }

    /// The kind a GeoNames feature class and code stand for.
    pub fn from_feature(class: &str, code: &str) -> PlaceKind {
        match (class, code) {
            ("A", "PCLI" | "PCLD" | "PCLF" | "PCLS" | "PCL" | "PCLIX") => PlaceKind::Country,
            ("A", "ADM1" | "ADM1H") => PlaceKind::Admin1,
            ("P", _) => PlaceKind::Populated,
            ("A" | "L" | "H" | "T", _) => PlaceKind::Area,
            _ => PlaceKind::Feature,
        }
    }
}

/// One place of the gazetteer.
///
/// # Units
///
/// `lon` and `lat` are WGS84 degrees; `population` is a head count (0 when unknown).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// GeoNames id, when the place comes from GeoNames or a curated row names one.
    pub geonameid: Option<u32>,
    /// The curated row's id (`feature-kerch-bridge`), for places GeoNames lacks.
    pub curated_id: Option<CompactString>,
    /// Preferred name.
    pub name: CompactString,
    /// Longitude, degrees east.
    pub lon: f64,
    /// Latitude, degrees north.
    pub lat: f64,
    /// Country the place lies in.
    pub country: CountryCode,
    /// GeoNames admin1 code within the country (`05` for Donetsk Oblast), may be empty.
    pub admin1: CompactString,
    /// GeoNames admin2 code (`1416` for Pokrovsk Raion; for Ukraine the digits of its
    /// KATOTTG raion code), may be empty.
    pub admin2: CompactString,
    /// GeoNames feature class (`P`, `A`, `S`, ...).
    pub feature_class: char,
    /// GeoNames feature code (`PPLA`, `ADM1`, `BDG`, ...).
    pub feature_code: CompactString,
    /// Population, 0 when unknown.
    pub population: u64,
    /// What sort of place this is.
    pub kind: PlaceKind,
}

impl Place {
    /// A stable textual id: `geonames:706483` or `curated:feature-kerch-bridge`.
    pub fn stable_id(&self) -> String {
        match (&self.curated_id, self.geonameid) {
            (Some(id), _) => format!("curated:{id}"),
            (None, Some(id)) => format!("geonames:{id}"),
            (None, None) => format!("unknown:{}", self.name),
        }
    }

    /// The point as a `geo_types` point (x = longitude, y = latitude).
    pub fn point(&self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }
}
