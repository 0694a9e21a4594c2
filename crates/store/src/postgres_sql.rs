//! SQL for the PostgreSQL store: [`Filter`] as a `WHERE` clause with numbered bound
//! parameters, and the words of the full-text search made the way SQLite's FTS5
//! `unicode61 remove_diacritics 2` tokenizer makes them, so that both stores match the same
//! events for the same `q`.
//!
//! The words are made here, not by PostgreSQL's text-search parser: that parser reads
//! `example.org` as one host name, `2023-12-30` as the numbers `2023`, `-12` and `-30` and
//! keeps `«` inside a word in the C locale, where FTS5 sees `example` `org`, `2023` `12`
//! `30` and `belgorod`. The stored `tsvector` and the query's `tsquery` are written as
//! literals of already-made words, which PostgreSQL then only compares.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use postgres::types::ToSql;
use unicode_normalization::UnicodeNormalization;

use crate::Filter;

/// One bound value.
pub(crate) type Param = Box<dyn ToSql + Sync + Send>;

/// Bound values in the order of their `$n` placeholders.
#[derive(Default)]
pub(crate) struct Params {
    values: Vec<Param>,
}

impl Params {
    /// Binds a value and returns its placeholder.
    pub(crate) fn bind(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.values.push(Box::new(value));
        format!("${}", self.values.len())
    }

    /// The values as the driver takes them.
    pub(crate) fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.values.iter().map(|value| value.as_ref() as &(dyn ToSql + Sync)).collect()
    }
}

/// A lon/lat rectangle's test on the `(geog::geometry)` GiST index.
fn envelope(params: &mut Params, min_lon: f64, min_lat: f64, max_lon: f64, max_lat: f64) -> String {
    format!(
        "(e.geog::geometry) && ST_MakeEnvelope({}, {}, {}, {}, 4326)",
        params.bind(min_lon),
        params.bind(min_lat),
        params.bind(max_lon),
        params.bind(max_lat)
    )
}

/// The `WHERE` clause for events aliased `e`; values go to `params`. The semantics are the
/// SQLite store's (`filter.rs`): inclusive lon/lat box (`min_lon > max_lon` crosses the
/// antimeridian), inclusive days, ASCII-case-insensitive sides, every word of `q` in one
/// report's sentence or place.
pub(crate) fn where_clause(filter: &Filter, params: &mut Params) -> String {
    let mut clauses: Vec<String> = Vec::new();
    if let Some([min_lon, min_lat, max_lon, max_lat]) = filter.bbox {
        let (lat_from, lat_to) = (params.bind(min_lat), params.bind(max_lat));
        if min_lon <= max_lon {
            clauses.push(envelope(params, min_lon, min_lat, max_lon, max_lat));
            let (from, to) = (params.bind(min_lon), params.bind(max_lon));
            clauses.push(format!("e.lon BETWEEN {from} AND {to}"));
        } else {
            let east = envelope(params, min_lon, min_lat, 180.0, max_lat);
            let west = envelope(params, -180.0, min_lat, max_lon, max_lat);
            clauses.push(format!("({east} OR {west})"));
            let (from, to) = (params.bind(min_lon), params.bind(max_lon));
            clauses.push(format!("(e.lon >= {from} OR e.lon <= {to})"));
        }
        clauses.push(format!("e.lat BETWEEN {lat_from} AND {lat_to}"));
    }
    if let Some(from) = &filter.date_from {
        clauses.push(format!("e.date >= {}::text::date", params.bind(from.clone())));
    }
    if let Some(to) = &filter.date_to {
        clauses.push(format!("e.date <= {}::text::date", params.bind(to.clone())));
    }
    if !filter.event_types.is_empty() {
        clauses.push(format!("e.event_type = ANY({})", params.bind(filter.event_types.clone())));
    }
    if !filter.actors.is_empty() {
        // SQLite's lower() folds ASCII only, and so does PostgreSQL's under the C collation.
        let actors: Vec<String> = filter.actors.iter().map(|actor| actor.to_lowercase()).collect();
        let actors = params.bind(actors);
        clauses.push(format!(
            "(lower(e.actor1 COLLATE \"C\") = ANY({actors}) OR lower(e.actor2 COLLATE \"C\") = ANY({actors}))"
        ));
    }
    if !filter.countries.is_empty() {
        clauses.push(format!("e.country_code = ANY({})", params.bind(filter.countries.clone())));
    }
    if let Some(min) = filter.min_confidence {
        clauses.push(format!("e.confidence >= {}", params.bind(min)));
    }
    if let Some(text) = &filter.text {
        match tsquery(text) {
            Some(query) => clauses.push(format!(
                "e.rid IN (SELECT s.event_rid FROM event_sources s WHERE s.words @@ {}::text::tsquery)",
                params.bind(query)
            )),
            // FTS5 matches nothing when no quoted word has a token ("*", "«»").
            None => clauses.push("false".to_owned()),
        }
    }
    if clauses.is_empty() { "true".to_owned() } else { clauses.join(" AND ") }
}

/// Whether FTS5's unicode61 tokenizer with `remove_diacritics 2` drops the diacritics of
/// this (lower-case) letter: it does for the Latin letters, not for Cyrillic `й` or `ё`.
fn latin_with_diacritics(c: char) -> Option<char> {
    if !matches!(c, '\u{c0}'..='\u{24f}' | '\u{1e00}'..='\u{1eff}') {
        return None;
    }
    let base = c.nfd().next()?;
    (base != c).then_some(base)
}

/// The words of a text, lower-case and without Latin diacritics: runs of letters and digits
/// (a combining accent inside a word is dropped, not a separator), as FTS5's unicode61
/// tokenizer makes them.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        for lower in c.to_lowercase() {
            if matches!(lower, '\u{300}'..='\u{36f}') {
                continue;
            }
            let letter = latin_with_diacritics(lower).unwrap_or(lower);
            if letter.is_alphanumeric() {
                current.push(letter);
            } else if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A lexeme quoted for a `tsvector` or `tsquery` literal.
fn quoted(word: &str) -> String {
    format!("'{}'", word.replace('\\', "\\\\").replace('\'', "''"))
}

/// PostgreSQL keeps positions up to 16383 and 256 of them per lexeme; lexemes up to 2046
/// bytes.
const MAX_POSITION: usize = 16_383;
const MAX_POSITIONS_PER_WORD: usize = 256;
const MAX_WORD_BYTES: usize = 2046;

/// One report's `tsvector` literal: the sentence's words, a gap (so that no phrase spans
/// the two), then the place's, each with its position.
pub(crate) fn tsvector(evidence: &str, place: &str) -> String {
    let mut positions: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut position = 0;
    for (part, text) in [evidence, place].into_iter().enumerate() {
        position += part; // the gap between the sentence and the place
        for word in words(text) {
            position += 1;
            if word.len() > MAX_WORD_BYTES {
                continue;
            }
            let at = positions.entry(word).or_default();
            if at.len() < MAX_POSITIONS_PER_WORD {
                at.push(position.min(MAX_POSITION));
            }
        }
    }
    let mut out = String::new();
    for (word, at) in positions {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&quoted(&word));
        out.push(':');
        let mut last = 0;
        for (i, position) in at.into_iter().enumerate() {
            if position == last {
                continue; // clamped duplicates
            }
            last = position;
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{position}");
        }
    }
    out
}

/// The `tsquery` literal of a `q`: every whitespace-separated word must occur, a word of
/// several tokens ("Kyiv's") as a phrase, as SQLite's quoted FTS5 words; `None` when no word
/// has a token.
pub(crate) fn tsquery(text: &str) -> Option<String> {
    let phrases: Vec<String> = text
        .split_whitespace()
        .map(|word| {
            words(word)
                .into_iter()
                .filter(|token| token.len() <= MAX_WORD_BYTES)
                .map(|token| quoted(&token))
                .collect::<Vec<_>>()
        })
        .filter(|tokens| !tokens.is_empty())
        .map(|tokens| format!("({})", tokens.join(" <-> ")))
        .collect();
    (!phrases.is_empty()).then(|| phrases.join(" & "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_made_as_fts5_makes_them() {
        assert_eq!(
            words("Shelling hit «Belgorod» on 2023-12-30."),
            ["shelling", "hit", "belgorod", "on", "2023", "12", "30"]
        );
        assert_eq!(
            words("Kyiv's naïve ZAPORIŻŻIA Запоріжжя Йосип x\u{301}y example.org"),
            ["kyiv", "s", "naive", "zaporizzia", "запоріжжя", "йосип", "xy", "example", "org"]
        );
        assert_eq!(tsquery("Kyiv's  belgorod"), Some("('kyiv' <-> 's') & ('belgorod')".to_owned()));
        assert_eq!(tsquery("* «» -"), None);
        assert_eq!(tsvector("a b a", "a"), "'a':1,3,5 'b':2");
    }
}
