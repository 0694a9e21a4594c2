//! `borderwatch gazetteer download`: fetch full GeoNames country dumps for users who have
//! internet, so that `gazetteer build --dump` can add every village, river and hill.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;

/// GeoNames' public export folder.
pub const GEONAMES_DUMP_URL: &str = "https://download.geonames.org/export/dump";

/// Largest archive accepted (RU.zip is about 20 MB).
const MAX_ARCHIVE_BYTES: usize = 512 << 20;

/// Downloads `{base_url}/{CC}.zip` for each country code and extracts `{CC}.txt` into
/// `dest`. Returns the written paths. One failed country does not stop the others; the
/// error lists the failures.
pub async fn download(
    base_url: &str,
    countries: &[String],
    dest: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dest).with_context(|| format!("cannot create {}", dest.display()))?;
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(600))
        .user_agent(concat!("borderwatch/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let mut written = Vec::new();
    let mut failures = Vec::new();
    for code in countries {
        match fetch_one(&client, base_url, code, dest).await {
            Ok(path) => {
                crate::output::note(&format!("{code}: wrote {}", path.display()));
                written.push(path);
            }
            Err(err) => {
                crate::output::note(&format!("{code}: {err:#}"));
                failures.push(code.clone());
            }
        }
    }
    if !failures.is_empty() {
        anyhow::bail!("download failed for {}", failures.join(", "));
    }
    Ok(written)
}

async fn fetch_one(
    client: &reqwest::Client,
    base_url: &str,
    code: &str,
    dest: &Path,
) -> anyhow::Result<PathBuf> {
    let code = gazetteer::CountryCode::parse(code)
        .with_context(|| format!("not a country code: {code:?}"))?;
    let url = format!("{}/{}.zip", base_url.trim_end_matches('/'), code);
    let mut response = client.get(&url).send().await.with_context(|| format!("GET {url}"))?;
    if !response.status().is_success() {
        anyhow::bail!("GET {url}: HTTP {}", response.status());
    }
    if response.content_length().is_some_and(|len| len as usize > MAX_ARCHIVE_BYTES) {
        anyhow::bail!("GET {url}: archive larger than {MAX_ARCHIVE_BYTES} bytes");
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.with_context(|| format!("reading {url}"))? {
        if body.len() + chunk.len() > MAX_ARCHIVE_BYTES {
            anyhow::bail!("GET {url}: archive larger than {MAX_ARCHIVE_BYTES} bytes");
        }
        body.extend_from_slice(&chunk);
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(body))
        .with_context(|| format!("{url} is not a zip archive"))?;
    let inner = format!("{code}.txt");
    let mut file = archive.by_name(&inner).with_context(|| format!("{url} holds no {inner}"))?;
    let mut text = Vec::new();
    file.read_to_end(&mut text).with_context(|| format!("unpacking {inner}"))?;
    let path = dest.join(&inner);
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}
