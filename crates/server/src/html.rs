//! The readable text of a web page: headline, publication time and body, without
//! scripts, navigation, headers, footers, asides and forms.
//!
//! A small tag scanner rather than a full HTML5 parser: news pages only need their text
//! blocks in order. When the page has an `<article>` (or `<main>`) element, only its
//! text is kept. Block elements end lines; character references are decoded.

/// What a page holds for the ingester.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// `og:title`, else `<title>`, else the first `<h1>`.
    pub title: Option<String>,
    /// `article:published_time` (or another date meta, or the first `<time datetime>`).
    pub published: Option<String>,
    /// The body text, one block per line.
    pub text: String,
}

/// Elements whose content is never article text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg",
    "iframe", "button", "select", "figure",
];

/// Elements that end a line of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "main",
    "blockquote",
    "tr",
    "table",
    "dd",
    "dt",
    "figcaption",
    "pre",
    "hr",
    "body",
];

struct Tag<'a> {
    name: String,
    closing: bool,
    attributes: &'a str,
}

fn attribute(attributes: &str, name: &str) -> Option<String> {
    let lower = attributes.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_at = attributes.len() - rest.len() + 1;
        let value = attributes[value_at..].trim_start();
        let (quote, body) = match value.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), &value[1..]),
            _ => (None, value),
        };
        let end = match quote {
            Some(q) => body.find(q).unwrap_or(body.len()),
            None => body.find(|c: char| c.is_whitespace() || c == '>').unwrap_or(body.len()),
        };
        return Some(decode(&body[..end]));
    }
    None
}

/// Decodes character references (`&amp;`, `&#8217;`, `&#x2014;` and the common names).
pub fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..].find(|c: char| !c.is_ascii_alphanumeric() && c != '#').map(|i| i + 1);
        let entity = end.map(|end| &rest[1..end]).unwrap_or("");
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            "mdash" => Some('—'),
            "ndash" => Some('–'),
            "rsquo" => Some('’'),
            "lsquo" => Some('‘'),
            "ldquo" => Some('“'),
            "rdquo" => Some('”'),
            "hellip" => Some('…'),
            _ => entity.strip_prefix('#').and_then(|number| {
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => number.parse().ok(),
                };
                code.and_then(char::from_u32)
            }),
        };
        match (decoded, end) {
            (Some(c), Some(end)) => {
                out.push(c);
                rest = &rest[end..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A text run or a tag.
enum Piece<'a, 'b> {
    Text(&'a str),
    Tag(&'b Tag<'a>),
}

/// Splits a page into text runs and tags.
fn scan<'a>(html: &'a str, mut on: impl FnMut(Piece<'a, '_>)) {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        on(Piece::Text(&rest[..open]));
        rest = &rest[open..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(close) = rest.find('>') else {
            rest = "";
            break;
        };
        let inner = &rest[1..close];
        rest = &rest[close + 1..];
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let name_end = inner.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(inner.len());
        let name = inner[..name_end].to_ascii_lowercase();
        if name.is_empty() || name.starts_with('!') || name.starts_with('?') {
            continue;
        }
        let tag = Tag { name, closing, attributes: &inner[name_end..] };
        on(Piece::Tag(&tag));
        // Raw-text elements: skip to their end tag.
        if !closing
            && matches!(tag.name.as_str(), "script" | "style" | "template" | "svg" | "noscript")
        {
            let end_tag = format!("</{}", tag.name);
            let lower = rest.to_ascii_lowercase();
            let end = lower.find(&end_tag).unwrap_or(rest.len());
            rest = &rest[end..];
        }
    }
    on(Piece::Text(rest));
}

/// The headline, publication time and main text of a page.
pub fn main_text(html: &str) -> Page {
    let lower = html.to_ascii_lowercase();
    let scope = ["<article", "<main"].iter().find_map(|tag| {
        let start = lower.find(tag)?;
        let close = format!("</{}", &tag[1..]);
        let end = lower.rfind(&close).filter(|&end| end > start).unwrap_or(html.len());
        Some(start..end)
    });
    let mut page = Page::default();
    let mut in_title = false;
    let mut first_h1: Option<String> = None;
    let mut in_h1 = false;
    let mut og_title = None;
    let mut html_title = String::new();
    let mut skip_depth = 0usize;
    let mut text = String::new();
    // First pass: metadata over the whole page.
    scan(html, |piece| {
        let tag = match piece {
            Piece::Text(run) => {
                if in_title {
                    html_title.push_str(run);
                }
                if in_h1 {
                    first_h1.get_or_insert_with(String::new).push_str(run);
                }
                return;
            }
            Piece::Tag(tag) => tag,
        };
        match (tag.name.as_str(), tag.closing) {
            ("title", closing) => in_title = !closing,
            ("h1", closing) => in_h1 = !closing && first_h1.is_none(),
            ("meta", false) => {
                let key = attribute(tag.attributes, "property")
                    .or_else(|| attribute(tag.attributes, "name"))
                    .or_else(|| attribute(tag.attributes, "itemprop"))
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let content = attribute(tag.attributes, "content");
                match key.as_str() {
                    "og:title" => og_title = content,
                    "article:published_time" | "datepublished" | "pubdate" | "date" | "dc.date"
                        if page.published.is_none() =>
                    {
                        page.published = content;
                    }
                    _ => {}
                }
            }
            ("time", false) if page.published.is_none() => {
                page.published = attribute(tag.attributes, "datetime");
            }
            _ => {}
        }
    });
    // Second pass: the text of the main element (or the body).
    let body = scope.map_or(html, |range| &html[range]);
    scan(body, |piece| match piece {
        Piece::Text(run) => {
            if skip_depth == 0 {
                let decoded = decode(run);
                let collapsed: Vec<&str> = decoded.split_whitespace().collect();
                if !collapsed.is_empty() {
                    if !text.is_empty() && !text.ends_with('\n') && !text.ends_with(' ') {
                        text.push(' ');
                    }
                    text.push_str(&collapsed.join(" "));
                }
            }
        }
        Piece::Tag(tag) => {
            let raw_text =
                matches!(tag.name.as_str(), "script" | "style" | "template" | "svg" | "noscript");
            if SKIPPED.contains(&tag.name.as_str()) && !raw_text {
                if tag.closing {
                    skip_depth = skip_depth.saturating_sub(1);
                } else {
                    skip_depth += 1;
                }
            } else if BLOCKS.contains(&tag.name.as_str())
                && !text.is_empty()
                && !text.ends_with('\n')
            {
                text.push('\n');
            }
        }
    });
    let clean = |value: String| {
        let value = decode(value.split_whitespace().collect::<Vec<_>>().join(" ").as_str());
        (!value.is_empty()).then_some(value)
    };
    page.title =
        og_title.and_then(clean).or_else(|| clean(html_title)).or_else(|| first_h1.and_then(clean));
    page.text = text.trim().to_owned();
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_article_and_drops_the_chrome() {
        let html = r#"<!doctype html><html><head><title>Site | Blast on bridge</title>
            <meta property="og:title" content="Blast damages Kerch Bridge &amp; rail line">
            <meta property="article:published_time" content="2022-10-08T09:30:00+03:00">
            <script>var x = "<p>not text</p>";</script><style>p{}</style></head>
            <body><header><nav>Home News Sport</nav></header>
            <article><h1>Blast damages Kerch Bridge</h1>
            <p>KYIV, Oct 8 &mdash; An explosion hit the Kerch Bridge on Saturday.</p>
            <aside>Read more: other stories</aside><!-- ad -->
            <p>Three people died, officials said&#8230;</p></article>
            <footer>© Site</footer></body></html>"#;
        let page = main_text(html);
        assert_eq!(page.title.as_deref(), Some("Blast damages Kerch Bridge & rail line"));
        assert_eq!(page.published.as_deref(), Some("2022-10-08T09:30:00+03:00"));
        assert_eq!(
            page.text,
            "Blast damages Kerch Bridge\nKYIV, Oct 8 — An explosion hit the Kerch Bridge on Saturday.\nThree people died, officials said…"
        );
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for html in
            ["<", "<p", "&#xFFFFFFFF;", "&", "<article><p>é&", "<script>", "<!--", "<a href='x>y"]
        {
            let _ = main_text(html);
        }
    }
}
