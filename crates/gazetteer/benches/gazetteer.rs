//! `make bench` for the gazetteer: snapshot load time, resident memory, and exact, variant
//! and typo lookups per second on one core, over names drawn from the snapshot itself.
//!
//! A plain harness (no criterion): each figure is the median of five timed rounds.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gazetteer::{Gazetteer, LookupContext, PlaceKind};

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 =
        statm.split_whitespace().nth(1).and_then(|field| field.parse().ok()).unwrap_or(0);
    pages * 4096
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn per_second(gazetteer: &Gazetteer, queries: &[String], context: &LookupContext) -> (f64, usize) {
    let mut rounds = Vec::new();
    let mut hits = 0;
    for _ in 0..5 {
        hits = 0;
        let started = Instant::now();
        for query in queries {
            if !gazetteer.lookup(query, context).is_empty() {
                hits += 1;
            }
        }
        rounds.push(started.elapsed());
    }
    (queries.len() as f64 / median(rounds).as_secs_f64(), hits)
}

fn main() -> anyhow::Result<()> {
    let path = std::env::var_os("BORDERWATCH_GAZETTEER").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/gazetteer.bin")
    });
    let bytes = std::fs::read(&path)
        .map_err(|err| anyhow::anyhow!("{}: {err} (run `make build` first)", path.display()))?;

    let before = resident_bytes();
    let mut loads = Vec::new();
    let mut gazetteer = None;
    for _ in 0..5 {
        drop(gazetteer.take());
        let started = Instant::now();
        gazetteer = Some(Gazetteer::from_reader(bytes.as_slice())?);
        loads.push(started.elapsed());
    }
    let gazetteer = gazetteer.ok_or_else(|| anyhow::anyhow!("no load"))?;
    // Measured while the snapshot's bytes are still held, as they were before the loads:
    // freeing them first could hand their pages back and hide the gazetteer's own.
    let resident = resident_bytes().saturating_sub(before);
    drop(bytes);

    // Every 10th populated place or region name: real names, mixed lengths and scripts.
    let exact: Vec<String> = gazetteer
        .places()
        .filter(|(_, place)| matches!(place.kind, PlaceKind::Populated | PlaceKind::Admin1))
        .step_by(10)
        .map(|(_, place)| place.name.to_string())
        .collect();
    // Typos: one letter in the middle of longer ASCII names replaced by 'q'.
    let typos: Vec<String> = exact
        .iter()
        .filter(|name| name.len() >= 8 && name.is_ascii())
        .take(20_000)
        .map(|name| {
            let mut bytes = name.clone().into_bytes();
            let middle = bytes.len() / 2;
            bytes[middle] = b'q';
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect();
    // Romanization variants: a vowel in the middle swapped for another.
    let variants: Vec<String> = exact
        .iter()
        .filter(|name| name.len() >= 6 && name.is_ascii())
        .take(20_000)
        .map(|name| {
            let swapped: String = name
                .char_indices()
                .map(|(at, ch)| {
                    if at > 0 && ch == 'o' {
                        'a'
                    } else if at > 0 && ch == 'i' {
                        'y'
                    } else {
                        ch
                    }
                })
                .collect();
            swapped
        })
        .collect();

    let context = LookupContext::border_region();
    if std::env::var_os("BENCH_EXACT_ONLY").is_some() {
        for _ in 0..20 {
            per_second(&gazetteer, &exact, &context);
        }
        return Ok(());
    }
    let (exact_rate, exact_hits) = per_second(&gazetteer, &exact, &context);
    let (variant_rate, variant_hits) = per_second(&gazetteer, &variants, &context);
    let (typo_rate, typo_hits) = per_second(&gazetteer, &typos, &context);

    let started = Instant::now();
    let _ = gazetteer.nearest(geo::Point::new(37.8, 48.0), 1, |_| true);
    let spatial_build = started.elapsed();
    let points: Vec<geo::Point<f64>> = (0..20_000)
        .map(|i| geo::Point::new(22.0 + (i % 200) as f64 * 0.1, 44.0 + (i / 200) as f64 * 0.1))
        .collect();
    let started = Instant::now();
    for point in &points {
        let _ = gazetteer.nearest(*point, 5, |_| true);
    }
    let nearest_rate = points.len() as f64 / started.elapsed().as_secs_f64();

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "gazetteer benchmark ({} places, {} index entries, snapshot {})",
        gazetteer.len(),
        gazetteer.n_index_entries(),
        path.display()
    )?;
    writeln!(
        out,
        "  snapshot load (median of 5)   {:>10.1} ms   (aim < 150 ms)",
        median(loads).as_secs_f64() * 1000.0
    )?;
    writeln!(
        out,
        "  resident memory after load     {:>10.1} MB   (aim < 300 MB)",
        resident as f64 / 1e6
    )?;
    writeln!(
        out,
        "  exact lookups                  {:>10.0} /s   ({} names, {} found; aim > 1,000,000/s)",
        exact_rate,
        exact.len(),
        exact_hits
    )?;
    writeln!(
        out,
        "  variant lookups (vowel swaps)  {:>10.0} /s   ({} names, {} found)",
        variant_rate,
        variants.len(),
        variant_hits
    )?;
    writeln!(
        out,
        "  typo lookups (one edit)        {:>10.0} /s   ({} names, {} found; aim > 50,000/s)",
        typo_rate,
        typos.len(),
        typo_hits
    )?;
    writeln!(
        out,
        "  spatial index build (lazy)     {:>10.1} ms",
        spatial_build.as_secs_f64() * 1000.0
    )?;
    writeln!(out, "  nearest-5 reverse lookups      {nearest_rate:>10.0} /s")?;
    Ok(())
}
