//! `make bench` for the geoparser: end-to-end throughput (recognition and resolution) on
//! the GeoWebNews article texts, one core, median of 21 passes. Prints a table line and
//! one JSON line for the comparison with the spaCy peer (`bench/spacy_peer.py`).

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

    let mut rounds: Vec<Duration> = Vec::new();
    let mut mentions = 0;
    for _ in 0..21 {
        mentions = 0;
        let started = Instant::now();
        for text in &texts {
            mentions += extract::geoparse(
                &gazetteer,
                &extract::Article { text, title: None, published: None },
            )
            .len();
        }
        rounds.push(started.elapsed());
    }
    rounds.sort();
    let seconds = rounds[rounds.len() / 2].as_secs_f64();
    let megabytes = bytes as f64 / 1e6;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "geoparse (recognition + resolution), {} articles, {megabytes:.2} MB: {:.2} MB/s, {:.0} articles/s, {mentions} mentions (median of 21 passes, one core)",
        texts.len(),
        megabytes / seconds,
        texts.len() as f64 / seconds
    )?;
    let json = serde_json::json!({
        "system": "borderwatch geoparse",
        "documents": texts.len(),
        "megabytes": megabytes,
        "seconds": seconds,
        "mb_per_s": megabytes / seconds,
        "docs_per_s": texts.len() as f64 / seconds,
        "mentions": mentions,
    });
    writeln!(out, "{json}")?;
    Ok(())
}
