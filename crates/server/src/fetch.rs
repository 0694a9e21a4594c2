//! `borderwatch ingest --url`: one article fetched over HTTP(S), safely.
//!
//! The URL must be http or https. Its host is resolved once and every address is checked:
//! loopback, private (RFC 1918, unique-local), link-local (the cloud metadata address among
//! them), shared (CGNAT), unspecified, multicast and documentation ranges are refused
//! unless the caller allows private addresses. The request then goes to the checked address
//! only (no second lookup that DNS rebinding could change). Redirects are followed by hand,
//! at most five, each checked the same way. Bodies over [`MAX_PAGE_BYTES`] and types other
//! than HTML or plain text are refused; timeouts bound every step.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::Context as _;

use crate::ingest::ArticleInput;

/// Largest page read.
pub const MAX_PAGE_BYTES: usize = 5 << 20;
const MAX_REDIRECTS: usize = 5;

/// May `ip` be fetched without `allow_private`?
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link local
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || ip.to_ipv4().is_some()) // IPv4-compatible / NAT64-style embeddings
}

/// Resolves the URL's host and returns the first acceptable address.
async fn checked_address(url: &reqwest::Url, allow_private: bool) -> anyhow::Result<SocketAddr> {
    if !matches!(url.scheme(), "http" | "https") {
        anyhow::bail!("{url}: only http and https URLs are fetched");
    }
    let host = url.host_str().with_context(|| format!("{url}: no host"))?;
    let port = url.port_or_known_default().unwrap_or(80);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> =
        tokio::time::timeout(Duration::from_secs(10), tokio::net::lookup_host((host, port)))
            .await
            .with_context(|| format!("{url}: DNS lookup timed out"))?
            .with_context(|| format!("{url}: cannot resolve {host}"))?
            .collect();
    if addresses.is_empty() {
        anyhow::bail!("{url}: {host} has no address");
    }
    if !allow_private && let Some(bad) = addresses.iter().find(|addr| !is_public(addr.ip())) {
        anyhow::bail!(
            "{url}: {host} resolves to {}, a loopback, private or link-local address; refused (set allow_private_addresses to fetch from your own network)",
            bad.ip()
        );
    }
    Ok(addresses[0])
}

/// A fetched body.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL after redirects.
    pub url: reqwest::Url,
    /// The content type, lower case.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
}

/// Fetches `url` with the checks above; `accept` lists the content-type prefixes taken.
pub async fn fetch(url: &str, allow_private: bool, accept: &[&str]) -> anyhow::Result<Fetched> {
    let mut url = reqwest::Url::parse(url).with_context(|| format!("{url:?} is not a URL"))?;
    for _ in 0..=MAX_REDIRECTS {
        let address = checked_address(&url, allow_private).await?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .resolve(&host, address)
            .no_proxy()
            .user_agent(concat!("borderwatch/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let mut response =
            client.get(url.clone()).send().await.with_context(|| format!("GET {url}"))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .with_context(|| format!("GET {url}: redirect without a location"))?;
            url = url
                .join(location)
                .with_context(|| format!("GET {url}: bad redirect {location:?}"))?;
            continue;
        }
        if !status.is_success() {
            anyhow::bail!("GET {url}: HTTP {status}");
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !accept.iter().any(|prefix| content_type.starts_with(prefix)) {
            anyhow::bail!(
                "GET {url}: content type {content_type:?} is not one of {}",
                accept.join(", ")
            );
        }
        if response.content_length().is_some_and(|len| len as usize > MAX_PAGE_BYTES) {
            anyhow::bail!("GET {url}: larger than {} MiB", MAX_PAGE_BYTES >> 20);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.with_context(|| format!("reading {url}"))? {
            if body.len() + chunk.len() > MAX_PAGE_BYTES {
                anyhow::bail!("GET {url}: larger than {} MiB", MAX_PAGE_BYTES >> 20);
            }
            body.extend_from_slice(&chunk);
        }
        return Ok(Fetched { url, content_type, body });
    }
    anyhow::bail!("{url}: more than {MAX_REDIRECTS} redirects")
}

/// Content types taken as articles.
pub const ARTICLE_TYPES: [&str; 3] = ["text/html", "application/xhtml+xml", "text/plain"];

/// Fetches an article page (HTML or plain text) and returns it ready to ingest.
pub async fn fetch_article(url: &str, allow_private: bool) -> anyhow::Result<ArticleInput> {
    let fetched = fetch(url, allow_private, &ARTICLE_TYPES).await?;
    let text = String::from_utf8_lossy(&fetched.body);
    let origin = fetched.url.to_string();
    Ok(if fetched.content_type.starts_with("text/plain") {
        ArticleInput {
            origin: origin.clone(),
            text: text.into_owned(),
            url: Some(origin),
            ..ArticleInput::default()
        }
    } else {
        let page = crate::html::main_text(&text);
        ArticleInput {
            origin: origin.clone(),
            text: page.text,
            title: page.title,
            url: Some(origin),
            publisher: None,
            published: page.published,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "93.184.216.34", "2a00:1450:4001:80b::200e"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
