//! Calendar dates without a clock: parsing `YYYY-MM-DD`, day arithmetic and weekdays, and
//! the relative expressions news uses ("on Friday", "a day earlier", "last week").

/// A proleptic Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of the month, 1..=31.
    pub day: u32,
}

impl Date {
    /// A date if the day exists ("February 30" does not).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` (a longer timestamp is cut to its date).
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        let date = text.get(..10)?;
        let mut parts = date.split('-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        Date::new(year, month, day)
    }

    /// Days since 1970-01-01.
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// This date moved by `days`.
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// Day of the week, 0 = Monday .. 6 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        ((self.to_days() + 3).rem_euclid(7)) as u32
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

const WEEKDAYS: [&str; 7] =
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Weekday and month names: capitalized, never places in running text.
pub(crate) fn is_calendar_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    WEEKDAYS.contains(&lower.as_str()) || MONTHS.contains(&lower.as_str())
}

/// The month a word names: full names, three-letter abbreviations, and "Sept".
pub(crate) fn month_number(word: &str) -> Option<u32> {
    if word == "sept" {
        return Some(9);
    }
    let position = MONTHS
        .iter()
        .position(|month| *month == word || (word.len() == 3 && month.starts_with(word)))?;
    Some(position as u32 + 1)
}

/// The date a sentence names itself ("on Friday", "a day earlier", "October 12", "last
/// week"), resolved against the publication date, with its precision; `None` when it names
/// none.
pub(crate) fn explicit_date(sentence: &str, published: Date) -> Option<(Date, u8)> {
    let lower = after_dateline(sentence).to_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).collect();
    // The most precise expression wins: a day ("October 12", "on Saturday") over a span
    // ("in recent weeks") over a month ("in February 2022").
    let mut month_year = None;
    // Words of a baseline ("the deadliest since February 2022") date nothing.
    let mut in_baseline = vec![false; words.len()];
    for (i, word) in words.iter().enumerate() {
        if *word == "since" && is_baseline(&words[..i]) {
            for flag in in_baseline.iter_mut().skip(i + 1).take(3) {
                *flag = true;
            }
        }
    }
    // An explicit "October 12" or "12 October" (year of publication, or the year before if
    // that would be in the future).
    for (i, word) in words.iter().enumerate() {
        if in_baseline[i] {
            continue;
        }
        let Some(month) = month_number(word) else { continue };
        // A day is 1 to 31: "March 2014" has a year after the month, not a day.
        let as_day = |word: &&str| word.parse::<u32>().ok().filter(|day| (1..=31).contains(day));
        let day_after = words.get(i + 1).and_then(as_day);
        let day_before = i.checked_sub(1).and_then(|prev| as_day(&words[prev]));
        // "until Friday", "by October 12": a deadline, not the day anything happened.
        let opens = if day_after.is_some() || day_before.is_none() { i } else { i - 1 };
        if opens >= 1 && is_deadline(words[opens - 1]) {
            continue;
        }
        let day = day_after.or(day_before);
        let Some(day) = day else {
            // "in March 2014": the month is known, coded at its middle.
            if let Some(year) = words
                .get(i + 1)
                .and_then(|next| next.parse::<i32>().ok())
                .filter(|year| (1900..=2100).contains(year))
            {
                month_year = month_year.or(Date::new(year, month, 15).map(|date| (date, 3)));
            }
            continue;
        };
        let year = words
            .get(i + 2)
            .and_then(|next| next.parse::<i32>().ok())
            .filter(|year| (1900..=2100).contains(year));
        let date = match year {
            Some(year) => Date::new(year, month, day),
            None => Date::new(published.year, month, day).map(|date| {
                if date > published {
                    Date::new(published.year - 1, month, day).unwrap_or(date)
                } else {
                    date
                }
            }),
        };
        // "February 30" names no day: no event is dated on it.
        if let Some(date) = date {
            return Some((date, 1));
        }
    }
    for (i, word) in words.iter().enumerate() {
        match *word {
            "yesterday" => return Some((published.add_days(-1), 1)),
            "today" | "tonight" => return Some((published, 1)),
            "day"
                if i >= 1
                    && matches!(words[i - 1], "a" | "one")
                    && words.get(i + 1).is_some_and(|w| matches!(*w, "earlier" | "before")) =>
            {
                return Some((published.add_days(-1), 1));
            }
            _ => {}
        }
        // "By Friday" is a deadline, but "hit by Saturday's strike" names the day.
        if let Some(weekday) = WEEKDAYS.iter().position(|day| day == word)
            && !(i >= 1 && is_deadline(words[i - 1]) && words.get(i + 1) != Some(&"s"))
        {
            let back = (published.weekday() as i64 - weekday as i64).rem_euclid(7);
            return Some((published.add_days(-back), 1));
        }
    }
    for (i, word) in words.iter().enumerate() {
        match *word {
            // "in the last six days", "over the past two weeks": the middle of the span.
            "days" | "weeks"
                if i >= 2
                    && matches!(words[i - 2], "last" | "past")
                    && let Some(count) = small_number(words[i - 1]) =>
            {
                let days = if *word == "days" { count } else { count * 7 };
                return Some((published.add_days(-(days / 2)), if days <= 7 { 2 } else { 3 }));
            }
            "week" if i >= 1 && matches!(words[i - 1], "last" | "past") => {
                return Some((published.add_days(-7), 2));
            }
            "weeks" if i >= 1 && matches!(words[i - 1], "recent" | "past" | "last") => {
                return Some((published.add_days(-7), 3));
            }
            "month" if i >= 1 && matches!(words[i - 1], "last" | "past") => {
                return Some((published.add_days(-30), 3));
            }
            // "the heaviest shelling since February 2022", "the first attack since the
            // truce": a baseline, which dates nothing.
            "since" if is_baseline(&words[..i]) => {}
            // "since last August", "since mid-April": the span starts then.
            "since" => {
                return Some(since_month(&words[i + 1..], published).unwrap_or((published, 3)));
            }
            _ => {}
        }
    }
    month_year
}

/// The start of a span from a month on ("since last August", "since mid-April 2023"), at
/// precision 3: the latest such month not after publication unless a year is given.
fn since_month(words: &[&str], published: Date) -> Option<(Date, u8)> {
    let mut day = 1;
    let mut at = 0;
    let mut last = false;
    while let Some(&word) = words.get(at) {
        match word {
            "last" => last = true,
            "this" | "early" => {}
            "mid" => day = 15,
            "late" => day = 20,
            _ => break,
        }
        at += 1;
    }
    let month = month_number(words.get(at)?)?;
    let year = match words.get(at + 1).and_then(|next| next.parse::<i32>().ok()) {
        Some(year) if (1900..=2100).contains(&year) => year,
        // "since last May" in May is a year back.
        _ if month > published.month || (last && month == published.month) => published.year - 1,
        _ => published.year,
    };
    Some((Date::new(year, month, day)?, 3))
}

/// "Since" after a superlative or "first" ("the deadliest attack since February 2022", "the
/// first strike since the truce"): a comparison with the past, not the start of what the
/// clause reports ("has occupied Crimea since 2014"). `before` are the words before "since".
pub(crate) fn is_baseline(before: &[&str]) -> bool {
    before.iter().rev().take(4).any(|word| {
        matches!(*word, "first" | "worst" | "most" | "least" | "biggest")
            || (word.len() > 5 && word.ends_with("est") && !matches!(*word, "arrest" | "protest"))
    })
}

/// A word that makes the date after it an end or a time to come: "until Friday", "by
/// October 12", "next Monday".
fn is_deadline(word: &str) -> bool {
    matches!(word, "until" | "till" | "through" | "by" | "next")
}

/// The text after a dateline ("KYIV, August 15 (Reuters) - "): where and when the report
/// was filed is not when anything in it happened.
pub(crate) fn after_dateline(sentence: &str) -> &str {
    let trimmed = sentence.trim_start();
    let Some(comma) = trimmed.find(',') else { return sentence };
    let place = &trimmed[..comma];
    if !(3..=40).contains(&place.len())
        || !place.chars().any(char::is_alphabetic)
        || place.chars().any(char::is_lowercase)
    {
        return sentence;
    }
    let rest = &trimmed[comma..];
    let window = &rest[..rest.char_indices().nth(80).map_or(rest.len(), |(at, _)| at)];
    [" - ", " — ", " – "]
        .iter()
        .filter_map(|dash| window.find(dash).map(|at| at + dash.len()))
        .min()
        .map_or(sentence, |at| &rest[at..])
}

/// A count written in digits or as a word, up to twelve ("six days", "2 weeks").
fn small_number(word: &str) -> Option<i64> {
    const WORDS: [&str; 12] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    word.parse::<i64>()
        .ok()
        .filter(|n| (1..=366).contains(n))
        .or_else(|| WORDS.iter().position(|w| *w == word).map(|at| at as i64 + 1))
}
