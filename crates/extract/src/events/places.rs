//! Which of a sentence's place mentions can place an event, and the areas (parts of
//! Ukraine, border stretches) that name where an event was without a town.

use super::*;

/// Words that put an event near, not at, a place.
pub(super) const NEAR_WORDS: &[&str] = &[
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

/// Countries, continents and oceans: too coarse for a map event.
pub(super) fn is_country_level(feature_code: &str) -> bool {
    matches!(feature_code, "PCLI" | "PCLD" | "PCLF" | "PCLS" | "PCL" | "CONT" | "OCN")
}

/// A capital: by its feature code, or by its name when the resolver chose the capital's
/// region ("Kiev" read as Kyiv Oblast).
pub(super) fn is_capital(place: &crate::ResolvedPlace, surface: &str) -> bool {
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
pub(super) fn is_located(
    text: &str,
    sentence_start: usize,
    mention_start: usize,
    mention_end: usize,
) -> bool {
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
pub(super) fn is_event_place(mention: &Mention) -> bool {
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
pub(super) fn is_office(text: &str, end: usize) -> bool {
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
pub(super) fn is_reference_point(before: &str) -> bool {
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
pub(super) const COMPASS: &[&str] =
    &["north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"];

/// The text between two places makes the second part of a description of the first:
/// "Ilovaisk, a railway junction east of the rebel stronghold of Donetsk", "Bezimenne, east
/// of Mariupol". A list ("Luhansk, Donetsk and Horlivka") is no apposition.
pub(super) fn is_apposition(between: &str) -> bool {
    let Some(rest) = between.strip_prefix(", ") else { return false };
    let first = rest.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    rest.len() < 80
        && !rest.contains(',')
        && (matches!(
            first.as_str(),
            "a" | "an" | "the" | "near" | "just" | "about" | "some" | "outside" | "close"
        ) || COMPASS.contains(&first.replace('-', "").as_str()))
}

/// "eastern Ukraine": a direction before a country names an area of it, when the gazetteer
/// knows that area.
pub(super) fn directed_areas(
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
                locates: None,
            })
        })
        .collect()
}

/// "Killed in the separatist east", "fighting in Ukraine's east", "in the south": a part of
/// the country named by its compass point alone, when the article is about Ukraine. The part
/// is the gazetteer's area ("eastern Ukraine", at its representative point, geo precision 3).
/// "East of Kharkiv" is a bearing, and "the Far East" or "the Middle East" are elsewhere.
pub(super) fn parts_of_ukraine(
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
    if !lower.contains("east") && !lower.contains("south") {
        return out;
    }
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
            locates: None,
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
pub(super) struct BorderArea {
    pub(super) id: &'static str,
    pub(super) name: &'static str,
    pub(super) lat: f64,
    pub(super) lon: f64,
    pub(super) country: &'static str,
    pub(super) phrases: &'static [&'static str],
}

pub(super) const BORDER_AREAS: &[BorderArea] = &[
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
pub(super) fn is_vessel_name(
    text: &str,
    start: usize,
    mention: &Mention,
    here: &[Mention],
) -> bool {
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
pub(super) fn is_the_town(lower: &str, at: usize, mention: &Mention) -> bool {
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
pub(super) const SIDED_BORDER_PHRASES: &[&str] =
    &["the border with ukraine", "the ukrainian border"];

/// "The Ukrainian border town of Vovchansk", "border guards": "border" used as an attribute
/// names no stretch of border. `end` is where the phrase ends in `lower`.
pub(super) fn is_border_attribute(lower: &str, end: usize) -> bool {
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
pub(super) fn border_areas(text: &str, lower: &str, start: usize) -> Vec<Mention> {
    let mut out = Vec::new();
    if !lower.contains("border") {
        return out;
    }
    /// Every phrase of every area, and its curly-apostrophe spelling ("Ukraine’s"), in one
    /// automaton: (area, phrase's rank in its area, curly) for each pattern.
    struct Phrases {
        automaton: AhoCorasick,
        owners: Vec<(usize, usize, bool)>,
    }
    static PHRASES: LazyLock<Phrases> = LazyLock::new(|| {
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for (area, border) in BORDER_AREAS.iter().enumerate() {
            for (rank, phrase) in border.phrases.iter().enumerate() {
                patterns.push((*phrase).to_owned());
                owners.push((area, rank, false));
                if phrase.contains('\'') {
                    patterns.push(phrase.replace('\'', "’"));
                    owners.push((area, rank, true));
                }
            }
        }
        let automaton = AhoCorasick::new(&patterns).expect("the border phrases build an automaton");
        Phrases { automaton, owners }
    });
    // "The Ukrainian border" is Russia's only when the sentence is about Russia: from Poland
    // it is another border.
    static RUSSIA: LazyLock<PhraseSet> =
        LazyLock::new(|| PhraseSet::new(&["russia", "russian", "moscow", "kremlin"]));
    static OTHER_NEIGHBOURS: LazyLock<PhraseSet> = LazyLock::new(|| {
        PhraseSet::new(&[
            "poland",
            "polish",
            "belarus",
            "belarusian",
            "moldova",
            "romania",
            "hungary",
            "slovakia",
        ])
    });
    let russian_side = RUSSIA.any(lower) && !OTHER_NEIGHBOURS.any(lower);
    // Per area, the phrase that comes first in its list, its straight spelling before its
    // curly one, and its first place in the sentence.
    /// (phrase's rank, curly, offset) to compare, and the end of the match.
    type Found = ((usize, bool, usize), usize);
    let mut best: Vec<Option<Found>> = vec![None; BORDER_AREAS.len()];
    for found in PHRASES.automaton.find_overlapping_iter(lower) {
        let (area, rank, curly) = PHRASES.owners[found.pattern().as_usize()];
        let (at, end) = (found.start(), found.end());
        let phrase = BORDER_AREAS[area].phrases[rank];
        let bounded = (at == 0
            || !lower[..at].chars().next_back().is_some_and(char::is_alphanumeric))
            && !lower[end..].chars().next().is_some_and(char::is_alphanumeric);
        if !bounded
            || (SIDED_BORDER_PHRASES.contains(&phrase) && !russian_side)
            || is_border_attribute(lower, end)
        {
            continue;
        }
        let key = (rank, curly, at);
        if best[area].is_none_or(|(old, _)| key < old) {
            best[area] = Some((key, end));
        }
    }
    for (area, found) in BORDER_AREAS.iter().zip(best) {
        let Some(((_, _, at), end)) = found else { continue };
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
                district: None,
                katottg: None,
                hromada: None,
                feature_code: "RGN".to_owned(),
            }),
            confidence: 0.6,
            runner_up: None,
            locates: None,
        });
    }
    out
}

/// Countries whose events the map covers: the Russia / Ukraine / Belarus / Baltic border
/// region and its neighbours. A sentence placing an event in Washington or Brussels is
/// about a statement made there, not a conflict event on this map.
pub(super) const SCOPE: &[&str] =
    &["UA", "RU", "BY", "PL", "LT", "LV", "EE", "MD", "FI", "RO", "SK", "HU", "GE"];

pub(super) fn in_scope(country_code: &str) -> bool {
    SCOPE.contains(&country_code)
}

/// A dateline ("KYIV, August 15 (Reuters) -", "MOSCOW —"): where the report was filed, not
/// where anything happened. The mention opens a line and is followed by a comma or dash
/// and then a date or an agency, or is written in capitals.
pub(super) fn is_dateline(text: &str, mention: &Mention) -> bool {
    // Only blanks may stand between the line's start and the name; the scan stops at the
    // first other character, so it never walks back over the whole text.
    let before = text.get(..mention.start).unwrap_or("");
    let mut scanned = 0;
    let at_line_start = before
        .chars()
        .rev()
        .inspect(|_| scanned += 1)
        .find(|c| !c.is_whitespace() || *c == '\n')
        .is_none_or(|c| c == '\n');
    crate::work::add(scanned);
    if !at_line_start {
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
