//! Events: typed, dated, located happenings read from the sentences of an article, each
//! traceable to its evidence.
//!
//! Sentence by sentence: trigger words give the event type (EVENTS.md's taxonomy), the
//! sentence's literal place mentions give the locations (one event per place), demonyms
//! and metonyms give the sides, the words give the date relative to publication, the
//! numbers give fatalities and injured, and claim words mark allegations. Events with the
//! same type, place and date within an article are one event with several evidences.

use serde::Serialize;

use crate::date::{Date, explicit_date};
use crate::{Mention, Role};

/// An event type with its ACLED mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventType {
    /// The project's type (`shelling`, `air_drone_strike`, ...).
    pub name: &'static str,
    /// ACLED event type.
    pub acled_event_type: &'static str,
    /// ACLED sub-event type.
    pub acled_sub_event_type: &'static str,
}

const fn event_type(name: &'static str, acled: &'static str, sub: &'static str) -> EventType {
    EventType { name, acled_event_type: acled, acled_sub_event_type: sub }
}

/// Trigger phrases per event type, in priority order: the first type whose phrase a
/// sentence contains wins. Phrases are matched on lower-case word boundaries; a trailing
/// `*` matches any ending.
const TRIGGERS: &[(EventType, &[&str])] = &[
    (
        event_type("interception", "Strategic developments", "Disrupted weapons use"),
        &[
            "shot down",
            "intercepted",
            "intercept*",
            "air defence*",
            "air defense*",
            "downed",
            "falling debris",
            "debris fell",
        ],
    ),
    (
        event_type("air_drone_strike", "Explosions/Remote violence", "Air/drone strike"),
        &[
            "air strike*",
            "airstrike*",
            "air raid*",
            "drone*",
            "uav*",
            "shahed*",
            "kamikaze",
            "fpv",
            "bombed",
            "bombing*",
            "helicopter*",
            "warplane*",
            "aircraft attack*",
            "glide bomb*",
        ],
    ),
    (
        event_type("shelling", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
        &[
            "shell*",
            "artillery",
            "rocket*",
            "mlrs",
            "grad",
            "mortar*",
            "missile strike*",
            "missile attack*",
            "missiles hit",
            "missile hit",
            "struck by missiles",
            "cluster munition*",
            "bombard*",
            "fired on",
            "fired at",
            "strike on",
            "strikes on",
            "struck",
        ],
    ),
    (
        event_type("explosion", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
        &[
            "explosion*",
            "blast*",
            "exploded",
            "explosive*",
            "landmine*",
            "mine exploded",
            "ied",
            "sabotage",
            "blew up",
            "blown up",
        ],
    ),
    (
        event_type("territory_change", "Battles", "Non-state actor overtakes territory"),
        &[
            "captured",
            "took control",
            "taken control",
            "retook",
            "recaptured",
            "liberated",
            "withdrew from",
            "seized",
            "fell to",
            "occupied",
            "gained control",
            "regained control",
            "pushed out",
        ],
    ),
    (
        event_type("attack_on_civilians", "Violence against civilians", "Attack"),
        &[
            "executed",
            "abducted",
            "kidnapped",
            "massacre*",
            "tortured",
            "civilians were killed",
            "shot dead",
        ],
    ),
    (
        event_type("armed_clash", "Battles", "Armed clash"),
        &[
            "fighting",
            "fight*",
            "clash*",
            "battle*",
            "assault*",
            "firefight*",
            "counteroffensive",
            "counter-offensive",
            "offensive",
            "combat",
            "skirmish*",
            "ambush*",
            "attacked",
            "attacking",
            "shootout*",
            "shooting",
            "opened fire",
            "gunmen",
            "killed",
            "kill",
            "killing",
            "dead",
            "died",
            "slain",
            "casualt*",
            "wounded",
            "death toll",
            "kia",
            "wia",
            "kills",
            "sniper*",
            "ceasefire violation*",
            "violate ceasefire",
            "violates ceasefire",
            "violated ceasefire",
            "violated the ceasefire",
            "losses",
            "counterattack*",
            "counter-attack*",
            "enemy attacks",
        ],
    ),
    (
        event_type("military_exercise", "Strategic developments", "Other"),
        &["drill*", "exercise*", "manoeuvre*", "maneuver*", "war games"],
    ),
    (
        event_type("troop_movement", "Strategic developments", "Change to group/activity"),
        &[
            "troops massed",
            "massed",
            "massing",
            "deployed",
            "deploy*",
            "deployment*",
            "convoy*",
            "build-up",
            "buildup",
            "reinforcement*",
            "redeploy*",
            "withdraw*",
            "troops arrived",
            "arrived in",
            "moved troops",
            "withdrawal of",
            "stationed",
            "amassed",
            "amassing",
            "military base",
        ],
    ),
    (
        event_type("border_incident", "Strategic developments", "Other"),
        &[
            "crossed the border",
            "cross the border",
            "border crossing*",
            "border post*",
            "border guard*",
            "migrants",
            "closed the border",
            "border closure",
        ],
    ),
    (
        event_type("evacuation", "Strategic developments", "Other"),
        &["evacuat*", "humanitarian corridor*"],
    ),
    (
        event_type(
            "infrastructure_damage",
            "Strategic developments",
            "Looting/property destruction",
        ),
        &[
            "power outage*",
            "blackout*",
            "without power",
            "without electricity",
            "water supply",
            "damaged",
            "destroyed",
            "fire broke out",
            "caught fire",
        ],
    ),
    (
        event_type("arrest", "Strategic developments", "Arrests"),
        &["detained", "arrested", "arrest*"],
    ),
    (
        event_type("protest", "Protests", "Peaceful protest"),
        &["protest*", "rally", "rallies", "demonstration*", "demonstrator*"],
    ),
];

/// Words that make a sentence an allegation rather than a confirmed report.
const CLAIM_WORDS: &[&str] = &[
    "claimed",
    "claims",
    "claim",
    "alleged",
    "allegedly",
    "accused",
    "accuses",
    "denied",
    "denies",
    "according to",
    "said",
    "says",
    "reported",
    "reportedly",
];

/// Words that put an event near, not at, a place.
const NEAR_WORDS: &[&str] = &[
    "near",
    "outskirts",
    "outside",
    "close to",
    "miles from",
    "km from",
    "kilometres from",
    "kilometers from",
    "north of",
    "south of",
    "east of",
    "west of",
    "around",
];

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

/// Countries, continents and oceans: too coarse for a map event.
fn is_country_level(feature_code: &str) -> bool {
    matches!(feature_code, "PCLI" | "PCLD" | "PCLF" | "PCLS" | "PCL" | "CONT" | "OCN")
}

/// Splits text into sentences (byte ranges), at . ! ? and line breaks, keeping
/// abbreviations such as "U.S." and "Gen." inside.
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let end_here = match b {
            b'\n' => true,
            b'!' | b'?' => true,
            b'.' => {
                let next_is_space =
                    bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace() || *n == b'"');
                let word_start = text[start..i]
                    .char_indices()
                    .rev()
                    .find(|&(_, c)| !c.is_alphanumeric() && c != '.')
                    .map_or(start, |(at, c)| start + at + c.len_utf8());
                let word = &text[word_start..i];
                let abbreviation = word.len() <= 3
                    && word.chars().next().is_some_and(char::is_uppercase)
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
                    );
                next_is_space && !abbreviation
            }
            _ => false,
        };
        if end_here {
            let end = i + 1;
            if !text[start..end].trim().is_empty() {
                out.push((start, end));
            }
            start = end;
        }
        i += 1;
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push((start, text.len()));
    }
    out
}

fn trimmed(text: &str, (start, end): (usize, usize)) -> (usize, usize) {
    let slice = &text[start..end];
    let leading = slice.len() - slice.trim_start().len();
    let trailing = slice.len() - slice.trim_end().len();
    (start + leading, end - trailing)
}

/// True when `phrase` occurs in `lower` on word boundaries (`*` at the end: any ending).
fn has_phrase(lower: &str, phrase: &str) -> bool {
    let (phrase, prefix) = match phrase.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (phrase, false),
    };
    let mut from = 0;
    while let Some(at) = lower[from..].find(phrase) {
        let start = from + at;
        let end = start + phrase.len();
        let before_ok =
            start == 0 || !lower[..start].chars().next_back().is_some_and(char::is_alphanumeric);
        let after_ok = prefix || !lower[end..].chars().next().is_some_and(char::is_alphanumeric);
        if before_ok && after_ok {
            return true;
        }
        from = end;
    }
    false
}

fn classify(lower: &str) -> Option<(EventType, usize)> {
    TRIGGERS.iter().find_map(|(kind, phrases)| {
        let hits = phrases.iter().filter(|phrase| has_phrase(lower, phrase)).count();
        (hits > 0).then_some((*kind, hits))
    })
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
        if window.iter().any(|w| {
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
        }) && !window.iter().any(|w| matches!(*w, "killed" | "were" | "was"))
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

fn stable_id(text: &str, kind: &str, place: &str, date: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes().chain(kind.bytes()).chain(place.bytes()).chain(date.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("ev-{hash:016x}")
}

/// How many opening sentences may set the lead's day.
const LEAD_SENTENCES: usize = 8;

/// Reads the events of an article whose place mentions are already resolved.
pub(crate) fn events(
    gazetteer: &gazetteer::Gazetteer,
    text: &str,
    mentions: &[Mention],
    published: Option<Date>,
) -> Vec<Event> {
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
    let mut out: Vec<Event> = Vec::new();
    // The last place named in the current paragraph, for sentences that report an event
    // without naming where ("Two people were killed.").
    let mut paragraph_place: Option<&Mention> = None;
    let mut last_end = 0;
    for range in sentences(text) {
        let (start, end) = trimmed(text, range);
        if text.get(last_end..start).is_some_and(|gap| gap.contains("\n\n")) {
            paragraph_place = None;
        }
        last_end = end;
        let sentence = &text[start..end];
        let lower = sentence.to_lowercase();
        let here = within(mentions, start, end);
        let sentence_place = here.iter().rev().find(|m| {
            !m.boilerplate
                && m.role == Role::Literal
                && m.place.as_ref().is_some_and(|place| !is_country_level(&place.feature_code))
        });
        let Some((kind, hits)) = classify(&lower) else {
            if sentence_place.is_some() {
                paragraph_place = sentence_place;
            }
            continue;
        };
        let in_sentence: Vec<&Mention> = here.iter().filter(|m| !m.boilerplate).collect();
        let mut sides: Vec<&'static str> = Vec::new();
        for mention in &in_sentence {
            if let Some(side) = side(mention)
                && !sides.contains(&side)
            {
                sides.push(side);
            }
        }
        if has_phrase(&lower, "separatist*")
            || has_phrase(&lower, "rebel*")
            || has_phrase(&lower, "pro-russian")
        {
            sides.insert(0, "Separatist forces");
        }
        if has_phrase(&lower, "civilian*") && !sides.contains(&"Civilians") {
            sides.push("Civilians");
        }
        // "eastern Ukraine": a direction before a country names an area of it.
        let directed: Vec<Mention> = in_sentence
            .iter()
            .filter(|m| {
                m.role == Role::Literal
                    && m.place.as_ref().is_some_and(|place| is_country_level(&place.feature_code))
            })
            .filter_map(|m| {
                let before = text.get(start..m.start)?.trim_end();
                let direction = before.rsplit(|c: char| !c.is_alphabetic()).next()?;
                if !matches!(
                    direction.to_lowercase().as_str(),
                    "eastern"
                        | "western"
                        | "northern"
                        | "southern"
                        | "central"
                        | "east"
                        | "west"
                        | "north"
                        | "south"
                        | "southeast"
                        | "northeast"
                        | "southwest"
                        | "northwest"
                ) {
                    return None;
                }
                let phrase_start =
                    m.start - (text[start..m.start].len() - before.len()) - direction.len();
                let phrase = text.get(phrase_start..m.end)?;
                let best = gazetteer
                    .lookup(phrase, &gazetteer::LookupContext::none())
                    .into_iter()
                    .next()?;
                (best.place.kind == gazetteer::PlaceKind::Area).then(|| Mention {
                    start: phrase_start,
                    end: m.end,
                    text: phrase.to_owned(),
                    role: Role::Literal,
                    boilerplate: false,
                    place: Some(crate::resolve::to_place(gazetteer, &best)),
                    confidence: m.confidence * 0.8,
                    runner_up: None,
                })
            })
            .collect();
        let places: Vec<&Mention> = in_sentence
            .iter()
            .copied()
            .filter(|m| m.role == Role::Literal && !is_dateline(text, m))
            .filter(|m| {
                m.place.as_ref().is_some_and(|place| !is_country_level(&place.feature_code))
            })
            .chain(directed.iter())
            .filter(|m| m.place.as_ref().is_some_and(|place| in_scope(&place.country_code)))
            .collect();
        let carried = places.is_empty();
        let places = if carried { paragraph_place.into_iter().collect() } else { places };
        if sentence_place.is_some() {
            paragraph_place = sentence_place;
        }
        if places.is_empty() {
            continue;
        }
        let (date, date_precision) = explicit_date(sentence, published).unwrap_or((lead, 1));
        let (fatalities, injured) = casualties(&lower);
        let claimed = CLAIM_WORDS.iter().any(|word| has_phrase(&lower, word));
        for mention in places {
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
            if let Some(existing) = out.iter_mut().find(|event| {
                event.event_type == kind.name
                    && event.place_name == place.name
                    && event.date == date_text
            }) {
                existing.evidence_spans.push((start, end));
                existing.confidence = (existing.confidence + 0.1).min(0.99);
                existing.fatalities = existing.fatalities.or(fatalities);
                existing.injured = existing.injured.or(injured);
                continue;
            }
            let mut confidence = 0.45 + 0.1 * hits.min(3) as f32 + 0.2 * mention.confidence;
            if carried {
                confidence -= 0.2;
            }
            if geo_precision == 3 {
                confidence -= 0.1;
            }
            if claimed {
                confidence -= 0.05;
            }
            out.push(Event {
                id: stable_id(text, kind.name, &place.id, &date_text),
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
                fatalities,
                injured,
                claimed,
                confidence: confidence.clamp(0.05, 0.99),
                evidence: sentence.to_owned(),
                evidence_start: start,
                evidence_end: end,
                evidence_spans: vec![(start, end)],
            });
        }
    }
    out
}

/// Countries whose events the map covers: the Russia / Ukraine / Belarus / Baltic border
/// region and its neighbours. A sentence placing an event in Washington or Brussels is
/// about a statement made there, not a conflict event on this map.
const SCOPE: &[&str] =
    &["UA", "RU", "BY", "PL", "LT", "LV", "EE", "MD", "FI", "RO", "SK", "HU", "GE"];

fn in_scope(country_code: &str) -> bool {
    SCOPE.contains(&country_code)
}

/// A dateline ("KYIV, August 15 (Reuters) -", "MOSCOW —"): where the report was filed, not
/// where anything happened. The mention opens a line and is followed by a comma or dash
/// and then a date or an agency, or is written in capitals.
fn is_dateline(text: &str, mention: &Mention) -> bool {
    let line_start = text[..mention.start].rfind('\n').map_or(0, |at| at + 1);
    if !text[line_start..mention.start].trim().is_empty() {
        return false;
    }
    let after = text[mention.end..].trim_start();
    let capitals = mention.text.chars().any(char::is_alphabetic)
        && !mention.text.chars().any(char::is_lowercase);
    let Some(rest) = after.strip_prefix([',', '—', '–', '-']) else { return false };
    let rest = rest.trim_start();
    let first_word = rest.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    capitals
        || rest.starts_with('(')
        || crate::date::month_number(&first_word.to_lowercase()).is_some()
        || first_word.parse::<u32>().is_ok()
}

/// A dateline's date ("BRUSSELS, November 4 (RIA Novosti)") when no publication date is given;
/// the year is unknown, so only a full "Month D, YYYY" counts.
fn dateline(text: &str) -> Option<Date> {
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
