//! Event filters: parsed from query parameters (the HTTP API, OGC API - Features, the
//! `export` command), validated with a message that names the parameter, and turned into
//! SQL with bound parameters only.

use rusqlite::types::Value;

/// The event types of ../shared/EVENTS.md.
pub const EVENT_TYPES: [&str; 15] = [
    "shelling",
    "air_drone_strike",
    "explosion",
    "interception",
    "armed_clash",
    "territory_change",
    "attack_on_civilians",
    "troop_movement",
    "military_exercise",
    "border_incident",
    "evacuation",
    "infrastructure_damage",
    "arrest",
    "protest",
    "other",
];

/// A bad filter parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct FilterError {
    /// The query parameter at fault.
    pub parameter: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl FilterError {
    /// An error about `parameter`.
    pub fn new(parameter: &'static str, message: impl Into<String>) -> FilterError {
        FilterError { parameter, message: message.into() }
    }
}

/// Which events to return. Empty lists and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// `[min_lon, min_lat, max_lon, max_lat]`; `min_lon > max_lon` crosses the antimeridian.
    pub bbox: Option<[f64; 4]>,
    /// First day, inclusive, `YYYY-MM-DD`.
    pub date_from: Option<String>,
    /// Last day, inclusive, `YYYY-MM-DD`.
    pub date_to: Option<String>,
    /// Any of these event types.
    pub event_types: Vec<String>,
    /// Events with any of these sides as actor1 or actor2 (case-insensitive).
    pub actors: Vec<String>,
    /// Any of these ISO country codes.
    pub countries: Vec<String>,
    /// Confidence at least this.
    pub min_confidence: Option<f64>,
    /// Words that must all occur in the evidence or the place name.
    pub text: Option<String>,
}

impl Filter {
    /// Reads the filter parameters (`bbox`, `datetime`, `event_type`, `actor`, `country`,
    /// `min_confidence`, `q`) and ignores every other key.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Filter, FilterError> {
        let mut filter = Filter::default();
        for (key, value) in params {
            match key {
                "bbox" => filter.bbox = Some(parse_bbox(value)?),
                "datetime" => {
                    let (from, to) = datetime_range(value)?;
                    filter.date_from = from;
                    filter.date_to = to;
                }
                "event_type" => {
                    for name in list(value) {
                        if !EVENT_TYPES.contains(&name) {
                            return Err(FilterError::new(
                                "event_type",
                                format!(
                                    "unknown event type {name:?}; known: {}",
                                    EVENT_TYPES.join(", ")
                                ),
                            ));
                        }
                        filter.event_types.push(name.to_owned());
                    }
                }
                "actor" => filter.actors.extend(list(value).map(str::to_owned)),
                "country" => {
                    for code in list(value) {
                        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
                            return Err(FilterError::new(
                                "country",
                                format!("{code:?} is not a two-letter ISO country code"),
                            ));
                        }
                        filter.countries.push(code.to_ascii_uppercase());
                    }
                }
                "min_confidence" => {
                    let value = parse_number("min_confidence", value)?;
                    if !(0.0..=1.0).contains(&value) {
                        return Err(FilterError::new("min_confidence", "must be between 0 and 1"));
                    }
                    filter.min_confidence = Some(value);
                }
                "q" => {
                    let words = value.split_whitespace().count();
                    if words > 32 || value.len() > 512 {
                        return Err(FilterError::new("q", "at most 32 words and 512 bytes"));
                    }
                    filter.text = (words > 0).then(|| value.to_owned());
                }
                _ => {}
            }
        }
        Ok(filter)
    }

    /// The `WHERE` clause for events aliased `e`, and its bound values.
    pub(crate) fn sql(&self) -> (String, Vec<Value>) {
        self.sql_with(true)
    }

    /// [`Filter::sql`] with the box tested on each row's point only, not first through the
    /// R*Tree: for a scan in another index's order that most of the box's events pass.
    pub(crate) fn row_sql(&self) -> (String, Vec<Value>) {
        self.sql_with(false)
    }

    fn sql_with(&self, rtree: bool) -> (String, Vec<Value>) {
        let mut clauses: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some([min_lon, min_lat, max_lon, max_lat]) = self.bbox {
            let lon = if min_lon <= max_lon {
                "r.min_lon <= ? AND r.max_lon >= ?"
            } else {
                "(r.min_lon <= ? OR r.max_lon >= ?)"
            };
            if rtree {
                clauses.push(format!(
                    "e.rid IN (SELECT r.rid FROM events_rtree r WHERE {lon} AND r.min_lat <= ? AND r.max_lat >= ?)"
                ));
                values.extend([max_lon, min_lon, max_lat, min_lat].map(Value::Real));
            }
            // The R*Tree keeps 32-bit boxes: test the exact point too.
            let lon_exact = if min_lon <= max_lon {
                "e.lon BETWEEN ? AND ?"
            } else {
                "(e.lon >= ? OR e.lon <= ?)"
            };
            clauses.push(format!("{lon_exact} AND e.lat BETWEEN ? AND ?"));
            values.extend([min_lon, max_lon, min_lat, max_lat].map(Value::Real));
        }
        self.column_clauses(&mut clauses, &mut values);
        if let Some(words) = self.fts_query() {
            clauses.push(
                "e.rid IN (SELECT event_rid FROM events_fts WHERE events_fts MATCH ?)".to_owned(),
            );
            values.push(Value::Text(words));
        }
        (joined(&clauses), values)
    }

    /// The clauses on the event's own columns (dates, types, actors, countries,
    /// confidence), for any table aliased `e` that has them under the events' names; the
    /// box and the words are left to the caller ([`Filter::contains`], [`Filter::fts_query`]).
    pub(crate) fn column_sql(&self) -> (String, Vec<Value>) {
        let mut clauses: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        self.column_clauses(&mut clauses, &mut values);
        (joined(&clauses), values)
    }

    fn column_clauses(&self, clauses: &mut Vec<String>, values: &mut Vec<Value>) {
        if let Some(from) = &self.date_from {
            clauses.push("e.date >= ?".to_owned());
            values.push(Value::Text(from.clone()));
        }
        if let Some(to) = &self.date_to {
            clauses.push("e.date <= ?".to_owned());
            values.push(Value::Text(to.clone()));
        }
        if !self.event_types.is_empty() {
            clauses.push(format!("e.event_type IN ({})", placeholders(self.event_types.len())));
            values.extend(self.event_types.iter().cloned().map(Value::Text));
        }
        if !self.actors.is_empty() {
            let marks = placeholders(self.actors.len());
            clauses.push(format!("(lower(e.actor1) IN ({marks}) OR lower(e.actor2) IN ({marks}))"));
            for _ in 0..2 {
                values.extend(self.actors.iter().map(|actor| Value::Text(actor.to_lowercase())));
            }
        }
        if !self.countries.is_empty() {
            clauses.push(format!("e.country_code IN ({})", placeholders(self.countries.len())));
            values.extend(self.countries.iter().cloned().map(Value::Text));
        }
        if let Some(min) = self.min_confidence {
            clauses.push("e.confidence >= ?".to_owned());
            values.push(Value::Real(min));
        }
    }

    /// Whether the box, if any, holds the point (edges included; a box whose west edge is
    /// east of its east edge crosses the antimeridian), as [`Filter::sql`] tests it.
    pub(crate) fn contains(&self, lon: f64, lat: f64) -> bool {
        let Some([min_lon, min_lat, max_lon, max_lat]) = self.bbox else { return true };
        let lon_inside = if min_lon <= max_lon {
            (min_lon..=max_lon).contains(&lon)
        } else {
            lon >= min_lon || lon <= max_lon
        };
        lon_inside && (min_lat..=max_lat).contains(&lat)
    }

    /// Whether the filter has nothing but (perhaps) a box.
    pub(crate) fn at_most_box(&self) -> bool {
        self == &Filter { bbox: self.bbox, ..Filter::default() }
    }

    /// The words as an FTS5 query, when the filter has words.
    pub(crate) fn fts_query(&self) -> Option<String> {
        self.text.as_deref().map(fts_query)
    }
}

fn joined(clauses: &[String]) -> String {
    if clauses.is_empty() { "1".to_owned() } else { clauses.join(" AND ") }
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(",")
}

fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|item| !item.is_empty())
}

fn parse_number(parameter: &'static str, value: &str) -> Result<f64, FilterError> {
    match value.trim().parse::<f64>() {
        Ok(number) if number.is_finite() => Ok(number),
        _ => Err(FilterError::new(parameter, format!("{value:?} is not a number"))),
    }
}

/// Every word as a quoted FTS5 string: the user's text can never be read as FTS5 syntax.
fn fts_query(text: &str) -> String {
    text.split_whitespace()
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_bbox(value: &str) -> Result<[f64; 4], FilterError> {
    let numbers: Vec<&str> = value.split(',').collect();
    if numbers.len() != 4 {
        return Err(FilterError::new(
            "bbox",
            "expected four numbers: min_lon,min_lat,max_lon,max_lat",
        ));
    }
    let mut out = [0.0; 4];
    for (slot, text) in out.iter_mut().zip(&numbers) {
        *slot = parse_number("bbox", text)?;
    }
    let [min_lon, min_lat, max_lon, max_lat] = out;
    if ![min_lon, max_lon].iter().all(|lon| (-180.0..=180.0).contains(lon)) {
        return Err(FilterError::new("bbox", "longitudes must be within -180..180"));
    }
    if ![min_lat, max_lat].iter().all(|lat| (-90.0..=90.0).contains(lat)) {
        return Err(FilterError::new("bbox", "latitudes must be within -90..90"));
    }
    if min_lat > max_lat {
        return Err(FilterError::new("bbox", "min_lat is greater than max_lat"));
    }
    Ok(out)
}

/// An RFC 3339 date-time (or a bare date), or an interval `start/end` with `..` or an
/// empty side for open ends, as the inclusive UTC days it covers.
pub fn datetime_range(value: &str) -> Result<(Option<String>, Option<String>), FilterError> {
    let value = value.trim();
    let bound = |side: &str| -> Result<Option<String>, FilterError> {
        if side.is_empty() || side == ".." {
            return Ok(None);
        }
        utc_day(side).map(Some).ok_or_else(|| {
            FilterError::new(
                "datetime",
                format!("{side:?} is not an RFC 3339 date-time such as 2022-10-08T00:00:00Z"),
            )
        })
    };
    match value.split_once('/') {
        Some((start, end)) => {
            let (from, to) = (bound(start)?, bound(end)?);
            if let (Some(from), Some(to)) = (&from, &to)
                && from > to
            {
                return Err(FilterError::new("datetime", "the interval ends before it starts"));
            }
            if from.is_none() && to.is_none() && !(start == ".." || end == "..") {
                return Err(FilterError::new("datetime", "an interval needs at least one end"));
            }
            Ok((from, to))
        }
        None if value.is_empty() || value == ".." => {
            Err(FilterError::new("datetime", "expected a date-time or an interval"))
        }
        None => {
            let day = bound(value)?;
            Ok((day.clone(), day))
        }
    }
}

/// The UTC day of an RFC 3339 date-time or a `YYYY-MM-DD` date.
fn utc_day(text: &str) -> Option<String> {
    let date = extract::Date::parse(text.get(..10)?)?;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(date.to_string());
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    let (hour, minute, second) = (rest.get(..2)?, rest.get(3..5)?, rest.get(6..8)?);
    if !(digits(hour) && digits(minute) && digits(second))
        || rest.get(2..3)? != ":"
        || rest.get(5..6)? != ":"
    {
        return None;
    }
    let (hour, minute, second): (i64, i64, i64) =
        (hour.parse().ok()?, minute.parse().ok()?, second.parse().ok()?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut zone = &rest[8..];
    if let Some(fraction) = zone.strip_prefix('.') {
        let end = fraction.find(|c: char| !c.is_ascii_digit()).unwrap_or(fraction.len());
        if end == 0 {
            return None;
        }
        zone = &fraction[end..];
    }
    let offset_minutes = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let (zh, zm) = (zone.get(1..3)?, zone.get(4..6)?);
            if zone.len() != 6 || !digits(zh) || !digits(zm) || zone.get(3..4)? != ":" {
                return None;
            }
            sign * (zh.parse::<i64>().ok()? * 60 + zm.parse::<i64>().ok()?)
        }
    };
    let minutes = hour * 60 + minute - offset_minutes;
    Some(date.add_days(minutes.div_euclid(24 * 60)).to_string())
}
