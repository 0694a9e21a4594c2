//! Name keys: the folded form every lookup starts from, and the romanization skeleton.
//!
//! Both functions work on copies of the name; callers keep the original text and its offsets.

use unicode_normalization::UnicodeNormalization;

/// Folds a name to its lookup key: lowercase ASCII letters, digits and single spaces.
///
/// Diacritics are stripped (`Charków` → `charkow`), Cyrillic is romanized with one fixed
/// scheme (`Харків` → `kharkiv`), apostrophes and soft signs vanish (`Lysychans'k` →
/// `lysychansk`), and punctuation such as hyphens becomes a space (`Rostov-on-Don` →
/// `rostov on don`). Characters of other scripts are kept as they are, so a name in,
/// say, Arabic gets a key too, but it can never equal a Latin key.
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    fold_into(name, &mut out);
    out
}

/// Like [`fold`], writing into a reused buffer (cleared first).
pub fn fold_into(name: &str, out: &mut String) {
    out.clear();
    let mut pending_space = false;
    for ch in name.chars() {
        if ch.is_ascii() {
            let lower = ch.to_ascii_lowercase();
            if lower.is_ascii_alphanumeric() {
                push_pending_space(out, &mut pending_space);
                out.push(lower);
            } else if is_apostrophe(ch) {
                // Apostrophes mark soft signs in romanized names: drop them.
            } else {
                pending_space = true;
            }
            continue;
        }
        if is_apostrophe(ch) {
            continue;
        }
        for lower in ch.to_lowercase() {
            if let Some(latin) = cyrillic_to_latin(lower) {
                if !latin.is_empty() {
                    push_pending_space(out, &mut pending_space);
                    out.push_str(latin);
                }
                continue;
            }
            if let Some(latin) = special_latin(lower) {
                push_pending_space(out, &mut pending_space);
                out.push_str(latin);
                continue;
            }
            // Decompose and drop combining marks: é → e, ż → z.
            let mut pushed = false;
            for part in std::iter::once(lower).nfd() {
                if is_combining_mark(part) {
                    continue;
                }
                if part.is_alphanumeric() {
                    if !pushed {
                        push_pending_space(out, &mut pending_space);
                        pushed = true;
                    }
                    if part.is_ascii() {
                        out.push(part.to_ascii_lowercase());
                    } else {
                        out.push(part);
                    }
                } else if part.is_whitespace() || part.is_ascii_punctuation() || is_dash(part) {
                    pending_space = true;
                }
            }
        }
    }
}

fn push_pending_space(out: &mut String, pending_space: &mut bool) {
    if *pending_space && !out.is_empty() {
        out.push(' ');
    }
    *pending_space = false;
}

fn is_apostrophe(ch: char) -> bool {
    matches!(ch, '\'' | '’' | 'ʼ' | '`' | '´' | 'ʹ' | '‘' | 'ʻ' | 'ʽ' | '′')
}

fn is_dash(ch: char) -> bool {
    matches!(ch, '‐' | '‑' | '‒' | '–' | '—' | '―' | '\u{a0}' | '«' | '»' | '“' | '”' | '„')
}

fn is_combining_mark(ch: char) -> bool {
    matches!(ch as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF)
}

fn special_latin(ch: char) -> Option<&'static str> {
    Some(match ch {
        'ł' => "l",
        'ø' => "o",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        'ħ' => "h",
        'ŀ' => "l",
        _ => return None,
    })
}

/// One fixed romanization for Ukrainian, Russian and Belarusian letters.
///
/// Which scheme matters little: Cyrillic queries meet Cyrillic names romanized the same way,
/// and Latin spellings from other schemes meet through [`skeleton`].
fn cyrillic_to_latin(ch: char) -> Option<&'static str> {
    Some(match ch {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "yo",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

/// True when a folded key holds only ASCII letters, digits and spaces.
pub fn is_latin_key(key: &str) -> bool {
    key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' ')
}

/// The romanization skeleton of a folded key: consonants only, with the letters that
/// transliteration schemes disagree on mapped together.
///
/// `horlivka` and `gorlovka` both give `hrlvk`; `avdiivka` and `avdeyevka` give `_vdvk`
/// (`_` marks a word-initial vowel); `zaporizhzhia` and `zaporozhye` give `zprz`.
/// The skeleton is a candidate generator, never a verdict: distinct places share
/// skeletons, and ranking tells them apart. Returns `None` for keys that are not Latin.
pub fn skeleton(key: &str) -> Option<String> {
    if !is_latin_key(key) {
        return None;
    }
    let bytes = key.as_bytes();
    let mut out = String::with_capacity(key.len());
    let mut i = 0;
    let mut word_start = true;
    let mut last: u8 = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let b = bytes[i];
        if b == b' ' {
            out.push(' ');
            word_start = true;
            last = b' ';
            i += 1;
            continue;
        }
        // Ukrainian writes a prothetic v before a word-initial u: Vuhledar / Ugledar.
        if word_start && rest.starts_with(b"vu") {
            i += 1;
            continue;
        }
        let (mapped, used): (Option<u8>, usize) = if rest.starts_with(b"shch") {
            (Some(b's'), 4)
        } else if rest.starts_with(b"sch") || rest.starts_with(b"tch") {
            (Some(if b == b's' { b's' } else { b'c' }), 3)
        } else if rest.starts_with(b"dzh") {
            (Some(b'z'), 3)
        } else if rest.starts_with(b"sh") || rest.starts_with(b"sz") {
            (Some(b's'), 2)
        } else if rest.starts_with(b"zh") {
            (Some(b'z'), 2)
        } else if rest.starts_with(b"kh") {
            (Some(b'h'), 2)
        } else if rest.starts_with(b"ch")
            || rest.starts_with(b"ts")
            || rest.starts_with(b"tz")
            || rest.starts_with(b"cz")
        {
            (Some(b'c'), 2)
        } else if rest.starts_with(b"ph") {
            (Some(b'f'), 2)
        } else if rest.starts_with(b"ck") {
            (Some(b'k'), 2)
        } else {
            let mapped = match b {
                b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'j' => None,
                b'g' => Some(b'h'),
                b'w' => Some(b'v'),
                b'q' => Some(b'k'),
                b'x' => Some(b'k'),
                other => Some(other),
            };
            (mapped, 1)
        };
        match mapped {
            None => {
                if word_start {
                    out.push('_');
                    last = b'_';
                }
            }
            Some(c) => {
                if c != last {
                    out.push(c as char);
                }
                last = c;
            }
        }
        word_start = false;
        i += used;
    }
    Some(out)
}

/// Number of consonant letters in a skeleton: short skeletons collide too often to use.
pub fn skeleton_strength(skeleton: &str) -> usize {
    skeleton.bytes().filter(|b| b.is_ascii_alphanumeric()).count()
}

/// Words that turn a region's name into the region: "Belgorod region", "Donetsk Oblast".
pub const REGION_DESIGNATORS: &[&str] = &[
    "oblast",
    "region",
    "province",
    "krai",
    "kray",
    "voivodeship",
    "governorate",
    "republic",
    "state",
    "county",
    "voblast",
    "district",
    "territory",
];

/// Romanizes a Ukrainian name by the national system (Cabinet of Ministers resolution
/// No. 55 of 27 January 2010), the spelling of official English names: `Роботине` →
/// `Robotyne`, `Слов'янськ` → `Sloviansk`, `Запоріжжя` → `Zaporizhzhia`.
///
/// Є, Ї, Й, Ю and Я are written `Ye`, `Yi`, `Y`, `Yu`, `Ya` at the start of a word and
/// `ie`, `i`, `i`, `iu`, `ia` elsewhere; `зг` is `zgh`; the soft sign and apostrophes are
/// dropped. Other characters are kept as they are.
pub fn romanize_ukrainian(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    let mut word_start = true;
    let mut previous: Option<char> = None;
    for ch in name.chars() {
        let lower = ch.to_lowercase().next().unwrap_or(ch);
        let upper = ch != lower;
        let latin: Option<&str> = match lower {
            'є' => Some(if word_start { "ye" } else { "ie" }),
            'ї' => Some(if word_start { "yi" } else { "i" }),
            'й' => Some(if word_start { "y" } else { "i" }),
            'ю' => Some(if word_start { "yu" } else { "iu" }),
            'я' => Some(if word_start { "ya" } else { "ia" }),
            'г' if previous == Some('з') => Some("gh"),
            'г' => Some("h"),
            'и' => Some("y"),
            'ь' => Some(""),
            _ if is_apostrophe(ch) => Some(""),
            'ы' | 'э' | 'ё' | 'ъ' => None,
            other => cyrillic_to_latin(other),
        };
        match latin {
            Some(latin) => {
                let mut letters = latin.chars();
                if let Some(first) = letters.next() {
                    if upper {
                        out.push(first.to_ascii_uppercase());
                    } else {
                        out.push(first);
                    }
                    out.extend(letters);
                }
            }
            None => out.push(ch),
        }
        // An apostrophe or a soft sign does not start a word; a space or a hyphen does.
        word_start = !(ch.is_alphanumeric() || is_apostrophe(ch));
        previous = Some(lower);
    }
    out
}
