//! What a clause reports: the trigger phrases of each event type, the clauses a sentence
//! is cut into, and the type each clause is read as.

use super::*;

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

pub(super) const fn event_type(
    name: &'static str,
    acled: &'static str,
    sub: &'static str,
) -> EventType {
    EventType { name, acled_event_type: acled, acled_sub_event_type: sub }
}

/// Trigger phrases per event type, in priority order: the first type whose phrase a
/// sentence contains wins. Phrases are matched on lower-case word boundaries; a trailing
/// `*` matches any ending.
pub(super) const TRIGGERS: &[(EventType, &[&str])] = &[
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
            // "Dropped two guided bombs on Lyptsi".
            "guided bomb*",
            "aerial bomb*",
            "guided aerial bomb*",
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
            // "Claimed the capture of Shakhtarske".
            "capture of",
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
            "under attack",
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
            // The front's own words, as ISW and the General Staff write them: an advance
            // into a village or around it is fighting for it.
            "advanced into",
            "advanced in",
            "advanced near",
            "advanced toward",
            "advanced towards",
            "advancing near",
            "advancing toward",
            "advancing towards",
            "advancing on",
            "marginal advance*",
            "marginal gains",
            "made gains",
            "broke into",
            "broken into",
            "pushed into",
            "infiltrat*",
            "fighting for",
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
pub(super) const CLAIM_WORDS: &[&str] = &[
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

/// True when `phrase` occurs in `lower` on word boundaries (`*` at the end: any ending).
pub(super) fn has_phrase(lower: &str, phrase: &str) -> bool {
    phrase_offsets(lower, phrase).next().is_some()
}

/// Phrases looked for together in one pass of an Aho-Corasick automaton, on word boundaries
/// (`*` at the end: any ending), instead of one substring search per phrase.
pub(super) struct PhraseSet {
    pub(super) automaton: AhoCorasick,
    pub(super) phrases: &'static [&'static str],
}

impl PhraseSet {
    pub(super) fn new(phrases: &'static [&'static str]) -> PhraseSet {
        let stems = phrases.iter().map(|phrase| phrase.trim_end_matches('*'));
        let automaton = AhoCorasick::new(stems).expect("the phrases build an automaton");
        PhraseSet { automaton, phrases }
    }

    /// The phrases found in `lower`, in text order (one may come several times).
    pub(super) fn found<'a>(&'a self, lower: &'a str) -> impl Iterator<Item = &'static str> + 'a {
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

    pub(super) fn any(&self, lower: &str) -> bool {
        self.found(lower).next().is_some()
    }
}

/// Phrases that report what an event did rather than what it was, per type: on their own
/// they make a clash or damage; beside a strike they are its outcome ("shelling killed
/// three" is shelling), and in a clause of their own they join the event just reported.
pub(super) const OUTCOMES: &[(&str, &[&str])] = &[
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
pub(super) const UNREAL_WORDS: &[&str] = &[
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
pub(super) const UNREAL_WINDOW: usize = 40;

/// A type its words would give, read as another when the clause says what it really was.
pub(super) struct Retype {
    pub(super) from: &'static str,
    /// The only trigger phrases that may have given `from` (empty: any).
    pub(super) only: &'static [&'static str],
    /// Words of which one must be in the clause.
    pub(super) context: &'static [&'static str],
    pub(super) to: &'static str,
}

pub(super) const RETYPES: &[Retype] = &[
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
        only: &["attacked", "attacking", "under attack"],
        context: &[
            "city centre",
            "city center",
            "centre of",
            "center of",
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
pub(super) struct Hit {
    pub(super) kind: EventType,
    /// How many trigger phrases of that type the clause holds.
    pub(super) count: usize,
    /// Only outcome words ("killed", "damaged") report it.
    pub(super) outcome: bool,
}

/// A part of a sentence with a verb of its own: events are typed, placed and dated per
/// clause, so "fierce fights in Mariinka ... following heavy shelling in recent weeks" is a
/// clash today and shelling weeks ago.
#[derive(Debug)]
pub(super) struct Clause {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) hit: Option<Hit>,
    pub(super) fatalities: Option<u32>,
    pub(super) injured: Option<u32>,
}

impl Clause {
    /// `lower` is the clause, `found` its triggers at offsets into it, `start..end` its
    /// place in the article.
    /// `about` is the text that says what the clause's event was: the clause, or with a
    /// relative clause the clause before it too.
    pub(super) fn read(
        lower: &str,
        about: &str,
        found: &[Trigger],
        start: usize,
        end: usize,
    ) -> Clause {
        let hit = classify(lower, about, found);
        let (fatalities, injured) = if hit.is_some() { casualties(lower) } else { (None, None) };
        Clause { start, end, hit, fatalities, injured }
    }
}

/// Where clauses begin inside an ASCII-lower-cased sentence, as byte ranges of it.
pub(super) fn clauses(lower: &str) -> Vec<(usize, usize)> {
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
        .filter(|found| {
            // "The following day" is a date, not a clause of its own.
            !(SEPARATORS[found.pattern().as_usize()] == " following "
                && lower[..found.start()].ends_with("the"))
        })
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
pub(super) fn phrase_offsets<'a>(
    lower: &'a str,
    phrase: &'a str,
) -> impl Iterator<Item = usize> + 'a {
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
pub(super) fn previous_word(lower: &str, at: usize) -> &str {
    lower[..at].split(|c: char| !c.is_alphanumeric()).rfind(|word| !word.is_empty()).unwrap_or("")
}

/// True when one of [`UNREAL_WORDS`] stands in the few words before byte `at`.
pub(super) fn is_unreal(lower: &str, at: usize) -> bool {
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
pub(super) struct Trigger {
    pub(super) at: usize,
    pub(super) kind: usize,
    pub(super) phrase: &'static str,
    pub(super) outcome: bool,
}

/// One phrase of the automaton: its type, its text, whether any ending matches, whether it
/// is an outcome.
type Pattern = (usize, &'static str, bool, bool);

/// Every phrase of [`TRIGGERS`] and [`OUTCOMES`] in an ASCII-lower-cased sentence, on word
/// boundaries, in one pass of an Aho-Corasick automaton over all phrases.
pub(super) fn triggers(lower: &str) -> Vec<Trigger> {
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
pub(super) fn classify(lower: &str, about: &str, found: &[Trigger]) -> Option<Hit> {
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
