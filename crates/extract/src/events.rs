//! Events: typed, dated, located happenings read from the sentences of an article, each
//! traceable to its evidence.
//!
//! Sentence by sentence: trigger words give the event type (EVENTS.md's taxonomy), the
//! sentence's literal place mentions give the locations (one event per place), demonyms
//! and metonyms give the sides, the words give the date relative to publication, the
//! numbers give fatalities and injured, and claim words mark allegations. Events with the
//! same type, place and date within an article are one event with several evidences.

use std::collections::HashSet;
use std::sync::{LazyLock, OnceLock};

use aho_corasick::AhoCorasick;
use serde::Serialize;

use crate::date::{Date, after_dateline, explicit_date};
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
            "aerial attack*",
            "air attack*",
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
            "hit by a missile",
            "hit by a russian missile",
            "hit by missiles",
            "hit by russian missiles",
            "missile struck",
            "missiles struck",
            "struck by missiles",
            "cluster munition*",
            "bombard*",
            "fired on",
            "fired at",
            "fired into",
            "fire defeat",
            "sank",
            "sunk",
            "firing into",
            "firing on",
            "barrage*",
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
            "on fire",
            "blaze",
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
            "recapture of",
            "liberated",
            "withdrew from",
            "withdrawn from",
            "withdrawing from",
            "withdrawn its forces from",
            "withdrawn its troops from",
            "withdrew its forces from",
            "withdrew its troops from",
            "withdrawing troops from",
            "withdrawing its troops from",
            "seized",
            "fell to",
            "occupied",
            "gained control",
            "regained control",
            "pushed out",
            "retaken",
            "taken back",
            "took back",
            "raised the ukrainian flag",
            "raised the russian flag",
            "raised the flag",
            "hoisted",
            "reunification with",
            "annexation of",
            "annexed by",
            "was annexed",
            "regained",
            "reclaimed",
            "lost ground",
            "losing ground",
            "lost control",
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
        event_type("military_exercise", "Strategic developments", "Other"),
        &["drill*", "exercise*", "manoeuvre*", "maneuver*", "war games"],
    ),
    (
        event_type("armed_clash", "Battles", "Armed clash"),
        &[
            "fighting",
            "fight",
            "fights",
            "fought",
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
            "sniper*",
            "ceasefire violation*",
            "violate ceasefire",
            "violates ceasefire",
            "violated ceasefire",
            "violated the ceasefire",
            "counterattack*",
            "counter-attack*",
            "enemy attacks",
            "eliminated",
            "eliminating",
            "repelled",
            "repulsed",
            "repelling",
            "neutralized",
            "neutralised",
            "knocked out",
            "stormed",
            "storming",
            "lost up to",
            "lost more than",
            "lost over",
            "lost about",
            "lose up to",
            "servicemen lost",
            "defeated",
            "inflicted",
            "death of",
            "deaths of",
        ],
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
            "reinforced",
            "pulled out",
            "pulled back",
            "pull out",
            "pullback",
            "retreated",
            "column*",
            "stationed",
            "amassed",
            "amassing",
            "moving closer",
            "moved closer",
            "moving close to",
            "moved close to",
            "been sent to",
            "were sent to",
            "being sent to",
            "approaching the border",
            "approaching the ukrainian border",
            "approaching the russian border",
            "approaching the belarusian border",
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
            "fled into",
            "fled across",
            "flee across",
            "crossed into",
            "border closure",
            "turned away",
            "turning away",
            "turned back",
            "turning back",
            "pushback*",
            "push-back*",
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
            "collapsed",
            "disconnected",
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
        &["protest*", "rally", "rallies", "rallied", "demonstration*", "demonstrator*", "tear gas"],
    ),
    (
        event_type("other", "Strategic developments", "Other"),
        &[
            "martial law",
            "state of siege",
            "curfew",
            "state of emergency",
            "counter-terrorism regime",
            "counter-terrorist operation",
        ],
    ),
];

/// Words that make a sentence an allegation one side makes and the other may deny, rather
/// than a report: "said" alone attributes, it does not make a claim.
const CLAIM_WORDS: &[&str] = &[
    "claimed",
    "claims",
    "claim",
    "alleged",
    "allegedly",
    "accused",
    "accuses",
    "blamed",
    "blames",
    "blaming",
    "denied",
    "denies",
    "deny",
    "reportedly",
    "unconfirmed",
    "could not be verified",
    "could not be independently verified",
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
    "area of",
    "vicinity of",
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
            // "the area of ??Kupyansk": question marks left where an encoding lost the
            // quotes end nothing; a run of them ends the sentence at its last one.
            b'!' | b'?' => !text[i + 1..]
                .chars()
                .next()
                .is_some_and(|next| next.is_alphanumeric() || next == '?' || next == '!'),
            // A photo caption's credit closes the caption: "... in Mariupol (Image: Reuters)".
            b')' => text[start..i].rfind('(').is_some_and(|open| {
                let inside = text[start + open + 1..i].trim_start().to_ascii_lowercase();
                ["image:", "photo:", "picture:", "credit:", "photograph:"]
                    .iter()
                    .any(|marker| inside.starts_with(marker))
            }),
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
    phrase_offsets(lower, phrase).next().is_some()
}

/// Phrases looked for together in one pass of an Aho-Corasick automaton, on word boundaries
/// (`*` at the end: any ending), instead of one substring search per phrase.
struct PhraseSet {
    automaton: AhoCorasick,
    phrases: &'static [&'static str],
}

impl PhraseSet {
    fn new(phrases: &'static [&'static str]) -> PhraseSet {
        let stems = phrases.iter().map(|phrase| phrase.trim_end_matches('*'));
        let automaton = AhoCorasick::new(stems).expect("the phrases build an automaton");
        PhraseSet { automaton, phrases }
    }

    /// The phrases found in `lower`, in text order (one may come several times).
    fn found<'a>(&'a self, lower: &'a str) -> impl Iterator<Item = &'static str> + 'a {
        self.automaton.find_overlapping_iter(lower).filter_map(move |found| {
            let phrase = self.phrases[found.pattern().as_usize()];
            let (at, end) = (found.start(), found.end());
            let before_ok =
                at == 0 || !lower[..at].chars().next_back().is_some_and(char::is_alphanumeric);
            let after_ok = phrase.ends_with('*')
                || !lower[end..].chars().next().is_some_and(char::is_alphanumeric);
            (before_ok && after_ok).then_some(phrase)
        })
    }

    fn any(&self, lower: &str) -> bool {
        self.found(lower).next().is_some()
    }
}

/// Phrases that report what an event did rather than what it was, per type: on their own
/// they make a clash or damage; beside a strike they are its outcome ("shelling killed
/// three" is shelling), and in a clause of their own they join the event just reported.
const OUTCOMES: &[(&str, &[&str])] = &[
    (
        "armed_clash",
        &[
            "killed",
            "kill",
            "killing",
            "kills",
            "dead",
            "died",
            "slain",
            "casualt*",
            "wounded",
            "death toll",
            "kia",
            "wia",
            "losses",
        ],
    ),
    ("infrastructure_damage", &["damaged", "destroyed", "destroy", "destroys"]),
];

/// Words that make a trigger after them something that did not happen or has not yet
/// happened: a plan, a threat, a denial, a fear ("will deploy", "not withdrawing", "to stop
/// shelling"). Drills are announced before they start, so they do not count for exercises.
const UNREAL_WORDS: &[&str] = &[
    "will",
    "would",
    "could",
    "might",
    "should",
    "can",
    "cannot",
    "unlikely",
    "not",
    "no",
    "never",
    "t",
    "threatened",
    "threatens",
    "threaten",
    "plans",
    "plan",
    "planned",
    "planning",
    "preparing",
    "prepare",
    "ready",
    "pledged",
    "vowed",
    "intends",
    "intend",
    "want",
    "wants",
    "if",
    "stop",
    "prevent",
    "avoid",
    "fears",
    "feared",
    "hope",
    "hoped",
    "hopes",
];

/// How many words before a trigger are read for [`UNREAL_WORDS`].
const UNREAL_WINDOW: usize = 40;

/// A type its words would give, read as another when the clause says what it really was.
struct Retype {
    from: &'static str,
    /// The only trigger phrases that may have given `from` (empty: any).
    only: &'static [&'static str],
    /// Words of which one must be in the clause.
    context: &'static [&'static str],
    to: &'static str,
}

const RETYPES: &[Retype] = &[
    // "Destroyed two anti-aircraft systems": weapons are not infrastructure; how they were
    // destroyed is not said, so it is a remote attack of unclear means.
    Retype {
        from: "infrastructure_damage",
        only: &["destroyed", "destroy", "destroys", "damaged"],
        context: &[
            "tank*",
            "system*",
            "launcher*",
            "howitzer*",
            "radar*",
            "armoured vehicle*",
            "armored vehicle*",
            "ammunition",
            "equipment",
        ],
        to: "explosion",
    },
    // "Buildings were attacked": a strike from afar, not a battle.
    Retype {
        from: "armed_clash",
        only: &["attacked", "attacking"],
        context: &[
            "hospital*",
            "kindergarten*",
            "school*",
            "building*",
            "apartment*",
            "infrastructure",
            "facilit*",
            "plant",
            "depot*",
            "substation*",
            "houses",
            "homes",
        ],
        to: "shelling",
    },
    // A convoy of buses carrying civilians is an evacuation, not troops moving; so is
    // their arrival.
    Retype {
        from: "troop_movement",
        only: &["convoy*", "column*", "arrived in"],
        context: &["civilian*", "evacuee*", "bus", "buses", "humanitarian", "refugee*"],
        to: "evacuation",
    },
    // Aircraft that "violated its airspace" crossed a border; they struck nothing.
    Retype { from: "air_drone_strike", only: &[], context: &["airspace"], to: "border_incident" },
];

/// The event type a clause reports.
#[derive(Debug, Clone, Copy)]
struct Hit {
    kind: EventType,
    /// How many trigger phrases of that type the clause holds.
    count: usize,
    /// Only outcome words ("killed", "damaged") report it.
    outcome: bool,
}

/// A part of a sentence with a verb of its own: events are typed, placed and dated per
/// clause, so "fierce fights in Mariinka ... following heavy shelling in recent weeks" is a
/// clash today and shelling weeks ago.
#[derive(Debug)]
struct Clause {
    start: usize,
    end: usize,
    hit: Option<Hit>,
    fatalities: Option<u32>,
    injured: Option<u32>,
}

impl Clause {
    /// `lower` is the clause, `found` its triggers at offsets into it, `start..end` its
    /// place in the article.
    /// `about` is the text that says what the clause's event was: the clause, or with a
    /// relative clause the clause before it too.
    fn read(lower: &str, about: &str, found: &[Trigger], start: usize, end: usize) -> Clause {
        let hit = classify(lower, about, found);
        let (fatalities, injured) = if hit.is_some() { casualties(lower) } else { (None, None) };
        Clause { start, end, hit, fatalities, injured }
    }
}

/// Where clauses begin inside an ASCII-lower-cased sentence, as byte ranges of it.
fn clauses(lower: &str) -> Vec<(usize, usize)> {
    const SEPARATORS: &[&str] = &[
        "; ",
        ": ",
        " – ",
        " — ",
        " -- ",
        " - ",
        " but ",
        " while ",
        ", as ",
        " following ",
        " after ",
        " before ",
        " that ",
        " which ",
        " who ",
        " when ",
        " linking ",
        " connecting ",
        ", where ",
    ];
    static AUTOMATON: OnceLock<AhoCorasick> = OnceLock::new();
    let automaton = AUTOMATON
        .get_or_init(|| AhoCorasick::new(SEPARATORS).expect("the separators build an automaton"));
    let mut cuts: Vec<usize> = automaton
        .find_overlapping_iter(lower)
        .map(|found| found.start())
        .filter(|&at| at > 0)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts {
        if cut > from {
            out.push((from, cut));
            from = cut;
        }
    }
    out.push((from, lower.len()));
    out
}

/// Byte offsets where `phrase` occurs in `lower` on word boundaries (`*`: any ending).
fn phrase_offsets<'a>(lower: &'a str, phrase: &'a str) -> impl Iterator<Item = usize> + 'a {
    let (stem, prefix) = match phrase.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (phrase, false),
    };
    lower.match_indices(stem).map(|(at, _)| at).filter(move |&at| {
        let end = at + stem.len();
        let before_ok =
            at == 0 || !lower[..at].chars().next_back().is_some_and(char::is_alphanumeric);
        let after_ok = prefix || !lower[end..].chars().next().is_some_and(char::is_alphanumeric);
        before_ok && after_ok
    })
}

/// The word right before byte `at`.
fn previous_word(lower: &str, at: usize) -> &str {
    lower[..at].split(|c: char| !c.is_alphanumeric()).rfind(|word| !word.is_empty()).unwrap_or("")
}

/// True when one of [`UNREAL_WORDS`] stands in the few words before byte `at`.
fn is_unreal(lower: &str, at: usize) -> bool {
    lower[..at]
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .rev()
        .take(UNREAL_WINDOW)
        .any(|word| UNREAL_WORDS.contains(&word))
}

/// One trigger phrase found in a sentence: where, which type (an index into [`TRIGGERS`]),
/// which phrase, and whether it is one of [`OUTCOMES`].
#[derive(Debug, Clone, Copy)]
struct Trigger {
    at: usize,
    kind: usize,
    phrase: &'static str,
    outcome: bool,
}

/// One phrase of the automaton: its type, its text, whether any ending matches, whether it
/// is an outcome.
type Pattern = (usize, &'static str, bool, bool);

/// Every phrase of [`TRIGGERS`] and [`OUTCOMES`] in an ASCII-lower-cased sentence, on word
/// boundaries, in one pass of an Aho-Corasick automaton over all phrases.
fn triggers(lower: &str) -> Vec<Trigger> {
    static AUTOMATON: OnceLock<(AhoCorasick, Vec<Pattern>)> = OnceLock::new();
    let (automaton, patterns) = AUTOMATON.get_or_init(|| {
        let mut patterns: Vec<Pattern> = Vec::new();
        for (kind, (event, phrases)) in TRIGGERS.iter().enumerate() {
            let outcomes = OUTCOMES.iter().filter(|(name, _)| *name == event.name);
            let all = phrases
                .iter()
                .map(|phrase| (*phrase, false))
                .chain(outcomes.flat_map(|(_, phrases)| phrases.iter().map(|p| (*p, true))));
            for (text, outcome) in all {
                patterns.push((kind, text, text.ends_with('*'), outcome));
            }
        }
        let stems = patterns.iter().map(|(_, text, _, _)| text.trim_end_matches('*'));
        let automaton = AhoCorasick::new(stems).expect("the trigger phrases build an automaton");
        (automaton, patterns)
    });
    automaton
        .find_overlapping_iter(lower)
        .filter_map(|found| {
            let (kind, phrase, prefix, outcome) = patterns[found.pattern().as_usize()];
            let (at, end) = (found.start(), found.end());
            let before_ok =
                at == 0 || !lower[..at].chars().next_back().is_some_and(char::is_alphanumeric);
            let after_ok =
                prefix || !lower[end..].chars().next().is_some_and(char::is_alphanumeric);
            // "Russian-occupied", "the destroyed bridge": a participle used as an adjective
            // describes a state, not an event of the day.
            let adjectival = phrase.ends_with("ed")
                && !phrase.contains(' ')
                && (lower[..at].ends_with('-')
                    || matches!(
                        previous_word(lower, at),
                        "the" | "a" | "an" | "its" | "their" | "his" | "her" | "our"
                    ));
            // "air raid sirens", "drone alert": a warning, not a strike.
            let warning = matches!(
                lower[end..]
                    .split(|c: char| !c.is_alphanumeric())
                    .find(|word| !word.is_empty())
                    .unwrap_or(""),
                "siren" | "sirens" | "alert" | "alerts" | "warning" | "warnings"
            );
            (before_ok && after_ok && !adjectival && !warning).then_some(Trigger {
                at,
                kind,
                phrase,
                outcome,
            })
        })
        .collect()
}

/// The clause's event type: the first type in [`TRIGGERS`] with a phrase that is reported
/// as real. `found` are the clause's triggers, at offsets into `lower`; `about` is what
/// [`RETYPES`] read the context from.
fn classify(lower: &str, about: &str, found: &[Trigger]) -> Option<Hit> {
    TRIGGERS.iter().enumerate().find_map(|(index, (kind, _))| {
        let exercise = kind.name == "military_exercise";
        let mut real: Vec<(&str, bool)> = found
            .iter()
            .filter(|trigger| trigger.kind == index && (exercise || !is_unreal(lower, trigger.at)))
            .map(|trigger| (trigger.phrase, trigger.outcome))
            .collect();
        real.sort_unstable();
        real.dedup();
        if real.is_empty() {
            return None;
        }
        let outcome = real.iter().all(|(_, outcome)| *outcome);
        let retype = RETYPES.iter().find(|retype| {
            retype.from == kind.name
                && (retype.only.is_empty()
                    || real.iter().all(|(phrase, _)| retype.only.contains(phrase)))
                && retype.context.iter().any(|word| has_phrase(about, word))
        });
        let kind = retype
            .and_then(|retype| TRIGGERS.iter().map(|(kind, _)| *kind).find(|k| k.name == retype.to))
            .unwrap_or(*kind);
        Some(Hit { kind, count: real.len(), outcome })
    })
}

/// A capital: by its feature code, or by its name when the resolver chose the capital's
/// region ("Kiev" read as Kyiv Oblast).
fn is_capital(place: &crate::ResolvedPlace, surface: &str) -> bool {
    const CAPITALS: &[&str] = &[
        "kyiv",
        "kiev",
        "moscow",
        "minsk",
        "warsaw",
        "vilnius",
        "riga",
        "tallinn",
        "helsinki",
        "chisinau",
        "bucharest",
        "budapest",
        "bratislava",
        "tbilisi",
    ];
    let name = surface.strip_suffix("'s").or_else(|| surface.strip_suffix("’s")).unwrap_or(surface);
    let name = name.to_lowercase();
    place.feature_code == "PPLC" || CAPITALS.contains(&name.as_str())
}

/// Capitals stand for their governments ("Moscow has accused Kyiv", "blaming Kyiv"): one is
/// an event place only after a word that locates something in it ("in Kyiv", "around Kyiv",
/// "out of Luhansk, Donetsk and Kyiv").
fn is_located(text: &str, sentence_start: usize, mention_start: usize, mention_end: usize) -> bool {
    // "Kiev's shelling of the east", "Kiev forces", "Moscow-backed": the government's.
    let after = text.get(mention_end..).unwrap_or("");
    let next_word = after
        .trim_start_matches(['\'', '’', 's', '-'])
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if after.starts_with(['\'', '’', '-'])
        || matches!(
            next_word.trim_matches(|c: char| !c.is_alphanumeric()),
            "forces"
                | "troops"
                | "military"
                | "army"
                | "government"
                | "authorities"
                | "officials"
                | "shelling"
                | "attack"
                | "attacks"
                | "strike"
                | "strikes"
                | "offensive"
                | "sniper"
                | "artillery"
        )
    {
        return false;
    }
    // "Kyiv came under attack", "Belgorod was hit": the capital is what was struck.
    if [" came under", " was hit", " was struck", " was attacked", " was shelled", " was targeted"]
        .iter()
        .any(|phrase| after.starts_with(phrase))
    {
        return true;
    }
    let before = text.get(sentence_start..mention_start).unwrap_or("");
    for word in before.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'')).rev() {
        if word.is_empty() || matches!(word, "and" | "or") {
            continue;
        }
        if word.chars().next().is_some_and(char::is_uppercase) {
            // Another name of the same list.
            continue;
        }
        return matches!(
            word,
            "in" | "at"
                | "near"
                | "over"
                | "around"
                | "outside"
                | "inside"
                | "into"
                | "across"
                | "toward"
                | "towards"
                | "on"
                | "of"
                | "to"
                | "from"
                | "hit"
                | "struck"
                | "shelled"
                | "attacked"
                | "bombed"
                | "targeted"
                | "within"
                | "through"
                | "above"
        );
    }
    false
}

/// A place mention that can locate an event: a literal one, or a town other than a capital
/// read as a metonym ("Belgorod has seen fatal attacks", "strikes on Belgorod have
/// brought"): a provincial town stands for the people in it, not for a government.
fn is_event_place(mention: &Mention) -> bool {
    match mention.role {
        Role::Literal => true,
        Role::Metonym => mention.place.as_ref().is_some_and(|place| {
            place.feature_code.starts_with("PPL") && place.feature_code != "PPLC"
        }),
        _ => false,
    }
}

/// A place that names whose office someone holds ("Donetsk regional governor Pavlo
/// Kyrylenko said", "the Belgorod mayor's office") is not where the event happened.
fn is_office(text: &str, end: usize) -> bool {
    let after = text.get(end..).unwrap_or("");
    let after = after.strip_prefix("'s").or_else(|| after.strip_prefix("’s")).unwrap_or(after);
    // Only a title right after the name: "Gorlovka - city administration" is a source line.
    if !after.starts_with(' ') || !after.trim_start().starts_with(char::is_alphabetic) {
        return false;
    }
    let mut words = after
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase);
    let mut next = words.next();
    if next.as_deref().is_some_and(|word| {
        matches!(word, "regional" | "region" | "oblast" | "city" | "province" | "district")
    }) {
        next = words.next();
    }
    next.is_some_and(|word| {
        matches!(
            word.as_str(),
            "governor"
                | "mayor"
                | "official"
                | "officials"
                | "authorities"
                | "administration"
                | "department"
                | "spokesman"
                | "spokeswoman"
                | "spokesperson"
                | "police"
                | "council"
                | "prosecutor"
                | "prosecutors"
                | "head"
                | "chief"
                | "leader"
                | "leaders"
                | "battalion"
                | "brigade"
                | "regiment"
                | "division"
                | "corps"
        )
    })
}

/// The words before a place make it a reference point for another place: "across the
/// river from", "opposite".
fn is_reference_point(before: &str) -> bool {
    let lower = before.to_ascii_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).collect();
    let last: Vec<&str> = words.iter().rev().take(8).copied().collect();
    let opposite = last.iter().take(2).any(|word| *word == "opposite");
    // "across the river from the Russian-held": "from" at most four words back, with
    // "across" at most three words before it.
    let across_from = last.iter().position(|word| *word == "from").is_some_and(|from| {
        from <= 4 && last.iter().skip(from + 1).take(3).any(|word| *word == "across")
    });
    // "about 80 km southwest of Odesa": a distance and a bearing from a landmark (only ever a
    // reference when the clause names another place).
    let bearing = last.first() == Some(&"of")
        && last.get(1).is_some_and(|word| COMPASS.contains(word))
        && last
            .get(2)
            .is_some_and(|word| matches!(*word, "km" | "miles" | "kilometres" | "kilometers"));
    // "Soledar, near Bakhmut": the second town says where the first one is.
    let apposed_near = last.first() == Some(&"near") && lower.trim_end().ends_with(", near");
    opposite || across_from || bearing || apposed_near
}

/// The eight compass directions, as one word.
const COMPASS: &[&str] =
    &["north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"];

/// The text between two places makes the second part of a description of the first:
/// "Ilovaisk, a railway junction east of the rebel stronghold of Donetsk", "Bezimenne, east
/// of Mariupol". A list ("Luhansk, Donetsk and Horlivka") is no apposition.
fn is_apposition(between: &str) -> bool {
    let Some(rest) = between.strip_prefix(", ") else { return false };
    let first = rest.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    rest.len() < 80
        && !rest.contains(',')
        && (matches!(
            first.as_str(),
            "a" | "an" | "the" | "near" | "just" | "about" | "some" | "outside" | "close"
        ) || COMPASS.contains(&first.replace('-', "").as_str()))
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
    lower
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
    // The last place named in the current paragraph, for sentences that report an event
    // without naming where ("Two people were killed."), and the paragraph's last event, which
    // such an outcome belongs to.
    let mut paragraph_place: Option<&Mention> = None;
    // The last region the article named, for "in the region" further on.
    let mut last_region: Option<&Mention> = None;
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
                && !is_vessel_name(text, start, m, here)
                && m.place.as_ref().is_some_and(|place| {
                    !is_country_level(&place.feature_code)
                        && in_scope(&place.country_code)
                        && (!is_capital(place, &m.text) || is_located(text, start, m.start, m.end))
                })
        };
        let sentence_place = here.iter().rev().find(|m| m.role == Role::Literal && eligible(m));
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
                let about_from = if relative && index > 0 { ranges[index - 1].0 } else { from };
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
        let sides = sides(&lower, &in_sentence);
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
            let own: Vec<&Mention> = own.into_iter().filter(|m| !qualifier(m)).collect();
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
            let reference = |m: &&Mention| {
                is_reference_point(&text[clause.start..m.start])
                    || own.iter().any(|before| {
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
        let reported_before = out.len();
        for index in order {
            let clause = &clauses[index];
            let Some(hit) = clause.hit else { continue };
            let clause_text = &text[clause.start..clause.end];
            let mut located = own_places(clause);
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
                let mut order: Vec<usize> = (0..clauses.len()).filter(|&i| i != index).collect();
                order.sort_by_key(|&i| (i.abs_diff(index), i > index));
                located = order
                    .into_iter()
                    .map(|i| own_places(&clauses[i]))
                    .find(|p| !p.is_empty())
                    .unwrap_or_default();
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
            if located.is_empty()
                && has_phrase(&lower[clause.start - start..clause.end - start], "the region")
            {
                carried = true;
                located.extend(last_region);
            }
            if located.is_empty() {
                continue;
            }
            let own_date = explicit_date(clause_text, published);
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
                        // "Arrived in Zaporizhzhia", "reached Zaporizhzhia": the refuge too.
                        let word = previous_word(&lower, at);
                        let arrived = |word: &str| {
                            matches!(word, "arrived" | "arriving" | "reached" | "reaching")
                        };
                        !(matches!(word, "to" | "towards" | "into")
                            || arrived(word)
                            || word == "in"
                                && lower[..at]
                                    .rfind("in")
                                    .is_some_and(|in_at| arrived(previous_word(&lower, in_at))))
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
                // mention without a day of its own ("the Kerch Bridge blast") refers back to it.
                if let Some(at) = out.iter().position(|event| {
                    event.event_type == kind.name
                        && event.place_name == place.name
                        && (event.date == date_text || told.is_none())
                }) {
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
                paragraph_event = Some(out.len());
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
    out
}

/// The day a sentence names to the day ("On October 12", "on Friday"), if it names one.
fn day_named(sentence: &str, published: Date) -> Option<(Date, u8)> {
    explicit_date(sentence, published).filter(|&(_, precision)| precision == 1)
}

/// The sides a sentence names: demonyms and metonyms of the three states, separatists and
/// civilians.
fn sides(lower: &str, in_sentence: &[&Mention]) -> Vec<&'static str> {
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
    sides
}

/// "eastern Ukraine": a direction before a country names an area of it, when the gazetteer
/// knows that area.
fn directed_areas(
    gazetteer: &gazetteer::Gazetteer,
    text: &str,
    start: usize,
    in_sentence: &[&Mention],
) -> Vec<Mention> {
    in_sentence
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
            let best =
                gazetteer.lookup(phrase, &gazetteer::LookupContext::none()).into_iter().next()?;
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
        .collect()
}

/// "Killed in the separatist east", "fighting in Ukraine's east", "in the south": a part of
/// the country named by its compass point alone, when the article is about Ukraine. The part
/// is the gazetteer's area ("eastern Ukraine", at its representative point, geo precision 3).
/// "East of Kharkiv" is a bearing, and "the Far East" or "the Middle East" are elsewhere.
fn parts_of_ukraine(
    gazetteer: &gazetteer::Gazetteer,
    text: &str,
    lower: &str,
    start: usize,
) -> Vec<Mention> {
    /// Words that make the compass point a noun for a part of the country.
    const BEFORE: &[&str] = &[
        "in",
        "the",
        "ukraine's",
        "ukraine’s",
        "country's",
        "country’s",
        "separatist",
        "rebel",
        "rebel-held",
        "war-torn",
        "restive",
        "russian-speaking",
        "pro-russian",
        "separatist-held",
        "russian-occupied",
        "occupied",
        "industrial",
    ];
    const PARTS: &[(&str, &str)] = &[
        ("east", "eastern Ukraine"),
        ("southeast", "eastern Ukraine"),
        ("south-east", "eastern Ukraine"),
        ("south", "southern Ukraine"),
    ];
    let mut out = Vec::new();
    for &(point, area) in PARTS {
        let Some(at) = phrase_offsets(lower, point).find(|&at| {
            let before = lower[..at].trim_end();
            let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
            let rest = text.get(start + at + point.len()..).unwrap_or("");
            let after = rest.trim_start();
            let next = after.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
            // "A spokesman for the operation working in the country's east": where somebody
            // works, not where the event was.
            let described = ["working in", "operating in", "based in"].iter().any(|verb| {
                lower[..at].rfind(verb).is_some_and(|from| at - from <= verb.len() + 20)
            });
            BEFORE.contains(&word)
                && !described
                && !rest.starts_with('-')
                && !after.starts_with(char::is_uppercase)
                && !matches!(
                    next,
                    "of" | "bank"
                        | "side"
                        | "coast"
                        | "flank"
                        | "wing"
                        | "end"
                        | "part"
                        | "gate"
                        | "border"
                        | "borders"
                        | "frontier"
                        | "front"
                        | "direction"
                        | "region"
                )
        }) else {
            continue;
        };
        let Some(best) = gazetteer
            .lookup(area, &gazetteer::LookupContext::none())
            .into_iter()
            .find(|candidate| candidate.place.kind == gazetteer::PlaceKind::Area)
        else {
            continue;
        };
        let end = at + point.len();
        out.push(Mention {
            start: start + at,
            end: start + end,
            text: text.get(start + at..start + end).unwrap_or(point).to_owned(),
            role: Role::Literal,
            boilerplate: false,
            place: Some(crate::resolve::to_place(gazetteer, &best)),
            confidence: 0.5,
            runner_up: None,
        });
        break;
    }
    out
}

/// Stretches of border that reports name without a town ("massed near Ukraine's eastern
/// border"), each at a representative point on the side the phrase points to, as ACLED codes
/// a border area (geo precision 3). The points are the team's choice, from the map: the middle
/// of the stretch, or its part where the fighting has been when the stretch is long.
/// A stretch of border and the phrases that name it.
struct BorderArea {
    id: &'static str,
    name: &'static str,
    lat: f64,
    lon: f64,
    country: &'static str,
    phrases: &'static [&'static str],
}

const BORDER_AREAS: &[BorderArea] = &[
    BorderArea {
        id: "border:ru-ua-donbas",
        name: "Russia–Ukraine border area (Donbas stretch)",
        lat: 48.3,
        lon: 40.05,
        country: "RU",
        phrases: &[
            "ukraine's eastern border",
            "ukraine's southeast border",
            "ukraine's southeastern border",
            "ukraine's south-eastern border",
            "eastern border of ukraine",
            "the border with ukraine",
            "the ukrainian border",
            "russia-ukraine border",
            "russian-ukrainian border",
            "ukraine-russia border",
            "ukrainian-russian border",
        ],
    },
    BorderArea {
        id: "border:ru-ua-northeast",
        name: "Russia–Ukraine border area (Kharkiv, Sumy, Belgorod, Kursk stretch)",
        lat: 50.6,
        lon: 35.9,
        country: "RU",
        phrases: &["ukraine's northeastern border", "ukraine's north-eastern border"],
    },
    BorderArea {
        id: "border:by-ua",
        name: "Belarus–Ukraine border area (north of Kyiv)",
        lat: 51.6,
        lon: 29.6,
        country: "BY",
        phrases: &[
            "ukraine's northern border",
            "belarus-ukraine border",
            "ukraine-belarus border",
            "belarusian-ukrainian border",
            "ukrainian-belarusian border",
        ],
    },
    BorderArea {
        id: "border:by-pl",
        name: "Belarus–Poland border area",
        lat: 52.9,
        lon: 23.8,
        country: "PL",
        phrases: &[
            "belarus-poland border",
            "poland-belarus border",
            "polish-belarusian border",
            "belarusian-polish border",
            "poland's border with belarus",
        ],
    },
    BorderArea {
        id: "border:by-lt",
        name: "Belarus–Lithuania border area",
        lat: 54.3,
        lon: 25.5,
        country: "LT",
        phrases: &[
            "belarus-lithuania border",
            "lithuania-belarus border",
            "lithuanian-belarusian border",
            "belarusian-lithuanian border",
            "lithuania's border with belarus",
        ],
    },
];

/// "The boats Berdyansk and Nikopol and the tug Yany Kapu": ships and boats bear the names of
/// towns, and a name after a vessel noun (or after another such name and "and") is the vessel.
/// `start` is the sentence's offset in `text`, `here` its mentions.
fn is_vessel_name(text: &str, start: usize, mention: &Mention, here: &[Mention]) -> bool {
    const VESSELS: &[&str] = &[
        "boat",
        "boats",
        "gunboat",
        "gunboats",
        "ship",
        "ships",
        "warship",
        "warships",
        "vessel",
        "vessels",
        "tug",
        "tugboat",
        "tanker",
        "ferry",
        "cruiser",
        "frigate",
        "corvette",
        "submarine",
        "flagship",
    ];
    let mut before = text.get(start..mention.start).unwrap_or("");
    loop {
        before = before
            .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '“' | '”' | '\''));
        let word = before.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
        if VESSELS.contains(&word.to_lowercase().as_str()) {
            return true;
        }
        // "Berdyansk and Nikopol": step back over the name before "and" or a comma.
        let Some(rest) = before.strip_suffix(" and").or_else(|| before.strip_suffix(',')) else {
            return false;
        };
        let rest =
            rest.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '“' | '”'));
        let end = start + rest.len();
        let Some(previous) = here.iter().find(|m| m.end == end) else { return false };
        before = &text[start..previous.start];
    }
}

/// "Along the Dnipro", "across the Donets": English puts "the" before a river, not a town,
/// so a town's name after "the" is the river of the same name. `at` is the mention's offset
/// in the sentence `lower`.
fn is_the_town(lower: &str, at: usize, mention: &Mention) -> bool {
    // "the Bakhmut direction", "the Kherson community": the town names an area after all.
    let end = at + (mention.end - mention.start);
    let next = lower.get(end..).unwrap_or("").split_whitespace().next().unwrap_or("");
    let attribute = matches!(
        next.trim_matches(|c: char| !c.is_alphanumeric()),
        "direction"
            | "directions"
            | "area"
            | "region"
            | "district"
            | "community"
            | "sector"
            | "front"
            | "axis"
            | "oblast"
            | "raion"
            | "plant"
            | "airport"
            | "station"
            | "port"
            | "outskirts"
            | "suburbs"
            | "city"
    );
    !attribute
        && mention.place.as_ref().is_some_and(|place| place.feature_code.starts_with("PPL"))
        && lower.get(..at).is_some_and(|before| previous_word(before, before.len()) == "the")
}

/// Border phrases that name Russia's border with Ukraine only when Russia is the side.
const SIDED_BORDER_PHRASES: &[&str] = &["the border with ukraine", "the ukrainian border"];

/// "The Ukrainian border town of Vovchansk", "border guards": "border" used as an attribute
/// names no stretch of border. `end` is where the phrase ends in `lower`.
fn is_border_attribute(lower: &str, end: usize) -> bool {
    let next = lower.get(end..).unwrap_or("").split_whitespace().next().unwrap_or("");
    let next = next.trim_matches(|c: char| !c.is_alphanumeric());
    matches!(
        next,
        "town"
            | "towns"
            | "village"
            | "villages"
            | "city"
            | "cities"
            | "region"
            | "regions"
            | "guard"
            | "guards"
            | "crossing"
            | "crossings"
            | "post"
            | "posts"
            | "checkpoint"
            | "checkpoints"
            | "service"
            | "district"
            | "districts"
            | "force"
            | "forces"
    )
}

/// The border areas a sentence names (see [`BORDER_AREAS`]), as mentions at their points.
fn border_areas(text: &str, lower: &str, start: usize) -> Vec<Mention> {
    let mut out = Vec::new();
    if !lower.contains("border") {
        return out;
    }
    // "The Ukrainian border" is Russia's only when the sentence is about Russia: from Poland
    // it is another border.
    let russian_side =
        ["russia", "russian", "moscow", "kremlin"].iter().any(|w| has_phrase(lower, w))
            && ![
                "poland",
                "polish",
                "belarus",
                "belarusian",
                "moldova",
                "romania",
                "hungary",
                "slovakia",
            ]
            .iter()
            .any(|w| has_phrase(lower, w));
    for area in BORDER_AREAS {
        for phrase in area.phrases {
            if SIDED_BORDER_PHRASES.contains(phrase) && !russian_side {
                continue;
            }
            // Both apostrophes: "Ukraine's" and "Ukraine’s".
            let curly = phrase.replace('\'', "’");
            let Some(at) = phrase_offsets(lower, phrase)
                .chain(phrase_offsets(lower, &curly))
                .find(|&at| !is_border_attribute(lower, at + phrase.len()))
            else {
                continue;
            };
            let end = at + if lower[at..].starts_with(phrase) { phrase.len() } else { curly.len() };
            out.push(Mention {
                start: start + at,
                end: start + end,
                text: text.get(start + at..start + end).unwrap_or(&lower[at..end]).to_owned(),
                role: Role::Literal,
                boilerplate: false,
                place: Some(crate::ResolvedPlace {
                    geonameid: None,
                    id: area.id.to_owned(),
                    name: area.name.to_owned(),
                    lon: area.lon,
                    lat: area.lat,
                    country_code: area.country.to_owned(),
                    admin1: None,
                    feature_code: "RGN".to_owned(),
                }),
                confidence: 0.6,
                runner_up: None,
            });
            break;
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
