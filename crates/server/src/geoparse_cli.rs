//! `borderwatch geoparse` and `borderwatch extract`: the JSONL contract of the evaluation
//! scorer.
//!
//! Reads records `{"id", "text", "published"?, "title"?, "url"?}` (JSONL), or plain `.txt`
//! files (the id is the file name without extension), and writes one line per record:
//! `{"id", "toponyms": [{"start", "end", "text", "name", "lat", "lon", "geonameid",
//! "country_code", "feature_code", "role", "confidence", ...}]}` with `start`/`end` in
//! Unicode code points, or `{"id", "events": [...]}` with the fields of EVENTS.md. A record
//! that cannot be read still gets an output line, with an `error` field; one bad record
//! never stops the batch.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use anyhow::Context as _;
use gazetteer::Gazetteer;
use serde::Deserialize;

use crate::output::note;

/// Largest article accepted (bytes); longer text is cut at a character boundary.
pub const MAX_ARTICLE_BYTES: usize = 16 << 20;

#[derive(Deserialize)]
struct Record {
    id: serde_json::Value,
    #[serde(default)]
    text: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    published: Option<String>,
}

/// What to write for each article.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// Place mentions (`toponyms`).
    Geoparse,
    /// Events (`events`).
    Events {
        /// Publication date to assume for records and text files that carry none.
        published: Option<extract::Date>,
    },
}

impl Mode {
    fn field(self) -> &'static str {
        match self {
            Mode::Geoparse => "toponyms",
            Mode::Events { .. } => "events",
        }
    }
}

/// Code-point offsets for byte offsets, in one pass over the text (offsets ascending).
fn char_offsets(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..byte_offsets.len()).collect();
    order.sort_by_key(|&i| byte_offsets[i]);
    let mut out = vec![0; byte_offsets.len()];
    let mut chars = 0;
    let mut at = 0;
    for i in order {
        let target = byte_offsets[i].min(text.len());
        if target > at {
            chars += text[at..target].chars().count();
            at = target;
        }
        out[i] = chars;
    }
    out
}

/// The output line for one article.
pub fn record_json(
    gazetteer: &Gazetteer,
    mode: Mode,
    id: &serde_json::Value,
    text: &str,
    title: Option<&str>,
    published: Option<extract::Date>,
) -> serde_json::Value {
    let mut text = text;
    if text.len() > MAX_ARTICLE_BYTES {
        let mut cut = MAX_ARTICLE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text = &text[..cut];
    }
    if let Mode::Events { published: fallback } = mode {
        let article = extract::Article { text, title, published: published.or(fallback) };
        let (events, notes) = extract::events_with_notes(gazetteer, &article);
        let mut line = events_json(id, text, &events);
        if let Some(object) = line.as_object_mut() {
            object
                .insert("date_basis".to_owned(), extract::date_basis(&article).to_string().into());
        }
        return with_notes(line, &notes);
    }
    let (mentions, notes) =
        extract::geoparse_with_notes(gazetteer, &extract::Article { text, title, published: None });
    let bytes: Vec<usize> =
        mentions.iter().flat_map(|mention| [mention.start, mention.end]).collect();
    let chars = char_offsets(text, &bytes);
    let toponyms: Vec<serde_json::Value> = mentions
        .iter()
        .enumerate()
        .filter(|(_, mention)| !mention.boilerplate)
        .map(|(i, mention)| {
            let place = mention.place.as_ref();
            serde_json::json!({
                "start": chars[2 * i],
                "end": chars[2 * i + 1],
                "text": mention.text,
                "name": place.map(|place| place.name.as_str()),
                "lat": place.map(|place| (place.lat * 1e6).round() / 1e6),
                "lon": place.map(|place| (place.lon * 1e6).round() / 1e6),
                "geonameid": place.and_then(|place| place.geonameid),
                "place_id": place.map(|place| place.id.as_str()),
                "country_code": place.map(|place| place.country_code.as_str()),
                "admin1": place.and_then(|place| place.admin1.as_deref()),
                "district": place.and_then(|place| place.district.as_deref()),
                "hromada": place.and_then(|place| place.hromada.as_deref()),
                "katottg": place.and_then(|place| place.katottg.as_deref()),
                "feature_code": place.map(|place| place.feature_code.as_str()),
                "role": mention.role,
                "confidence": (f64::from(mention.confidence) * 1000.0).round() / 1000.0,
                "runner_up": mention.runner_up.as_ref().map(|runner| serde_json::json!({
                    "name": runner.name, "geonameid": runner.geonameid, "lat": runner.lat, "lon": runner.lon,
                    "country_code": runner.country_code,
                })),
            })
        })
        .collect();
    with_notes(serde_json::json!({ "id": id, "toponyms": toponyms }), &notes)
}

/// Adds `"notes": [...]`, the limits the article reached, to an output line that has any.
fn with_notes(mut line: serde_json::Value, notes: &[extract::Note]) -> serde_json::Value {
    if let (false, Some(object)) = (notes.is_empty(), line.as_object_mut()) {
        let notes: Vec<String> = notes.iter().map(ToString::to_string).collect();
        object.insert("notes".to_owned(), notes.into());
    }
    line
}

/// The `events` output line: EVENTS.md's fields, offsets in code points, points rounded to
/// six decimals.
fn events_json(id: &serde_json::Value, text: &str, events: &[extract::Event]) -> serde_json::Value {
    let bytes: Vec<usize> =
        events.iter().flat_map(|event| [event.evidence_start, event.evidence_end]).collect();
    let chars = char_offsets(text, &bytes);
    let rows: Vec<serde_json::Value> = events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let mut row = serde_json::to_value(event).unwrap_or_default();
            if let Some(object) = row.as_object_mut() {
                object.insert("evidence_start".to_owned(), chars[2 * i].into());
                object.insert("evidence_end".to_owned(), chars[2 * i + 1].into());
                object.insert("lat".to_owned(), ((event.lat * 1e6).round() / 1e6).into());
                object.insert("lon".to_owned(), ((event.lon * 1e6).round() / 1e6).into());
                object.insert("report_count".to_owned(), event.evidence_spans.len().into());
                object.remove("evidence_spans");
            }
            row
        })
        .collect();
    serde_json::json!({ "id": id, "events": rows })
}

/// Runs the geoparser or the event extractor over `input` (JSONL, `.txt`, or standard
/// input as JSONL) into `output` (or standard output). Returns the number of records that
/// had errors.
pub fn run(
    gazetteer: &Gazetteer,
    mode: Mode,
    input: Option<&Path>,
    output: Option<&Path>,
) -> anyhow::Result<usize> {
    let mut sink: Box<dyn Write> = match output {
        Some(path) => Box::new(BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let mut errors = 0;
    let is_txt = input.is_some_and(|path| path.extension().is_some_and(|ext| ext == "txt"));
    if let (true, Some(path)) = (is_txt, input) {
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut file| file.read_to_end(&mut bytes))
            .with_context(|| format!("cannot read {}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        if matches!(text, std::borrow::Cow::Owned(_)) {
            note(&format!("{}: not valid UTF-8; read with replacement characters", path.display()));
            errors += 1;
        }
        let id = serde_json::Value::String(
            path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
        );
        write_line(&mut sink, &record_json(gazetteer, mode, &id, &text, None, None))?;
        sink.flush()?;
        return Ok(errors);
    }
    let reader: Box<dyn BufRead> = match input {
        Some(path) => Box::new(BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        )),
        None => Box::new(BufReader::new(std::io::stdin().lock())),
    };
    for (line_idx, line) in reader.split(b'\n').enumerate() {
        let line_no = line_idx + 1;
        let bytes = line.context("reading input")?;
        let text = String::from_utf8_lossy(&bytes);
        if text.trim().is_empty() {
            continue;
        }
        let record = match serde_json::from_str::<Record>(&text) {
            Ok(record) => record,
            Err(err) => {
                errors += 1;
                note(&format!("input:{line_no}: not a JSON record with an id: {err}"));
                let id = serde_json::Value::String(format!("line-{line_no}"));
                write_line(
                    &mut sink,
                    &serde_json::json!({ "id": id, mode.field(): [], "error": err.to_string() }),
                )?;
                continue;
            }
        };
        if matches!(text, std::borrow::Cow::Owned(_)) {
            errors += 1;
            note(&format!("input:{line_no}: not valid UTF-8; read with replacement characters"));
        }
        let published = match record.published.as_deref() {
            Some(date) if !date.trim().is_empty() => {
                let parsed = extract::Date::parse(date);
                if parsed.is_none() {
                    errors += 1;
                    note(&format!(
                        "input:{line_no}: published {date:?} is not a YYYY-MM-DD date; ignored"
                    ));
                }
                parsed
            }
            _ => None,
        };
        let line = record_json(
            gazetteer,
            mode,
            &record.id,
            &record.text,
            record.title.as_deref(),
            published,
        );
        write_line(&mut sink, &line)?;
    }
    sink.flush()?;
    Ok(errors)
}

fn write_line(sink: &mut dyn Write, value: &serde_json::Value) -> anyhow::Result<()> {
    match writeln!(sink, "{value}") {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}
