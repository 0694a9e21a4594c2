//! `borderwatch watch --feed URL [--every 15m]`: poll RSS/Atom feeds and ingest the
//! articles they link to.
//!
//! Each round fetches every feed (with the URL checks of [`crate::fetch`]), parses it with
//! `feed-rs`, and for every item not taken before fetches its page and stores it. An item
//! is remembered in the store once it is stored or refused for good (a wrong content type,
//! a private address); an item whose fetch failed for a passing reason (a timeout, an HTTP
//! 5xx) is tried again next round. One bad feed or item never stops the others; a database
//! that becomes unavailable ends the round, and the next round connects again.
//!
//! Store calls run outside the async runtime (only the fetches are `block_on`'d): the
//! PostgreSQL client blocks on a runtime of its own, which may not run inside another.

use std::time::Duration;

use gazetteer::Gazetteer;
use store::{EventStore, Location, StoreError};
use tokio::runtime::Runtime;

use crate::ingest::{ArticleInput, Summary, try_ingest};
use crate::output::note;

/// Feed content types accepted.
const FEED_TYPES: [&str; 6] = [
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
];

/// Parses `15m`, `1h`, `30s` or a number of seconds.
pub fn parse_interval(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => (&text[..at], &text[at..]),
        None => (text, "s"),
    };
    let number: u64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => number,
        "m" => number.checked_mul(60)?,
        "h" => number.checked_mul(3600)?,
        _ => return None,
    };
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

/// Whether a failed fetch may succeed later.
fn passing(error: &str) -> bool {
    ["timed out", "HTTP 5", "error sending request", "connection", "reading"]
        .iter()
        .any(|sign| error.contains(sign))
}

/// One round over the feeds, fetching on `runtime`; returns what it stored.
pub fn poll(
    runtime: &Runtime,
    gazetteer: &Gazetteer,
    store: &mut dyn EventStore,
    feeds: &[String],
    allow_private: bool,
) -> Summary {
    let mut summary = Summary::default();
    let unavailable = |summary: &mut Summary, err: StoreError| {
        summary.stopped = Some(format!("{err}"));
    };
    for feed_url in feeds {
        if summary.stopped.is_some() {
            break;
        }
        let fetched =
            match runtime.block_on(crate::fetch::fetch(feed_url, allow_private, &FEED_TYPES)) {
                Ok(fetched) => fetched,
                Err(err) => {
                    summary.count(Err(format!("feed {err:#}")));
                    continue;
                }
            };
        let feed = match feed_rs::parser::parse(fetched.body.as_slice()) {
            Ok(feed) => feed,
            Err(err) => {
                summary.count(Err(format!("feed {feed_url}: not RSS or Atom: {err}")));
                continue;
            }
        };
        for entry in feed.entries {
            let link = entry.links.first().map(|link| link.href.clone());
            let key = if entry.id.is_empty() {
                link.clone().unwrap_or_default()
            } else {
                entry.id.clone()
            };
            if key.is_empty() {
                continue;
            }
            match store.seen(feed_url, &key) {
                Ok(true) => continue,
                Ok(false) => {}
                Err(err) if err.is_unavailable() => {
                    unavailable(&mut summary, err);
                    break;
                }
                Err(err) => {
                    summary.count(Err(format!("{feed_url}#{key}: {err}")));
                    continue;
                }
            }
            let title = entry.title.as_ref().map(|title| title.content.clone());
            let published = entry.published.or(entry.updated).map(|time| time.to_rfc3339());
            let fetched = match &link {
                Some(link) => runtime
                    .block_on(crate::fetch::fetch_article(link, allow_private))
                    .map_err(|err| format!("{err:#}")),
                // An item without a link: its own summary or content is the article.
                None => {
                    let body = entry
                        .content
                        .as_ref()
                        .and_then(|content| content.body.clone())
                        .or_else(|| entry.summary.as_ref().map(|summary| summary.content.clone()))
                        .unwrap_or_default();
                    Ok(ArticleInput {
                        origin: format!("{feed_url}#{key}"),
                        text: crate::html::main_text(&body).text,
                        ..ArticleInput::default()
                    })
                }
            };
            let outcome = match fetched {
                Ok(mut input) => {
                    input.title = title.or(input.title);
                    input.published = published.or(input.published);
                    match try_ingest(gazetteer, store, &input, None) {
                        Ok(outcome) => outcome,
                        Err(stopped) => {
                            summary.stopped = Some(stopped);
                            break;
                        }
                    }
                }
                Err(reason) => Err(reason),
            };
            let keep_trying = matches!(&outcome, Err(error) if passing(error));
            if !keep_trying && let Err(err) = store.remember(feed_url, &key) {
                note(&format!("cannot remember {key}: {err}"));
            }
            summary.count(outcome);
        }
    }
    summary
}

/// Polls the feeds every `every` until Ctrl-C, or once, storing into the database at
/// `location`; returns the last round's summary. The database must be there at the start;
/// when it goes away later, the round stops and the next one connects again.
pub fn watch(
    runtime: &Runtime,
    gazetteer: &Gazetteer,
    location: &Location,
    feeds: &[String],
    every: Duration,
    once: bool,
    allow_private: bool,
) -> Result<Summary, StoreError> {
    let mut store = Some(store::connect(location)?);
    loop {
        if store.is_none() {
            match store::connect(location) {
                Ok(connected) => store = Some(connected),
                Err(err) => note(&format!("watch: {err}; trying again next round")),
            }
        }
        let summary = match store.as_mut() {
            Some(connected) => poll(runtime, gazetteer, &mut **connected, feeds, allow_private),
            None => Summary::default(),
        };
        note(&format!(
            "watch: {} new articles, {} events new, {} merged, {} skipped",
            summary.added,
            summary.new_events,
            summary.merged_events,
            summary.skipped.len()
        ));
        if let Some(stopped) = &summary.stopped {
            note(&format!(
                "watch: the database became unavailable ({stopped}); reconnecting next round"
            ));
            store = None;
        }
        if once {
            return Ok(summary);
        }
        let interrupted = runtime.block_on(async {
            tokio::select! {
                () = tokio::time::sleep(every) => false,
                _ = tokio::signal::ctrl_c() => true,
            }
        });
        if interrupted {
            return Ok(summary);
        }
    }
}
