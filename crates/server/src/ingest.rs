//! `borderwatch ingest` and `borderwatch reprocess`: articles from files, folders and
//! standard input into the store, with their events.
//!
//! Inputs: `.jsonl` records `{"id"?, "text", "title"?, "url"?, "publisher"?, "published"?}`,
//! `.txt` files (optionally opening with `Title:`, `Published:`, `URL:`, `Publisher:` header
//! lines and a blank line), `.html` pages (main text only, see [`crate::html`]), folders of
//! those, and `-` for JSONL on standard input. One bad item is reported and skipped; the
//! batch goes on.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

use gazetteer::Gazetteer;
use serde::Deserialize;
use store::{EventStore, Ingested, NewArticle};

use crate::output::note;

/// Largest article stored (bytes).
pub const MAX_ARTICLE_BYTES: usize = crate::geoparse_cli::MAX_ARTICLE_BYTES;

/// One article read from an input, before extraction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleInput {
    /// Where it came from (`file.txt`, `feed.jsonl:12`), for messages.
    pub origin: String,
    /// The text.
    pub text: String,
    /// Headline.
    pub title: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Publication date or time as given.
    pub published: Option<String>,
}

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    text: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    publisher: Option<String>,
    #[serde(default)]
    published: Option<String>,
}

/// Reads a `.txt` article: optional `Key: value` header lines, a blank line, the body.
pub fn parse_text_file(origin: &str, content: &str) -> ArticleInput {
    let mut input = ArticleInput { origin: origin.to_owned(), ..ArticleInput::default() };
    let mut header_end = 0;
    let mut saw_header = false;
    for line in content.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if saw_header {
                header_end += line.len();
            }
            break;
        }
        let Some((key, value)) = trimmed.split_once(':') else { break };
        let value = value.trim().to_owned();
        match key.trim().to_ascii_lowercase().as_str() {
            "title" => input.title = Some(value),
            "published" | "date" => input.published = Some(value),
            "url" => input.url = Some(value),
            "publisher" => input.publisher = Some(value),
            "sources" | "source" | "author" => {}
            _ => break,
        }
        saw_header = true;
        header_end += line.len();
    }
    input.text = content[header_end..].trim().to_owned();
    input
}

fn record_input(origin: String, line: &str) -> Result<ArticleInput, String> {
    let record: Record =
        serde_json::from_str(line).map_err(|err| format!("{origin}: not a JSON record: {err}"))?;
    Ok(ArticleInput {
        origin,
        text: record.text,
        title: record.title,
        url: record.url,
        publisher: record.publisher,
        published: record.published,
    })
}

/// Visits every article of the given paths (files, folders, `-`), in order; unreadable
/// items are visited as errors.
pub fn read_inputs(paths: &[PathBuf], visit: &mut dyn FnMut(Result<ArticleInput, String>)) {
    for path in paths {
        if path.as_os_str() == "-" {
            read_jsonl("stdin", BufReader::new(std::io::stdin().lock()), visit);
        } else if path.is_dir() {
            let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
                Ok(entries) => entries.filter_map(|entry| entry.ok().map(|e| e.path())).collect(),
                Err(err) => {
                    visit(Err(format!("{}: {err}", path.display())));
                    continue;
                }
            };
            entries.sort();
            entries.retain(|entry| {
                entry.is_dir()
                    || matches!(extension(entry).as_str(), "txt" | "jsonl" | "html" | "htm")
            });
            read_inputs(&entries, visit);
        } else {
            read_file(path, visit);
        }
    }
}

fn extension(path: &Path) -> String {
    path.extension().and_then(|ext| ext.to_str()).unwrap_or("").to_ascii_lowercase()
}

fn read_jsonl(
    origin: &str,
    reader: impl BufRead,
    visit: &mut dyn FnMut(Result<ArticleInput, String>),
) {
    for (number, line) in reader.split(b'\n').enumerate() {
        let origin = format!("{origin}:{}", number + 1);
        match line {
            Ok(bytes) => {
                let Ok(line) = std::str::from_utf8(&bytes) else {
                    visit(Err(format!("{origin}: not UTF-8")));
                    continue;
                };
                if !line.trim().is_empty() {
                    visit(record_input(origin, line));
                }
            }
            Err(err) => {
                visit(Err(format!("{origin}: {err}")));
                return;
            }
        }
    }
}

fn read_file(path: &Path, visit: &mut dyn FnMut(Result<ArticleInput, String>)) {
    let origin = path.display().to_string();
    let ext = extension(path);
    if ext == "jsonl" {
        match std::fs::File::open(path) {
            Ok(file) => read_jsonl(&origin, BufReader::new(file), visit),
            Err(err) => visit(Err(format!("{origin}: {err}"))),
        }
        return;
    }
    let content = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return visit(Err(format!("{origin}: not UTF-8 text"))),
        },
        Err(err) => return visit(Err(format!("{origin}: {err}"))),
    };
    match ext.as_str() {
        "html" | "htm" => {
            let page = crate::html::main_text(&content);
            visit(Ok(ArticleInput {
                origin,
                text: page.text,
                title: page.title,
                published: page.published,
                ..ArticleInput::default()
            }));
        }
        "txt" => visit(Ok(parse_text_file(&origin, &content))),
        _ => visit(Err(format!("{origin}: not .txt, .html or .jsonl"))),
    }
}

/// The publication date of an input: its own (a `YYYY-MM-DD` date or an RFC 3339 time),
/// else the fallback.
pub fn published_date(
    input: &ArticleInput,
    fallback: Option<extract::Date>,
) -> Result<Option<extract::Date>, String> {
    match input.published.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(fallback),
        Some(text) => match store::datetime_range(text) {
            Ok((Some(day), _)) => Ok(extract::Date::parse(&day)),
            _ => Err(format!("{}: published {text:?} is not a date", input.origin)),
        },
    }
}

/// One article stored (or found stored), with the limits of what one article may cost that
/// it reached (`origin: note`), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// What the store did.
    pub ingested: Ingested,
    /// The limits the article reached ([`extract::Note`]), each prefixed with its origin.
    pub notes: Vec<String>,
}

/// Extracts and stores one article; an `Err` says why it was skipped.
pub fn ingest_one(
    gazetteer: &Gazetteer,
    store: &mut dyn EventStore,
    input: &ArticleInput,
    fallback: Option<extract::Date>,
) -> Result<Stored, String> {
    try_ingest(gazetteer, store, input, fallback).unwrap_or_else(Err)
}

/// As [`ingest_one`], but an outer `Err` (`origin: error`) when the database itself is
/// unavailable (a lost connection, a server shutting down): a batch must stop there rather
/// than skip every article after it. That article's transaction was rolled back (unless
/// its commit had reached the server just before), and a re-run skips what is stored.
pub fn try_ingest(
    gazetteer: &Gazetteer,
    store: &mut dyn EventStore,
    input: &ArticleInput,
    fallback: Option<extract::Date>,
) -> Result<Result<Stored, String>, String> {
    let failed = |err: store::StoreError| {
        let message = format!("{}: {err}", input.origin);
        if err.is_unavailable() { Err(message) } else { Ok(Err(message)) }
    };
    let text = input.text.as_str();
    if text.trim().is_empty() {
        return Ok(Err(format!("{}: no text", input.origin)));
    }
    if text.len() > MAX_ARTICLE_BYTES {
        return Ok(Err(format!("{}: larger than {} MiB", input.origin, MAX_ARTICLE_BYTES >> 20)));
    }
    let published = match published_date(input, fallback) {
        Ok(published) => published,
        Err(message) => return Ok(Err(message)),
    };
    match store.find_article(text) {
        Ok(Some(article_id)) => {
            return Ok(Ok(Stored {
                ingested: Ingested::Duplicate { article_id },
                notes: Vec::new(),
            }));
        }
        Ok(None) => {}
        Err(err) => return failed(err),
    }
    let article = extract::Article { text, title: input.title.as_deref(), published };
    let (events, notes) = extract::events_with_notes(gazetteer, &article);
    let notes = notes.iter().map(|limit| format!("{}: {limit}", input.origin)).collect();
    let published_text = published.map(|date| date.to_string());
    let stored = NewArticle {
        text,
        title: input.title.as_deref(),
        url: input.url.as_deref(),
        publisher: input.publisher.as_deref(),
        published: input.published.as_deref().or(published_text.as_deref()),
    };
    match store.add_article(&stored, &events) {
        Ok(ingested) => Ok(Ok(Stored { ingested, notes })),
        Err(err) => failed(err),
    }
}

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Articles stored.
    pub added: usize,
    /// Articles already stored.
    pub duplicates: usize,
    /// Events new to the store.
    pub new_events: usize,
    /// Reports merged into known events.
    pub merged_events: usize,
    /// Items skipped, with the reason.
    pub skipped: Vec<String>,
    /// Articles stored only in part because they reached a limit of what one article may
    /// cost (too many place mentions or events), with the note.
    pub limited: Vec<String>,
    /// Where the batch stopped because the database became unavailable (`origin: error`);
    /// nothing after it was read.
    pub stopped: Option<String>,
}

impl Summary {
    /// Adds one article's outcome; the first 20 skips and limits reached are reported on
    /// standard error.
    pub fn count(&mut self, outcome: Result<Stored, String>) {
        if let Ok(stored) = &outcome {
            for limit in &stored.notes {
                if self.limited.len() < 20 {
                    note(&format!("warning: {limit}"));
                }
                self.limited.push(limit.clone());
            }
        }
        match outcome.map(|stored| stored.ingested) {
            Ok(Ingested::Added { new_events, merged_events, .. }) => {
                self.added += 1;
                self.new_events += new_events;
                self.merged_events += merged_events;
            }
            Ok(Ingested::Duplicate { .. }) => self.duplicates += 1,
            Err(reason) => {
                if self.skipped.len() < 20 {
                    note(&format!("skipped {reason}"));
                }
                self.skipped.push(reason);
            }
        }
    }
}

/// Ingests every article of `paths`; reports progress on standard error every two seconds
/// and returns the summary. Stops at the first article the database could not take because
/// it became unavailable ([`Summary::stopped`]).
pub fn ingest_paths(
    gazetteer: &Gazetteer,
    store: &mut dyn EventStore,
    paths: &[PathBuf],
    fallback: Option<extract::Date>,
) -> Summary {
    let mut summary = Summary::default();
    let started = Instant::now();
    let mut last_report = Instant::now();
    read_inputs(paths, &mut |item| {
        if summary.stopped.is_some() {
            return;
        }
        let outcome = match item {
            Ok(input) => try_ingest(gazetteer, store, &input, fallback),
            Err(reason) => Ok(Err(reason)),
        };
        match outcome {
            Ok(outcome) => summary.count(outcome),
            Err(stopped) => {
                summary.stopped = Some(stopped);
                return;
            }
        }
        if last_report.elapsed().as_secs() >= 2 {
            last_report = Instant::now();
            let done = summary.added + summary.duplicates + summary.skipped.len();
            note(&format!(
                "… {done} articles in {:.0} s ({:.0}/s), {} events",
                started.elapsed().as_secs_f64(),
                done as f64 / started.elapsed().as_secs_f64(),
                summary.new_events
            ));
        }
    });
    summary
}
