//! `make bench` for the geoparser and the event extractor: end-to-end throughput on the
//! GeoWebNews article texts, one core, median of 21 passes; then the event extractor on long
//! articles (the corpus as one article, and the repeated pages of issue 15), median of 7.
//! Prints a table line and a JSON line for each; the geoparser's comes last, for the
//! comparison with the spaCy peer (`bench/spacy_peer.py`).

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gazetteer::Gazetteer;

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let snapshot = std::env::var_os("BORDERWATCH_GAZETTEER")
        .map_or_else(|| root.join("data/gazetteer.bin"), PathBuf::from);
    let corpus = std::env::var_os("BORDERWATCH_BENCH_CORPUS")
        .map_or_else(|| root.join("../shared/eval/gwn.jsonl"), PathBuf::from);
    let gazetteer = Gazetteer::from_reader(std::io::BufReader::new(
        std::fs::File::open(&snapshot)
            .map_err(|err| anyhow::anyhow!("{}: {err} (run `make build`)", snapshot.display()))?,
    ))?;
    let mut texts = Vec::new();
    let reader = std::io::BufReader::new(
        std::fs::File::open(&corpus)
            .map_err(|err| anyhow::anyhow!("{}: {err}", corpus.display()))?,
    );
    for line in reader.lines() {
        let record: serde_json::Value = serde_json::from_str(&line?)?;
        texts.push(record["text"].as_str().unwrap_or_default().to_owned());
    }
    let bytes: usize = texts.iter().map(String::len).sum();

    // Median of `passes` passes over every text; returns seconds and the items found in a pass.
    let measure_on = |texts: &[String], passes: usize, pass: &dyn Fn(&str) -> usize| {
        let mut rounds: Vec<Duration> = Vec::new();
        let mut found = 0;
        for _ in 0..passes {
            found = 0;
            let started = Instant::now();
            for text in texts {
                found += pass(text);
            }
            rounds.push(started.elapsed());
        }
        rounds.sort();
        (rounds[rounds.len() / 2].as_secs_f64(), found)
    };
    let measure = |pass: &dyn Fn(&str) -> usize| measure_on(&texts, 21, pass);
    let published = extract::Date::parse("2018-06-01");
    let (event_seconds, events) = measure(&|text| {
        extract::events(&gazetteer, &extract::Article { text, title: None, published }).len()
    });
    let (seconds, mentions) = measure(&|text| {
        extract::geoparse(&gazetteer, &extract::Article { text, title: None, published: None })
            .len()
    });
    let megabytes = bytes as f64 / 1e6;
    let mut out = std::io::stdout().lock();
    // Long articles: the whole corpus as one, and the pages of issue 15 (the first is read
    // up to the mention limit, and says so).
    let long_articles = [
        ("the corpus as one article", texts.join("\n\n")),
        ("\"Pisky, Donetsk region. \" x 100,000", "Pisky, Donetsk region. ".repeat(100_000)),
        (
            "\"Russian forces shelled Pisky on Monday. \" x 50,000",
            "Russian forces shelled Pisky on Monday. ".repeat(50_000),
        ),
    ];
    for (what, text) in &long_articles {
        let article = extract::Article { text, title: None, published };
        let (seconds, events) = measure_on(std::slice::from_ref(text), 7, &|text| {
            extract::events(&gazetteer, &extract::Article { text, ..article }).len()
        });
        let notes = extract::events_with_notes(&gazetteer, &article).1;
        // The speed counts the text read: past the mention limit nothing is.
        let read = notes
            .iter()
            .find_map(|note| match note {
                extract::Note::MentionLimit { at } => Some(*at),
                _ => None,
            })
            .unwrap_or(text.len());
        let megabytes = text.len() as f64 / 1e6;
        let read_megabytes = read as f64 / 1e6;
        writeln!(
            out,
            "events on one long article, {what}, {megabytes:.2} MB ({read_megabytes:.2} MB read): {:.2} MB/s of text read, {seconds:.3} s, {events} events{} (median of 7 passes, one core)",
            read_megabytes / seconds,
            notes.iter().map(|note| format!("; {note}")).collect::<String>(),
        )?;
        let json = serde_json::json!({
            "system": "borderwatch events, long article",
            "article": what,
            "megabytes": megabytes,
            "megabytes_read": read_megabytes,
            "seconds": seconds,
            "mb_per_s": read_megabytes / seconds,
            "events": events,
            "notes": notes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        writeln!(out, "{json}")?;
    }
    // A table line and a JSON line per system.
    let mut report = |system: &str, what: &str, seconds: f64, unit: &str, found: usize| {
        writeln!(
            out,
            "{what}, {} articles, {megabytes:.2} MB: {:.2} MB/s, {:.0} articles/s, {found} {unit} (median of 21 passes, one core)",
            texts.len(),
            megabytes / seconds,
            texts.len() as f64 / seconds
        )?;
        let json = serde_json::json!({
            "system": system,
            "documents": texts.len(),
            "megabytes": megabytes,
            "seconds": seconds,
            "mb_per_s": megabytes / seconds,
            "docs_per_s": texts.len() as f64 / seconds,
            unit: found,
        });
        writeln!(out, "{json}")
    };
    // Events first: `bench/ratio.py` compares the last JSON line (the geoparser) with spaCy.
    report(
        "borderwatch events",
        "events (geoparse + event extraction)",
        event_seconds,
        "events",
        events,
    )?;
    report(
        "borderwatch geoparse",
        "geoparse (recognition + resolution)",
        seconds,
        "mentions",
        mentions,
    )?;
    Ok(())
}
