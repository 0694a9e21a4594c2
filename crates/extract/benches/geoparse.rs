//! `make bench` for the geoparser and the event extractor: end-to-end throughput on the
//! GeoWebNews article texts, one core, median of 21 passes. Prints a table line and a JSON
//! line for each; the geoparser's comes last, for the comparison with the spaCy peer
//! (`bench/spacy_peer.py`).

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

    // Median of 21 passes over every text; returns seconds and the items found in a pass.
    let measure = |pass: &dyn Fn(&str) -> usize| {
        let mut rounds: Vec<Duration> = Vec::new();
        let mut found = 0;
        for _ in 0..21 {
            found = 0;
            let started = Instant::now();
            for text in &texts {
                found += pass(text);
            }
            rounds.push(started.elapsed());
        }
        rounds.sort();
        (rounds[rounds.len() / 2].as_secs_f64(), found)
    };
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
