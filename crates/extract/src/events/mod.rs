//! Events: typed, dated, located happenings read from the sentences of an article, each
//! traceable to its evidence.
//!
//! Sentence by sentence: trigger words give the event type (EVENTS.md's taxonomy), the
//! sentence's literal place mentions give the locations (one event per place), demonyms
//! and metonyms give the sides, the words give the date relative to publication, the
//! numbers give fatalities and injured, and claim words mark allegations. Events with the
//! same type, place and date within an article are one event with several evidences.

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, OnceLock};

use aho_corasick::AhoCorasick;
use serde::Serialize;

use crate::date::{Date, after_dateline, explicit_date};
use crate::{Mention, Role};

mod places;
mod triggers;

use places::*;
pub use triggers::EventType;
use triggers::*;

/// One event, per ../shared/EVENTS.md.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Stable id: the same article text gives the same ids.
    pub id: String,
    /// The project's event type.
    pub event_type: &'static str,
    /// ACLED event type.
    pub acled_event_type: &'static str,
    /// ACLED sub-event type.
    pub acled_sub_event_type: &'static str,
    /// First side.
    pub actor1: Option<&'static str>,
    /// Second side.
    pub actor2: Option<&'static str>,
    /// The day it happened, `YYYY-MM-DD`.
    pub date: String,
    /// 1 the day is known, 2 within a week, 3 within a month.
    pub date_precision: u8,
    /// The place as written in the article.
    pub place: String,
    /// The resolved place's name.
    pub place_name: String,
    /// GeoNames id of the place.
    pub geonameid: Option<u32>,
    /// First-level region of the place.
    pub admin1: Option<String>,
    /// Country of the place.
    pub country_code: String,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    /// 1 the town itself, 2 near a town or part of a region, 3 a region.
    pub geo_precision: u8,
    /// Reported deaths, lowest figure given.
    pub fatalities: Option<u32>,
    /// Reported injured, lowest figure given.
    pub injured: Option<u32>,
    /// Alleged by one side or denied by the other.
    pub claimed: bool,
    /// How sure the extractor is, 0..1.
    pub confidence: f32,
    /// The first sentence that reports it.
    pub evidence: String,
    /// Byte offset of the evidence in the article text.
    pub evidence_start: usize,
    /// Byte offset one past the evidence.
    pub evidence_end: usize,
    /// Every sentence that reports it, as byte ranges.
    pub evidence_spans: Vec<(usize, usize)>,
}

/// The mentions inside `start..end`, found by binary search (mentions are in text order).
fn within(mentions: &[Mention], start: usize, end: usize) -> &[Mention] {
    let first = mentions.partition_point(|m| m.start < start);
    let last = first + mentions[first..].partition_point(|m| m.end <= end && m.start < end);
    &mentions[first..last]
}

/// Longest sentence read as one (bytes): a longer run without a full stop (a scraped
/// list, a table, a hostile page) is cut at a blank near this length, so that the work per
/// sentence, which compares its mentions and clauses with each other, stays bounded.
pub(crate) const MAX_SENTENCE_BYTES: usize = 2_000;

/// Splits text into sentences (byte ranges), at . ! ? and line breaks, keeping
/// abbreviations such as "U.S." and "Gen." inside; a sentence longer than
/// [`MAX_SENTENCE_BYTES`] is cut at a blank (or, with none, at a character boundary).
///
/// One pass over the text: every look back (the word before a full stop, the bracket
/// before a closing one) is bounded, so the cost is linear in the text's length.
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    // Whether the sentence's last open bracket starts a photo credit ("(Image: Reuters)").
    let mut credit_open = false;
    crate::work::add(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        let end_here = match b {
            b'\n' => true,
            // "the area of ??Kupyansk": question marks left where an encoding lost the
            // quotes end nothing; a run of them ends the sentence at its last one.
            b'!' | b'?' => !text[i + 1..]
                .chars()
                .next()
                .is_some_and(|next| next.is_alphanumeric() || next == '?' || next == '!'),
            b'(' => {
                credit_open = is_credit(&text[i + 1..]);
                false
            }
            // A photo caption's credit closes the caption: "... in Mariupol (Image: Reuters)".
            b')' => std::mem::take(&mut credit_open),
            b'.' => {
                let next_is_space =
                    bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace() || *n == b'"');
                next_is_space && !is_abbreviation(&text[start..i])
            }
            // A run-on "sentence": cut at a blank once it is long enough.
            b' ' | b'\t' => i - start >= MAX_SENTENCE_BYTES,
            _ => false,
        };
        // No blank for twice the length: cut where a character begins.
        let forced = !end_here && i - start >= 2 * MAX_SENTENCE_BYTES && text.is_char_boundary(i);
        let end = if forced { i } else { i + 1 };
        if end_here || forced {
            if !text[start..end].trim().is_empty() {
                out.push((start, end));
            }
            start = end;
            // A forced cut leaves this byte to the next sentence, an open bracket with it.
            credit_open = credit_open && forced && b == b'(';
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push((start, text.len()));
    }
    out
}

/// True when the text after an open bracket starts a credit ("Image: Reuters").
fn is_credit(after_open: &str) -> bool {
    // Only a few blanks may come first; the markers are short, so a bounded look ahead.
    let head = &after_open[..after_open.floor_char_boundary(24)];
    let head = head.trim_start();
    ["image:", "photo:", "picture:", "credit:", "photograph:"].iter().any(|marker| {
        head.get(..marker.len()).is_some_and(|start| start.eq_ignore_ascii_case(marker))
    })
}

/// True when the sentence so far ends in an abbreviation whose full stop ends nothing
/// ("U.S.", "Gen."): a word of up to three letters starting with a capital, or one of a
/// few titles. Only the last few characters are read.
fn is_abbreviation(before: &str) -> bool {
    const LONGEST: usize = 8;
    let mut word_start = None;
    for (n, (at, c)) in before.char_indices().rev().enumerate() {
        if !c.is_alphanumeric() && c != '.' {
            word_start = Some(at + c.len_utf8());
            break;
        }
        if n > LONGEST {
            // Longer than any abbreviation we keep: an ordinary word.
            return false;
        }
    }
    let word = &before[word_start.unwrap_or(0)..];
    word.len() <= 3 && word.chars().next().is_some_and(char::is_uppercase)
        || matches!(
            word,
            "Gen"
                | "Col"
                | "Lt"
                | "Mr"
                | "Mrs"
                | "Ms"
                | "Dr"
                | "St"
                | "Sgt"
                | "Capt"
                | "Maj"
                | "Rep"
                | "Sen"
                | "Gov"
                | "Jr"
                | "approx"
                | "vs"
        )
}

fn trimmed(text: &str, (start, end): (usize, usize)) -> (usize, usize) {
    let slice = &text[start..end];
    let leading = slice.len() - slice.trim_start().len();
    let trailing = slice.len() - slice.trim_end().len();
    (start + leading, end - trailing)
}

/// Background: a clause about an earlier year or about months or years ago, without a day
/// of its own, is context for the news rather than an event of it ("the protests that
/// erupted after the disputed 2020 election").
fn is_background(clause: &str, own_date: Option<(Date, u8)>, published: Date) -> bool {
    if own_date.is_some_and(|(_, precision)| precision == 1) {
        return false;
    }
    let lower = clause.to_ascii_lowercase();
    static LONG_AGO: LazyLock<PhraseSet> = LazyLock::new(|| {
        PhraseSet::new(&[
            "months ago",
            "years ago",
            "last year",
            "a year ago",
            "for months",
            "for years",
        ])
    });
    if LONG_AGO.any(&lower) {
        return true;
    }
    // A running total: "killed since fighting began", "since the start of the war".
    if has_phrase(&lower, "since")
        && ["began", "begun", "start", "started", "beginning"].iter().any(|p| has_phrase(&lower, p))
        && ["killed", "dead", "died", "deaths", "wounded", "injured", "casualties"]
            .iter()
            .any(|p| has_phrase(&lower, p))
    {
        return true;
    }
    // An earlier year, but not a baseline: "the deadliest attack since Moscow invaded
    // Ukraine in February 2022" is about today.
    let before_since = lower
        .find(" since ")
        .filter(|&at| {
            let words: Vec<&str> = lower[..at]
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            crate::date::is_baseline(&words)
        })
        .map_or(lower.as_str(), |at| &lower[..at]);
    before_since
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.len() == 4)
        .filter_map(|word| word.parse::<i32>().ok())
        .any(|year| (1900..published.year).contains(&year))
}

/// The side a mention names, if it names one.
fn side(mention: &Mention) -> Option<&'static str> {
    let country = mention.place.as_ref().map(|place| place.country_code.as_str());
    if !matches!(mention.role, Role::Demonym | Role::Metonym) {
        return None;
    }
    match country {
        Some("RU") => Some("Russian forces"),
        Some("UA") => Some("Ukrainian forces"),
        Some("BY") => Some("Belarusian forces"),
        _ => None,
    }
}

const NUMBER_WORDS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("dozen", 12),
    ("dozens", 12),
    ("several", 3),
    ("hundreds", 100),
    ("scores", 20),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("twenty", 20),
];

fn number(word: &str) -> Option<u32> {
    let digits: String = word.chars().filter(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty() && word.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return digits.parse().ok();
    }
    NUMBER_WORDS.iter().find(|(name, _)| *name == word).map(|(_, n)| *n)
}

/// Fatalities and injured in a sentence: a number up to four words before "killed",
/// "dead", "died" ("wounded", "injured", "hurt"), or right after "killing"/"injuring";
/// troop counts and money are never read as casualties.
fn casualties(lower: &str) -> (Option<u32>, Option<u32>) {
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == ','))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches(','))
        .collect();
    let mut killed = None;
    let mut injured = None;
    for (i, word) in words.iter().enumerate() {
        let kill =
            matches!(*word, "killed" | "dead" | "died" | "deaths" | "killing" | "fatalities");
        let hurt = matches!(*word, "wounded" | "injured" | "hurt" | "injuring" | "wounding");
        if !kill && !hurt {
            continue;
        }
        let window: Vec<&str> = if matches!(*word, "killing" | "injuring" | "wounding") {
            words.iter().skip(i + 1).take(3).copied().collect()
        } else {
            words[i.saturating_sub(5)..i].to_vec()
        };
        // "Three soldiers killed": a headline's casualties are troops; "12,000 troops
        // massed ... two killed" is a troop count.
        let headline = window.last().is_some_and(|w| {
            matches!(*w, "troops" | "soldiers" | "servicemen" | "militiamen" | "fighters")
        }) && !matches!(*word, "killing" | "injuring" | "wounding");
        if !headline
            && window.iter().any(|w| {
                matches!(
                    *w,
                    "troops"
                        | "soldiers"
                        | "servicemen"
                        | "dollars"
                        | "euros"
                        | "hryvnia"
                        | "roubles"
                        | "rubles"
                )
            })
            && !window.iter().any(|w| matches!(*w, "killed" | "were" | "was"))
        {
            continue;
        }
        let Some(n) = window.iter().rev().find_map(|w| number(w)) else { continue };
        if n > 100_000 {
            continue;
        }
        let slot = if kill { &mut killed } else { &mut injured };
        *slot = Some(slot.map_or(n, |old: u32| old.min(n)));
    }
    (killed, injured)
}

/// FNV-1a over bytes, continuing from `hash`.
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The FNV-1a state after the article's text, which every event id of the article starts
/// from (hashed once per article, not once per event).
fn text_hash(text: &str) -> u64 {
    fnv1a(0xcbf2_9ce4_8422_2325, text.as_bytes())
}

/// An event's stable id: FNV-1a over the article's text, the type, the place and the day.
fn stable_id(text_hash: u64, kind: &str, place: &str, date: &str) -> String {
    let hash = fnv1a(fnv1a(fnv1a(text_hash, kind.as_bytes()), place.as_bytes()), date.as_bytes());
    format!("ev-{hash:016x}")
}

/// How many opening sentences may set the lead's day.
const LEAD_SENTENCES: usize = 8;

/// Most events read from one article; reports of events already read still merge into
/// them past this. An ISW daily assessment, among the longest real reports, has about a
/// hundred.
pub const MAX_EVENTS: usize = 2_000;

/// Reads the events of an article whose place mentions are already resolved; with more
/// than [`MAX_EVENTS`], also the byte offset of the first sentence whose event was dropped.
pub(crate) fn events(
    gazetteer: &gazetteer::Gazetteer,
    text: &str,
    mentions: &[Mention],
    published: Option<Date>,
) -> (Vec<Event>, Option<usize>) {
    let published =
        published.or_else(|| dateline(text)).unwrap_or(Date { year: 1970, month: 1, day: 1 });
    // The lead's day: wire reports put when the main news happened ("said on Friday") in
    // their first sentences, and sentences without a day of their own report that day.
    let lead = sentences(text)
        .into_iter()
        .take(LEAD_SENTENCES)
        .filter_map(|range| text.get(range.0..range.1))
        .find_map(|sentence| explicit_date(sentence, published))
        .filter(|&(date, precision)| {
            precision == 1 && date <= published && date >= published.add_days(-6)
        })
        .map_or(published, |(date, _)| date);
    // "Killed in the east": the east of the country the article is about, when that is
    // Ukraine and no other country of the map is named.
    let countries: HashSet<&str> = mentions
        .iter()
        .filter(|m| !m.boilerplate)
        .filter_map(|m| m.place.as_ref())
        .map(|place| place.country_code.as_str())
        .filter(|&country| in_scope(country))
        .collect();
    let about_ukraine =
        countries.contains("UA") && countries.iter().all(|&country| matches!(country, "UA" | "RU"));
    let mut out: Vec<Event> = Vec::new();
    // Per event of `out`: the lead's day when that is all that dates it (no day of its own
    // sentence or paragraph), for a later sentence to date it better.
    let mut undated: Vec<Option<Date>> = Vec::new();
    // The events of `out` by type and place name, in order: where a new report may merge.
    let mut by_place: HashMap<&'static str, HashMap<String, Vec<usize>>> = HashMap::new();
    let text_hash = text_hash(text);
    // Where the first event over `MAX_EVENTS` was reported.
    let mut limit_hit: Option<usize> = None;
    // The last place named in the current paragraph, for sentences that report an event
    // without naming where ("Two people were killed."), and the paragraph's last event, which
    // such an outcome belongs to.
    let mut paragraph_place: Option<&Mention> = None;
    // The last region and the last place the article named, for "in the region" and "to
    // the area" further on.
    let mut last_region: Option<&Mention> = None;
    let mut last_place: Option<&Mention> = None;
    let mut paragraph_event: Option<usize> = None;
    // The last day a sentence of the paragraph named: the sentences after it tell the same
    // story ("On October 12, Putin ordered ... Hours later, the redeployment had begun").
    let mut paragraph_date: Option<(Date, u8)> = None;
    let mut last_end = 0;
    for range in sentences(text) {
        let (start, end) = trimmed(text, range);
        if text.get(last_end..start).is_some_and(|gap| gap.contains("\n\n")) {
            paragraph_place = None;
            paragraph_event = None;
            paragraph_date = None;
        }
        last_end = end;
        let sentence = &text[start..end];
        let lower = sentence.to_ascii_lowercase();
        let here = within(mentions, start, end);
        crate::work::add(sentence.len() + here.len());
        // A mention that can place an event: not a dateline, an office ("Donetsk regional
        // governor"), a country, a capital standing for its government, or a place outside
        // the map's countries.
        let eligible = |m: &&Mention| {
            !m.boilerplate
                && is_event_place(m)
                // Rivers and lakes run through many places; they locate no event.
                && !m.place.as_ref().is_some_and(|place| {
                    place.feature_code.starts_with("STM") || place.feature_code.starts_with("LK")
                })
                && !is_the_town(&lower, m.start - start, m)
                && !is_dateline(text, m)
                && !is_office(text, m.end)
                && m.place.as_ref().is_some_and(|place| {
                    !is_country_level(&place.feature_code)
                        && in_scope(&place.country_code)
                        && (!is_capital(place, &m.text) || is_located(text, start, m.start, m.end))
                })
                && !is_vessel_name(text, start, m, here)
        };
        let sentence_place = here.iter().rev().find(|m| m.role == Role::Literal && eligible(m));
        last_place = sentence_place.or(last_place);
        last_region = here
            .iter()
            .rev()
            .find(|m| {
                m.role == Role::Literal
                    && eligible(m)
                    && m.place.as_ref().is_some_and(|place| place.feature_code == "ADM1")
            })
            .or(last_region);
        let found = triggers(&lower);
        if found.is_empty() {
            paragraph_place = sentence_place;
            paragraph_date = day_named(sentence, published).or(paragraph_date);
            continue;
        }
        // "KIEV, Aug 30 (Reuters) - Soldiers ...": the dateline's dash cuts no clause.
        let dateline_end = sentence.len() - after_dateline(sentence).len();
        let mut ranges = clauses(&lower);
        while ranges.len() > 1 && ranges[0].1 <= dateline_end {
            let (from, _) = ranges.remove(0);
            ranges[0].0 = from;
        }
        let clauses: Vec<Clause> = ranges
            .iter()
            .enumerate()
            .map(|(index, &(from, to))| {
                let found: Vec<Trigger> = found
                    .iter()
                    .filter(|trigger| trigger.at >= from && trigger.at < to)
                    .map(|trigger| Trigger { at: trigger.at - from, ..*trigger })
                    .collect();
                // "Buses carrying civilians who had left Azovstal arrived in Zaporizhzhia":
                // a relative clause is about the noun before it, so that clause says what
                // the event was too.
                let relative =
                    lower[from..].starts_with(" who ") || lower[from..].starts_with(" which ");
                // Only the few words before the pronoun: the noun it stands for.
                let about_from = if relative && index > 0 {
                    let mut at = from.saturating_sub(40).max(ranges[index - 1].0);
                    while !lower.is_char_boundary(at) {
                        at -= 1;
                    }
                    at
                } else {
                    from
                };
                Clause::read(
                    &lower[from..to],
                    &lower[about_from..to],
                    &found,
                    start + from,
                    start + to,
                )
            })
            .collect();
        if clauses.iter().all(|clause| clause.hit.is_none()) {
            paragraph_place = sentence_place;
            paragraph_date = day_named(sentence, published).or(paragraph_date);
            continue;
        }
        let in_sentence: Vec<&Mention> = here.iter().filter(|m| !m.boilerplate).collect();
        let sides = sides(&lower, start, &in_sentence);
        let mut directed = directed_areas(gazetteer, text, start, &in_sentence);
        directed.extend(border_areas(text, &lower, start));
        // A part of the country places only the events of its own clause, and only when the
        // clause names no place of its own: it is too coarse to lend to another clause.
        let parts = if about_ukraine {
            parts_of_ukraine(gazetteer, text, &lower, start)
        } else {
            Vec::new()
        };
        let places: Vec<&Mention> =
            in_sentence
                .iter()
                .copied()
                .filter(eligible)
                .chain(directed.iter().filter(|m| {
                    m.place.as_ref().is_some_and(|place| in_scope(&place.country_code))
                }))
                .collect();
        static CLAIMS: LazyLock<PhraseSet> = LazyLock::new(|| PhraseSet::new(CLAIM_WORDS));
        let claimed = CLAIMS.any(&lower);
        // The day a clause without a trigger names ("the ministry said on Saturday") is the
        // day of the sentence's other clauses.
        let statement_date = clauses
            .iter()
            .filter(|clause| clause.hit.is_none())
            .find_map(|clause| explicit_date(&text[clause.start..clause.end], published));
        let own_places = |clause: &Clause| -> Vec<&Mention> {
            let own: Vec<&Mention> = places
                .iter()
                .copied()
                .filter(|m| m.start >= clause.start && m.end <= clause.end)
                .collect();
            // "in the town of Nikopol, across the river from the Zaporizhia nuclear power
            // plant": the second place only says where the first one is.
            // "Crimea's Kerch Bridge", "Russia's Belgorod region": the first name only
            // says where the second one is.
            let qualifier = |m: &&Mention| {
                let after = &text[m.end..];
                (after.starts_with("'s ") || after.starts_with("’s "))
                    && places.iter().any(|next| next.start > m.end && next.start <= m.end + 5)
            };
            // "Stepove, Zaporizhzhia region", "Vovchansk, Kharkiv": the region written beside
            // a place only says where that is.
            let starts: Vec<usize> = own.iter().map(|m| m.start).collect();
            let locating = |m: &&Mention| {
                m.locates
                    .and_then(|at| mentions.get(at))
                    .is_some_and(|located| starts.contains(&located.start))
            };
            let in_clause = own.clone();
            let own: Vec<&Mention> =
                own.into_iter().filter(|m| !qualifier(m) && !locating(m)).collect();
            // "In the Donetsk region, rockets hit the city of Sloviansk": the town is the
            // place; its region (or "eastern Ukraine") only says where the town is.
            let towns: Vec<&crate::ResolvedPlace> = own
                .iter()
                .filter_map(|m| m.place.as_ref())
                .filter(|place| place.feature_code.starts_with("PPL"))
                .collect();
            let around_a_town = |m: &&Mention| {
                m.place.as_ref().is_some_and(|region| {
                    matches!(region.feature_code.as_str(), "ADM1" | "ADM2" | "RGN")
                        && towns.iter().any(|town| {
                            town.country_code == region.country_code
                                && (region.admin1.is_none() || town.admin1 == region.admin1)
                        })
                })
            };
            let own: Vec<&Mention> = own.iter().copied().filter(|m| !around_a_town(m)).collect();
            // "Pisky in Kharkiv's Kupiansk raion, a village north-east of Kupiansk": an
            // apposition after the regions beside a place still describes the place.
            let reference = |m: &&Mention| {
                is_reference_point(&text[clause.start..m.start])
                    || in_clause.iter().any(|before| {
                        before.end <= m.start
                            && text.get(before.end..m.start).is_some_and(is_apposition)
                    })
            };
            let kept: Vec<&Mention> = own.iter().copied().filter(|m| !reference(m)).collect();
            if kept.is_empty() { own } else { kept }
        };
        // A clause that names a country ("strikes in Ukraine") reports an event too coarse
        // to map; it borrows no town from the clause or sentence beside it.
        let names_country = |clause: &Clause| {
            in_sentence.iter().any(|m| {
                m.start >= clause.start
                    && m.end <= clause.end
                    && m.role == Role::Literal
                    && m.place.as_ref().is_some_and(|place| is_country_level(&place.feature_code))
            })
        };
        // Outcomes last: "three people were killed when a missile hit Kharkiv" is one strike
        // with three dead.
        let is_outcome = |clause: &Clause| clause.hit.is_some_and(|hit| hit.outcome);
        let order: Vec<usize> = (0..clauses.len())
            .filter(|&i| !is_outcome(&clauses[i]))
            .chain((0..clauses.len()).filter(|&i| is_outcome(&clauses[i])))
            .collect();
        // Each clause's own places, once: the clauses without one borrow their neighbours'.
        let own: Vec<Vec<&Mention>> = clauses.iter().map(own_places).collect();
        crate::work::add(clauses.len() * (1 + places.len()));
        // For each clause, the nearest clause before and after it that names a place: a
        // clause without one borrows the nearer (the earlier on a tie).
        let mut before_with_places: Vec<Option<usize>> = Vec::with_capacity(own.len());
        let mut last = None;
        for (i, places) in own.iter().enumerate() {
            before_with_places.push(last);
            if !places.is_empty() {
                last = Some(i);
            }
        }
        let mut after_with_places: Vec<Option<usize>> = vec![None; own.len()];
        let mut next = None;
        for (i, places) in own.iter().enumerate().rev() {
            after_with_places[i] = next;
            if !places.is_empty() {
                next = Some(i);
            }
        }
        let reported_before = out.len();
        for index in order {
            let clause = &clauses[index];
            let Some(hit) = clause.hit else { continue };
            let clause_text = &text[clause.start..clause.end];
            let mut located = own[index].clone();
            if located.is_empty() {
                located.extend(
                    parts.iter().filter(|m| m.start >= clause.start && m.end <= clause.end),
                );
            }
            // An outcome ("Two people were killed.") belongs to the event this sentence
            // reports, or to the one just reported at the same place.
            let sentence_event = paragraph_event.filter(|&at| {
                at >= reported_before || out[at].evidence_spans.last() == Some(&(start, end))
            });
            if hit.outcome
                && let Some(at) = sentence_event.or(paragraph_event.filter(|&at| {
                    located.iter().all(|m| {
                        m.place.as_ref().map(|place| &place.name) == Some(&out[at].place_name)
                    })
                }))
            {
                let event = &mut out[at];
                if event.evidence_spans.last() != Some(&(start, end)) {
                    event.evidence_spans.push((start, end));
                }
                event.fatalities = event.fatalities.or(clause.fatalities);
                event.injured = event.injured.or(clause.injured);
                continue;
            }
            let mut carried = false;
            if located.is_empty() && names_country(clause) {
                continue;
            }
            if located.is_empty() {
                // The nearest clause of the sentence that names a place, earlier ones first.
                let nearest = match (before_with_places[index], after_with_places[index]) {
                    (Some(before), Some(after)) if after - index < index - before => Some(after),
                    (Some(before), _) => Some(before),
                    (None, after) => after,
                };
                located = nearest.map(|i| own[i].clone()).unwrap_or_default();
            }
            // A clause that puts its event at a border ("a fuel depot above the border") is
            // not about the town the previous sentence named.
            if located.is_empty()
                && !has_phrase(&lower[clause.start - start..clause.end - start], "border")
            {
                carried = true;
                located.extend(paragraph_place);
            }
            // "Three people in the region had been injured": the region the article last
            // named, even paragraphs back.
            let own_lower = &lower[clause.start - start..clause.end - start];
            if located.is_empty() && has_phrase(own_lower, "the region") {
                carried = true;
                located.extend(last_region);
            }
            // "Has deployed thousands of soldiers to the area": the place last named.
            if located.is_empty() && has_phrase(own_lower, "the area") {
                carried = true;
                located.extend(last_place);
            }
            if located.is_empty() {
                continue;
            }
            // "Poland closed the crossing the following day": the day after the one the
            // paragraph last named.
            let own_date = explicit_date(clause_text, published).or_else(|| {
                let lower = clause_text.to_ascii_lowercase();
                ["the following day", "the next day", "a day later"]
                    .iter()
                    .any(|phrase| has_phrase(&lower, phrase))
                    .then_some(paragraph_date)
                    .flatten()
                    .filter(|&(_, precision)| precision == 1)
                    .map(|(day, precision)| (day.add_days(1), precision))
            });
            // Time phrases follow what they date: "protests erupted in Minsk after the
            // disputed 2020 election".
            if is_background(&text[clause.start..end], own_date, published) {
                continue;
            }
            let told = own_date.or(statement_date);
            let dated = told.or(paragraph_date);
            let (date, date_precision) = dated.unwrap_or((lead, 1));
            let kind = hit.kind;
            // People are evacuated from where the danger is: "evacuated to Russia's Rostov
            // region" names the refuge.
            if kind.name == "evacuation" {
                located.retain(|m| {
                    m.start.checked_sub(start).is_none_or(|at| {
                        // "to Russia's Belgorod region": past the country that qualifies it.
                        let before = lower[..at].trim_end();
                        let at =
                            match before.strip_suffix("'s").or_else(|| before.strip_suffix("’s"))
                            {
                                Some(owner) => owner.trim_end_matches(char::is_alphanumeric).len(),
                                None => at,
                            };
                        // "Arrived in Zaporizhzhia": the refuge too. ("Buses reached
                        // Mariupol" may be going in to fetch people, so that stays.)
                        let word = previous_word(&lower, at);
                        !(matches!(word, "to" | "towards" | "into")
                            || word == "in"
                                && lower[..at].rfind("in").is_some_and(|in_at| {
                                    matches!(previous_word(&lower, in_at), "arrived" | "arriving")
                                }))
                    })
                });
            }
            for mention in located {
                let Some(place) = mention.place.as_ref() else { continue };
                let before = text.get(start..mention.start).unwrap_or("");
                let tail_start = before.char_indices().rev().nth(40).map_or(0, |(at, _)| at);
                let tail = before[tail_start..].to_lowercase();
                let near = NEAR_WORDS.iter().any(|word| tail.contains(word));
                let region = matches!(
                    place.feature_code.as_str(),
                    "ADM1" | "ADM2" | "RGN" | "PEN" | "SEA" | "ZN"
                );
                let geo_precision = if region {
                    3
                } else if near {
                    2
                } else {
                    1
                };
                let date_text = date.to_string();
                // The same type at the same place is one event on that day, and a later
                // mention without a day of its own ("the Kerch Bridge blast") refers back to it;
                // an earlier one without a day (a headline: "Strike on Belgorod kills 20") is
                // the event a later sentence dates, if within two days of it.
                let same_place =
                    by_place.get(kind.name).and_then(|places| places.get(place.name.as_str()));
                crate::work::add(same_place.map_or(0, Vec::len));
                if let Some(at) = same_place.into_iter().flatten().copied().find(|&at| {
                    out[at].date == date_text
                        || told.is_none()
                        // A headline's event is reported on its day or the day after.
                        || undated[at].is_some_and(|day| (day.to_days() - date.to_days()).abs() <= 2)
                }) {
                    if told.is_some() && undated[at].is_some() {
                        undated[at] = None;
                        let existing = &mut out[at];
                        existing.id = stable_id(text_hash, kind.name, &place.id, &date_text);
                        existing.date = date_text.clone();
                        existing.date_precision = date_precision;
                    }
                    let existing = &mut out[at];
                    if existing.evidence_spans.last() != Some(&(start, end)) {
                        existing.evidence_spans.push((start, end));
                    }
                    existing.confidence = (existing.confidence + 0.1).min(0.99);
                    existing.fatalities = existing.fatalities.or(clause.fatalities);
                    existing.injured = existing.injured.or(clause.injured);
                    paragraph_event = Some(at);
                    continue;
                }
                let mut confidence =
                    0.45 + 0.1 * hit.count.min(3) as f32 + 0.2 * mention.confidence;
                if carried {
                    confidence -= 0.2;
                }
                if geo_precision == 3 {
                    confidence -= 0.2;
                }
                if claimed {
                    confidence -= 0.05;
                }
                if out.len() >= MAX_EVENTS {
                    limit_hit.get_or_insert(start);
                    continue;
                }
                paragraph_event = Some(out.len());
                undated.push(dated.is_none().then_some(date));
                by_place
                    .entry(kind.name)
                    .or_default()
                    .entry(place.name.clone())
                    .or_default()
                    .push(out.len());
                out.push(Event {
                    id: stable_id(text_hash, kind.name, &place.id, &date_text),
                    event_type: kind.name,
                    acled_event_type: kind.acled_event_type,
                    acled_sub_event_type: kind.acled_sub_event_type,
                    actor1: sides.first().copied(),
                    actor2: sides.get(1).copied(),
                    date: date_text,
                    date_precision,
                    place: mention.text.clone(),
                    place_name: place.name.clone(),
                    geonameid: place.geonameid,
                    admin1: place.admin1.clone(),
                    country_code: place.country_code.clone(),
                    lon: place.lon,
                    lat: place.lat,
                    geo_precision,
                    fatalities: clause.fatalities,
                    injured: clause.injured,
                    claimed,
                    confidence: confidence.clamp(0.05, 0.99),
                    evidence: sentence.to_owned(),
                    evidence_start: start,
                    evidence_end: end,
                    evidence_spans: vec![(start, end)],
                });
            }
        }
        paragraph_place = sentence_place;
        paragraph_date = day_named(sentence, published).or(paragraph_date);
    }
    (out, limit_hit)
}

/// The day a sentence names to the day ("On October 12", "on Friday"), if it names one.
fn day_named(sentence: &str, published: Date) -> Option<(Date, u8)> {
    explicit_date(sentence, published).filter(|&(_, precision)| precision == 1)
}

/// The sides a sentence names: demonyms and metonyms of the three states, separatists and
/// civilians; the side an accusation names comes first. `start` is the sentence's offset.
fn sides(lower: &str, start: usize, in_sentence: &[&Mention]) -> Vec<&'static str> {
    let mut sides: Vec<&'static str> = Vec::new();
    for mention in in_sentence {
        if let Some(side) = side(mention)
            && !sides.contains(&side)
        {
            sides.push(side);
        }
    }
    // Groups named by word, and the side each fights for: separatists first, civilians last.
    const GROUPS: &[(&str, &str)] = &[
        ("separatist*", "Separatist forces"),
        ("rebel*", "Separatist forces"),
        ("pro-russian", "Separatist forces"),
        ("dpr", "Separatist forces"),
        ("lpr", "Separatist forces"),
        ("militia*", "Separatist forces"),
        ("people's republic", "Separatist forces"),
        ("wagner", "Wagner Group"),
        ("azov", "Ukrainian forces"),
        ("kadyrovites", "Russian forces"),
        ("akhmat", "Russian forces"),
        ("national guard of ukraine", "Ukrainian forces"),
        ("rosgvardia", "Russian forces"),
        ("civilian*", "Civilians"),
    ];
    static NAMES: LazyLock<PhraseSet> = LazyLock::new(|| {
        static PHRASES: LazyLock<Vec<&'static str>> =
            LazyLock::new(|| GROUPS.iter().map(|(phrase, _)| *phrase).collect());
        PhraseSet::new(PHRASES.as_slice())
    });
    let named: Vec<&str> = NAMES.found(lower).collect();
    let side_of = |phrase: &&str| GROUPS.iter().find(|(p, _)| p == phrase).map(|(_, side)| *side);
    let groups: Vec<&'static str> = named.iter().filter_map(side_of).collect();
    if groups.contains(&"Separatist forces") {
        sides.insert(0, "Separatist forces");
    }
    for side in groups {
        if !sides.contains(&side) && side != "Civilians" {
            sides.push(side);
        }
    }
    if named.iter().filter_map(side_of).any(|side| side == "Civilians")
        && !sides.contains(&"Civilians")
    {
        sides.push("Civilians");
    }
    // "Moscow has accused Kyiv of sending helicopters": the accused did what is reported and
    // comes first, separatists or not. Not in the passive ("Russian troops were accused by
    // Kyiv"), where the accuser follows.
    let accusing = lower.contains("accus") || lower.contains("blam");
    let verbs: &[&str] = if accusing {
        &["accused ", "accuses ", "accusing ", "blamed ", "blames ", "blaming "]
    } else {
        &[]
    };
    let accused = verbs
        .iter()
        .filter_map(|verb| lower.find(verb).map(|at| (at, at + verb.len())))
        .filter(|&(at, after)| {
            !lower[after..].starts_with("by ")
                && !matches!(
                    previous_word(lower, at),
                    "was" | "were" | "been" | "being" | "is" | "are"
                )
        })
        .map(|(_, after)| start + after)
        .min()
        .and_then(|after| {
            in_sentence
                .iter()
                .filter(|m| m.start >= after && m.start <= after + 20)
                .find_map(|m| side(m))
        });
    if let Some(accused) = accused {
        sides.retain(|&side| side != accused);
        sides.insert(0, accused);
    }
    sides
}

/// A dateline's date ("BRUSSELS, November 4 (RIA Novosti)") when no publication date is given;
/// the year is unknown, so only a full "Month D, YYYY" counts.
pub(crate) fn dateline(text: &str) -> Option<Date> {
    let head = text.get(..text.len().min(400)).unwrap_or(text);
    let lower = head.to_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    for window in words.windows(3) {
        let Some(month) = crate::date::month_number(window[0]) else {
            continue;
        };
        if let (Ok(day), Ok(year)) = (window[1].parse::<u32>(), window[2].parse::<i32>())
            && let Some(date) = Date::new(year, month, day)
        {
            return Some(date);
        }
    }
    None
}
