//! Recognition: which word runs are place names, and what role each plays.

use std::collections::HashSet;

use gazetteer::{Gazetteer, LookupContext, MatchKind, PlaceKind};

use crate::Role;
use crate::lexicon::{
    AGENT_VERBS, BOILERPLATE_MARKERS, FIRST_NAMES, NAME_CONNECTORS, OBJECT_VERBS, ORG_WORDS,
    SPEECH_VERBS, TITLES, WEAPON_NAMES, contains,
};
use crate::memo::Memo;
use crate::tokens::{Token, tokenize};

/// Longest place name tried, in words.
const MAX_NAME_WORDS: usize = 6;

/// Lower-case words that may continue a place name: designators and feature words.
const NAME_TAIL_WORDS: &[&str] = &[
    "region",
    "oblast",
    "district",
    "raion",
    "rayon",
    "province",
    "krai",
    "kray",
    "republic",
    "nuclear",
    "power",
    "plant",
    "station",
    "bridge",
    "dam",
    "airport",
    "base",
    "states",
    "island",
    "river",
    "sea",
    "strait",
    "reservoir",
    "gulf",
    "crossing",
    "checkpoint",
    "peninsula",
    "exclusion",
    "zone",
    "steel",
    "works",
    "spit",
    "people's",
    "peoples",
    "hydroelectric",
    "npp",
    "hpp",
    "air",
    "city",
];

/// Designators that make "`<Name> region`" a place mention even when the name is unknown.
const DESIGNATORS: &[&str] =
    &["region", "oblast", "district", "raion", "rayon", "province", "krai"];

/// A recognized place mention before resolution.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) role: Role,
    pub(crate) boilerplate: bool,
    /// The text to look up (the span without a possessive "'s").
    pub(crate) query: String,
}

/// Most place mentions read from one article: past this many, the rest of the text is not
/// read for places (about a hundred times what a long real report names).
pub const MAX_MENTIONS: usize = 20_000;

/// Byte ranges of boilerplate, sorted and disjoint: whole lines with a marker, and
/// "(Image: ...)" credits.
fn boilerplate_ranges(text: &str) -> Boilerplate {
    let mut ranges = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let lower = line.to_lowercase();
        let short = line.trim().len() < 200;
        let caption = ["image:", "photo:", "picture:"]
            .iter()
            .any(|marker| lower.trim_start().starts_with(marker));
        if short && (caption || BOILERPLATE_MARKERS.iter().any(|marker| lower.contains(marker))) {
            ranges.push((line_start, line_start + line.len()));
        }
        line_start += line.len();
    }
    // Each open bracket with the next closing one after it; the closing one found for an
    // earlier bracket serves the later ones before it, so the text is scanned once.
    let mut close: Option<usize> = None;
    for (open, _) in text.match_indices('(') {
        if close.is_none_or(|close| close <= open) {
            close = text[open..].find(')').map(|at| open + at + 1);
            crate::work::add(close.map_or(text.len(), |close| close) - open);
        }
        let Some(close) = close else { break };
        const MARKERS: [&str; 7] =
            ["(image", "(photo", "(picture", "(credit", "(getty", "(reuters", "(ap "];
        if close - open < 120
            && MARKERS.iter().any(|marker| {
                text.get(open..open + marker.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(marker))
            })
        {
            ranges.push((open, close));
        }
    }
    Boilerplate::new(ranges)
}

/// Disjoint, sorted byte ranges, asked whether a span overlaps one by binary search.
struct Boilerplate(Vec<(usize, usize)>);

impl Boilerplate {
    fn new(mut ranges: Vec<(usize, usize)>) -> Boilerplate {
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        Boilerplate(merged)
    }

    /// True when `start..end` overlaps a range.
    fn overlaps(&self, start: usize, end: usize) -> bool {
        // The first range that ends after `start` is the only one that may overlap.
        let at = self.0.partition_point(|&(_, range_end)| range_end <= start);
        self.0.get(at).is_some_and(|&(range_start, _)| range_start < end)
    }
}

fn word<'t>(text: &'t str, token: &Token) -> &'t str {
    &text[token.start..token.end]
}

fn strip_possessive(surface: &str) -> &str {
    for suffix in ["'s", "’s", "'", "’"] {
        if let Some(stripped) = surface.strip_suffix(suffix)
            && !stripped.is_empty()
        {
            return stripped;
        }
    }
    surface
}

/// Finds the place mentions of a text, in order, without overlaps; at most
/// [`MAX_MENTIONS`], and then also the byte offset where reading stopped.
pub(crate) fn recognize(gazetteer: &Gazetteer, text: &str) -> (Vec<Span>, Option<usize>) {
    let tokens = tokenize(text);
    let boilerplate = boilerplate_ranges(text);
    let mut surnames: HashSet<String> = HashSet::new();
    let mut spans = Vec::new();
    let mut context = LookupContext::border_region();
    context.limit = 3;
    let mut lookups = Lookups { gazetteer, context, memo: Memo::default() };
    let mut i = 0;
    let mut stopped = None;
    crate::work::add(tokens.len());
    while i < tokens.len() {
        let token = tokens[i];
        if !token.capitalized {
            i += 1;
            continue;
        }
        if spans.len() >= MAX_MENTIONS {
            stopped = Some(token.start);
            break;
        }
        let surface = word(text, &token);
        // Person names: "Dmitry Peskov", "spokesman Peskov", and later "Peskov" alone.
        let after_title = i > 0 && contains(TITLES, word(text, &tokens[i - 1]));
        let after_first_name = i > 0
            && tokens[i - 1].capitalized
            && token.joined_to_previous
            && contains(FIRST_NAMES, word(text, &tokens[i - 1]));
        if contains(FIRST_NAMES, surface)
            && tokens.get(i + 1).is_some_and(|next| next.capitalized && next.joined_to_previous)
        {
            let mut j = i + 1;
            while tokens.get(j + 1).is_some_and(|next| next.capitalized && next.joined_to_previous)
                && j < i + 3
            {
                j += 1;
            }
            surnames.insert(strip_possessive(word(text, &tokens[j])).to_lowercase());
            i = j + 1;
            continue;
        }
        if after_first_name || surnames.contains(&strip_possessive(surface).to_lowercase()) {
            i += 1;
            continue;
        }
        if after_title
            && lookups
                .best(strip_possessive(surface), surface.chars().count() >= 7)
                .is_none_or(|best| best.kind != PlaceKind::Country)
        {
            surnames.insert(strip_possessive(surface).to_lowercase());
            i += 1;
            continue;
        }

        match longest_place(&mut lookups, text, &tokens, i) {
            Some(Found { len, query, how, kind, population, curated, in_border_region }) => {
                let last = tokens[i + len - 1];
                let next = tokens.get(i + len);
                let org_follows = next.is_some_and(|next| {
                    next.capitalized
                        && next.joined_to_previous
                        && contains(ORG_WORDS, word(text, next))
                });
                let single = len == 1;
                let demonym = how == MatchKind::Demonym;
                // Countries, regions, curated areas and features, and cities of 100,000 or more
                // are places even where a small village's name would be a word or a surname.
                let prominent =
                    matches!(kind, PlaceKind::Country | PlaceKind::Admin1 | PlaceKind::Area)
                        || population >= 100_000
                        || curated
                        || demonym;
                let calendar = single && crate::date::is_calendar_word(surface);
                let uppercase = query.chars().filter(|c| c.is_uppercase()).count();
                let all_caps = uppercase >= 2 && !query.chars().any(char::is_lowercase);
                // A common English word ("We", "And", "More", "China") is a place only by a
                // place's own name: a country, or a prominent place in mid-sentence.
                let own_name = how == MatchKind::Name;
                let common = single
                    && !all_caps
                    && gazetteer.is_common_word(&query)
                    && !(own_name
                        && (kind == PlaceKind::Country || (prominent && !token.sentence_start)));
                let acronym = single
                    && all_caps
                    && query.chars().count() <= 5
                    && !(kind == PlaceKind::Country || curated);
                // A small place's name inside a longer capitalized run is part of another
                // name: "Marat Khusnullin", "Notre Dame", "Commerce Department".
                let previous_capitalized = i > 0
                    && token.joined_to_previous
                    && tokens[i - 1].capitalized
                    && !token.sentence_start;
                let next_capitalized =
                    next.is_some_and(|next| next.capitalized && next.joined_to_previous);
                let inside_other_name =
                    single && !prominent && (previous_capitalized || next_capitalized);
                if inside_other_name
                    && !previous_capitalized
                    && !token.sentence_start
                    && !gazetteer.is_common_word(&query)
                    && let Some(next) =
                        next.filter(|next| next.capitalized && next.joined_to_previous)
                {
                    surnames.insert(strip_possessive(word(text, next)).to_lowercase());
                }
                // A capitalized word that is no place, then a name matched only loosely (by
                // another place's alternate name, a variant or a typo): a person's name,
                // "Harriet Salem", "Vassily Malayev". The surname is remembered.
                let loose = !matches!(how, MatchKind::Name | MatchKind::Demonym);
                let after_unknown_name = single
                    && previous_capitalized
                    && loose
                    && !gazetteer.is_common_word(word(text, &tokens[i - 1]))
                    && lookups.best(word(text, &tokens[i - 1]), true).is_none();
                if after_unknown_name {
                    surnames.insert(strip_possessive(&query).to_lowercase());
                }
                // A village does not speak: "Rozen said" is a person, not the village of
                // Nove Pole that once bore the name.
                let speaks = single
                    && !prominent
                    && next.is_some_and(|next| {
                        next.joined_to_previous && contains(SPEECH_VERBS, word(text, next))
                    });
                if speaks {
                    surnames.insert(strip_possessive(&query).to_lowercase());
                }
                // Typos are forgiven only for names that matter: prominent places and the
                // border region's towns.
                let far_typo = how == MatchKind::Typo && !prominent && !in_border_region;
                let weapon = single && !prominent && contains(WEAPON_NAMES, &query);
                if (org_follows && !demonym)
                    || weapon
                    || calendar
                    || common
                    || acronym
                    || inside_other_name
                    || after_unknown_name
                    || far_typo
                    || speaks
                {
                    i += len;
                    continue;
                }
                let role = if how == MatchKind::Demonym {
                    Role::Demonym
                } else if is_metonym(text, &tokens, i + len, &query, kind)
                    || (i > 0
                        && matches!(kind, PlaceKind::Country | PlaceKind::Populated)
                        && contains(OBJECT_VERBS, word(text, &tokens[i - 1])))
                {
                    Role::Metonym
                } else {
                    Role::Literal
                };
                let end = token.start + query.len();
                let end = end.max(token.start).min(last.end);
                let in_boilerplate = boilerplate.overlaps(token.start, end);
                spans.push(Span {
                    start: token.start,
                    end,
                    role,
                    boilerplate: in_boilerplate,
                    query,
                });
                i += len;
            }
            None => {
                // "<Name> region" with an unknown name is still a place mention.
                if let Some(next) = tokens.get(i + 1)
                    && next.joined_to_previous
                    && !next.capitalized
                    && contains(DESIGNATORS, word(text, next))
                    && !token.sentence_start
                {
                    let query = text[token.start..next.end].to_owned();
                    let in_boilerplate = boilerplate.overlaps(token.start, next.end);
                    spans.push(Span {
                        start: token.start,
                        end: next.end,
                        role: Role::Literal,
                        boilerplate: in_boilerplate,
                        query,
                    });
                    i += 2;
                    continue;
                }
                i += 1;
            }
        }
    }
    (spans, stopped)
}

/// The facts recognition needs about the best candidate for a phrase.
#[derive(Debug, Clone, Copy)]
struct Best {
    how: MatchKind,
    kind: PlaceKind,
    population: u64,
    curated: bool,
    in_border_region: bool,
}

/// Per-document memo of gazetteer lookups: articles repeat their names, and an unknown
/// long word costs a few hundred typo probes.
struct Lookups<'g> {
    gazetteer: &'g Gazetteer,
    context: LookupContext,
    memo: Memo<(String, bool), Option<Best>>,
}

impl Lookups<'_> {
    fn best(&mut self, phrase: &str, fuzzy: bool) -> Option<Best> {
        if let Some(known) = self.memo.get(&(phrase.to_owned(), fuzzy)) {
            return *known;
        }
        self.context.fuzzy = fuzzy;
        let best = self.gazetteer.lookup(phrase, &self.context).first().map(|best| Best {
            how: best.how,
            kind: best.place.kind,
            population: best.place.population,
            curated: best.place.curated_id.is_some(),
            in_border_region: best.place.country.is_one_of(gazetteer::BORDER_REGION),
        });
        self.memo.insert((phrase.to_owned(), fuzzy), best);
        best
    }
}

/// A known place name found at a token.
struct Found {
    /// Number of words.
    len: usize,
    /// The text looked up.
    query: String,
    /// How the best candidate matched.
    how: MatchKind,
    /// The best candidate's kind.
    kind: PlaceKind,
    /// The best candidate's population.
    population: u64,
    /// The best candidate is a curated row.
    curated: bool,
    /// The best candidate lies in a border-region country.
    in_border_region: bool,
}

/// The longest run of words from `first` that the gazetteer knows, with the text looked up,
/// how it matched and what kind of place the best candidate is.
fn longest_place(
    lookups: &mut Lookups<'_>,
    text: &str,
    tokens: &[Token],
    first: usize,
) -> Option<Found> {
    let mut last = first;
    let window_end = tokens.len().min(first + MAX_NAME_WORDS);
    for (k, &token) in tokens.iter().enumerate().take(window_end).skip(first + 1) {
        let surface = word(text, &token);
        if !token.joined_to_previous {
            break;
        }
        if !token.capitalized
            && !contains(NAME_CONNECTORS, surface)
            // "The Kharkiv region's Kupiansk district": a designator may carry the possessive.
            && !contains(NAME_TAIL_WORDS, strip_possessive(surface))
        {
            break;
        }
        last = k;
    }
    for end_idx in (first..=last).rev() {
        let end_token = tokens[end_idx];
        let end_word = word(text, &end_token);
        if end_idx > first && contains(NAME_CONNECTORS, end_word) {
            continue;
        }
        let phrase = strip_possessive(&text[tokens[first].start..end_token.end]);
        if phrase.len() < 2 {
            continue;
        }

        // Typos are looked for in lone capitalized words only: a word beside another
        // capitalized word is far more often part of a person's or an outlet's name, and
        // each typo search costs a few hundred probes.
        let alone = !tokens[first].joined_to_previous
            || first == 0
            || !tokens[first - 1].capitalized
            || tokens[first].sentence_start;
        let alone = alone
            && tokens
                .get(first + 1)
                .is_none_or(|next| !(next.capitalized && next.joined_to_previous));
        let fuzzy = end_idx == first && alone && phrase.chars().count() >= 7;
        let Some(best) = lookups.best(phrase, fuzzy) else { continue };
        if end_idx > first && best.how == MatchKind::Typo {
            continue;
        }
        // "The city", "The region": an article and designators name nothing.
        let no_name = tokens[first..=end_idx].iter().all(|token| {
            let word = strip_possessive(word(text, token));
            contains(&["the", "a", "an"], word)
                || contains(NAME_TAIL_WORDS, word)
                || contains(NAME_CONNECTORS, word)
        });
        if no_name {
            continue;
        }
        return Some(Found {
            len: end_idx - first + 1,
            query: phrase.to_owned(),
            how: best.how,
            kind: best.kind,
            population: best.population,
            curated: best.curated,
            in_border_region: best.in_border_region,
        });
    }
    None
}

/// True when the words after a mention make it stand for a government or institution.
fn is_metonym(text: &str, tokens: &[Token], after: usize, query: &str, kind: PlaceKind) -> bool {
    if matches!(
        query,
        "Kremlin" | "White House" | "Pentagon" | "Downing Street" | "Élysée" | "Bankova"
    ) {
        return true;
    }
    let Some(next) = tokens.get(after) else { return false };
    let next_word = word(text, next);
    let gap = &text[tokens[after - 1].end..next.start];
    if gap == "-"
        && matches!(
            next_word.to_lowercase().as_str(),
            "backed" | "controlled" | "led" | "allied" | "installed"
        )
    {
        return true;
    }
    if !matches!(kind, PlaceKind::Country | PlaceKind::Populated | PlaceKind::Feature) {
        return false;
    }
    if gap.contains(['.', ',', ';', ':', '(', ')']) && !gap.trim().is_empty() {
        return false;
    }
    contains(AGENT_VERBS, next_word)
}
