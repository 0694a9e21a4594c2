//! Words with byte offsets, and the facts about their surroundings the recognizer needs.

/// One word of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte offset of the first byte.
    pub(crate) start: usize,
    /// Byte offset one past the last byte.
    pub(crate) end: usize,
    /// Starts with an upper-case letter.
    pub(crate) capitalized: bool,
    /// First word of a sentence, a line or a quotation.
    pub(crate) sentence_start: bool,
    /// Only spaces, or a hyphen without spaces, separate it from the previous word.
    pub(crate) joined_to_previous: bool,
}

fn is_word_char(ch: char) -> bool {
    ch.is_alphanumeric()
}

fn is_inner_joiner(ch: char) -> bool {
    matches!(ch, '\'' | '’' | 'ʼ' | '.')
}

/// Splits text into words. A word is a run of letters and digits, with inner apostrophes
/// ("Mar'inka", "Russia's") and inner periods ("U.S.") kept.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut last_end = 0;
    while let Some((start, ch)) = chars.next() {
        if !is_word_char(ch) {
            continue;
        }
        let mut end = start + ch.len_utf8();
        while let Some(&(at, next)) = chars.peek() {
            if is_word_char(next) {
                end = at + next.len_utf8();
                chars.next();
            } else if is_inner_joiner(next) {
                let after = text[at + next.len_utf8()..].chars().next();
                if after.is_some_and(is_word_char) {
                    end = at + next.len_utf8();
                    chars.next();
                } else if next == '.' && text[start..end].len() == 1 && ch.is_uppercase() {
                    // "U.S." keeps its final period when it follows a single capital.
                    end = at + 1;
                    chars.next();
                    break;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        // "U.S." and "D.C." keep their final period: letters joined by periods.
        if text[end..].starts_with('.') && text[start..end].contains('.') {
            end += 1;
        }
        let gap = &text[last_end..start];
        // "St. Louis", "Mt. Hood": the period of an abbreviation does not end a sentence.
        let after_abbreviation = tokens.last().is_some_and(|previous: &Token| {
            matches!(&text[previous.start..previous.end], "St" | "Mt" | "Ft" | "Pt") && gap == ". "
        });
        let sentence_start = tokens.is_empty()
            || (!after_abbreviation
                && gap.contains(['.', '!', '?', '\n', '“', '"', ':', '•', '|']))
            || text[..start].ends_with(['(', '[']);
        // A spaced dash ("Bakhmut - RF Ministry of Defense") separates; a bare hyphen
        // ("Rostov-on-Don") joins.
        let joined_to_previous = !tokens.is_empty()
            && (after_abbreviation || gap == "-" || gap.chars().all(|c| c == ' ' || c == '\u{a0}'));
        tokens.push(Token {
            start,
            end,
            capitalized: ch.is_uppercase(),
            sentence_start,
            joined_to_previous,
        });
        last_end = end;
    }
    tokens
}
