//! Article text to place mentions (the geoparser) and, later, to events.
//!
//! [`geoparse`] finds every place name, place metonym and demonym in an article, with
//! byte offsets that slice back to the exact surface form, and resolves each to a place of
//! the [`gazetteer::Gazetteer`] using the whole document as context.
//!
//! Recognition is gazetteer-driven and reads English cues: a candidate is a capitalized
//! word run (with connectors such as "on" in "Rostov-on-Don" and designators such as
//! "region") that the gazetteer knows; person names (after a title or a first name),
//! organizations ("Kyiv Post"), calendar words and common English words at the start of a
//! sentence are dropped. Roles come from the match (a demonym) and the words after it
//! ("Moscow said" is a metonym). Resolution runs twice: first each name alone with the
//! border-region prior, then again with the countries the document has settled on.
//!
//! The crate does no IO; it never panics or returns an error for odd text.
//!
//! ```
//! # use gazetteer::GazetteerBuilder;
//! let rows = "707753\tHorlivka\tHorlivka\tGorlovka\t48.3358\t38.0532\tP\tPPLA2\tUA\t\t05\t\t\t\t239828\t\t\t\t\n";
//! let mut builder = GazetteerBuilder::new();
//! builder.add_geonames("mini", rows.as_bytes());
//! let (gazetteer, _) = builder.build();
//! let text = "Shelling hit Gorlovka overnight.";
//! let mentions = extract::geoparse(&gazetteer, &extract::Article { text, title: None, published: None });
//! assert_eq!(&text[mentions[0].start..mentions[0].end], "Gorlovka");
//! assert_eq!(mentions[0].place.as_ref().map(|place| place.name.as_str()), Some("Horlivka"));
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod date;
mod events;
mod lexicon;
mod memo;
mod recognize;
mod resolve;
mod tokens;
mod work;

#[cfg(test)]
mod tests;

use serde::Serialize;

pub use crate::date::Date;
pub use crate::events::{Event, EventType, MAX_EVENTS};
pub use crate::recognize::MAX_MENTIONS;

/// The text to read. Offsets in the output are byte offsets into `text`.
#[derive(Debug, Clone, Copy)]
pub struct Article<'a> {
    /// The article body (the headline may be its first line).
    pub text: &'a str,
    /// The headline, when given apart from the text; read for context only.
    pub title: Option<&'a str>,
    /// The publication date, against which "on Friday" and "a day earlier" are resolved.
    pub published: Option<Date>,
}

/// What a place mention stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A place where something is ("shelling in Belgorod").
    Literal,
    /// A government or institution named by its seat ("Moscow has accused Kyiv").
    Metonym,
    /// A people or adjective ("Russian troops").
    Demonym,
}

/// The place a mention resolved to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedPlace {
    /// GeoNames id, if the place has one.
    pub geonameid: Option<u32>,
    /// Stable id (`geonames:707753`, `curated:feature-kerch-bridge`).
    pub id: String,
    /// The place's preferred name.
    pub name: String,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: String,
    /// Name of the first-level region, if known.
    pub admin1: Option<String>,
    /// Name of the district (raion) it lies in, if known.
    pub district: Option<String>,
    /// Ukraine's official code of the settlement (KATOTTG), when joined.
    pub katottg: Option<String>,
    /// The official name of its hromada (KATOTTG, romanized), when joined.
    pub hromada: Option<String>,
    /// GeoNames feature code.
    pub feature_code: String,
}

/// One place mention in an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mention {
    /// Byte offset of the mention in the article text.
    pub start: usize,
    /// Byte offset one past its end; `&text[start..end]` is the surface form.
    pub end: usize,
    /// The surface form.
    pub text: String,
    /// What the name stands for.
    pub role: Role,
    /// Inside boilerplate (share buttons, "Also Read" links, image credits): not to map.
    pub boilerplate: bool,
    /// The resolved place, `None` when the name matched nothing.
    pub place: Option<ResolvedPlace>,
    /// How sure the resolution is, 0..1 (0 when unresolved).
    pub confidence: f32,
    /// The second-best place when the choice was close.
    pub runner_up: Option<ResolvedPlace>,
    /// When this mention is a region written beside another name only to say where that
    /// is ("Zaporizhzhia region" in "Stepove, Zaporizhzhia region"): the index of that
    /// mention in the list. Such a region is context, not a place of its own.
    pub locates: Option<usize>,
}

/// A limit of what one article may cost that the article reached: the output is complete up
/// to the byte offset `at` and says so.
///
/// The cost of reading an article grows linearly with its length; the limits keep one
/// hostile or badly scraped page from holding the ingest for everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// The article names more than [`MAX_MENTIONS`] places: none after byte `at` was read.
    MentionLimit {
        /// Byte offset where reading stopped.
        at: usize,
    },
    /// The article reports more than [`MAX_EVENTS`] events: none that starts after byte `at`
    /// was kept (reports of events already read still merge into them).
    EventLimit {
        /// Byte offset of the first sentence whose event was left out.
        at: usize,
    },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::MentionLimit { at } => write!(
                f,
                "more than {MAX_MENTIONS} place mentions: the text after byte {at} was not read for places"
            ),
            Note::EventLimit { at } => {
                write!(f, "more than {MAX_EVENTS} events: no new event was read after byte {at}")
            }
        }
    }
}

/// Finds and resolves every place mention in an article, in text order.
///
/// Never panics and never fails: text of any size or content yields a (maybe empty) list.
pub fn geoparse(gazetteer: &gazetteer::Gazetteer, article: &Article<'_>) -> Vec<Mention> {
    geoparse_with_notes(gazetteer, article).0
}

/// [`geoparse`], and the limits the article reached ([`Note`]), if any.
pub fn geoparse_with_notes(
    gazetteer: &gazetteer::Gazetteer,
    article: &Article<'_>,
) -> (Vec<Mention>, Vec<Note>) {
    let (spans, stopped) = recognize::recognize(gazetteer, article.text);
    let notes = stopped.map(|at| Note::MentionLimit { at }).into_iter().collect();
    (resolve::resolve(gazetteer, article.text, &spans), notes)
}

/// What an article's relative dates ("on Friday") were resolved against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBasis {
    /// The publication date given with the article.
    Published(Date),
    /// No publication date: the full date of the dateline ("BRUSSELS, November 4, 2014").
    Dateline(Date),
    /// Neither: the events' days are unknown and their dates are placeholders at precision 3.
    Unknown,
}

impl std::fmt::Display for DateBasis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateBasis::Published(date) => write!(f, "published {date}"),
            DateBasis::Dateline(date) => write!(f, "dateline {date}"),
            DateBasis::Unknown => f.write_str("unknown"),
        }
    }
}

/// The date an article's events are dated against: its publication date, or failing that
/// its dateline's.
pub fn date_basis(article: &Article<'_>) -> DateBasis {
    match article.published {
        Some(date) => DateBasis::Published(date),
        None => events::dateline(article.text).map_or(DateBasis::Unknown, DateBasis::Dateline),
    }
}

/// Reads the events of an article: typed, dated, located, with their evidence sentences.
///
/// Without a publication date, a dateline's full date is used, and failing that the events
/// are dated 1970-01-01 with precision 3 so that no invented day passes for a known one.
/// Never panics; an article with no events gives an empty list.
pub fn events(gazetteer: &gazetteer::Gazetteer, article: &Article<'_>) -> Vec<Event> {
    events_with_notes(gazetteer, article).0
}

/// [`events()`], and the limits the article reached ([`Note`]), if any.
pub fn events_with_notes(
    gazetteer: &gazetteer::Gazetteer,
    article: &Article<'_>,
) -> (Vec<Event>, Vec<Note>) {
    let (mentions, mut notes) = geoparse_with_notes(gazetteer, article);
    // Past the mention limit no place is known: the events are read up to it.
    let read = match notes.first() {
        Some(Note::MentionLimit { at }) => article.text.get(..*at).unwrap_or(article.text),
        _ => article.text,
    };
    let (mut events, dropped) = events::events(gazetteer, read, &mentions, article.published);
    notes.extend(dropped.map(|at| Note::EventLimit { at }));
    if date_basis(article) == DateBasis::Unknown {
        for event in &mut events {
            event.date_precision = 3;
        }
    }
    (events, notes)
}
