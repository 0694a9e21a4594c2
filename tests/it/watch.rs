//! `borderwatch watch` against a local feed: linked articles are stored once, refused items
//! are remembered and not retried, and a second round takes nothing new.

use store::EventStore as _;

#[test]
fn a_feed_round_stores_each_linked_article_once() {
    // The feed names the pages' port, so the feed is served by a second fixture.
    let article = |text: &str| {
        format!("<html><body><article><p>{text}</p></article></body></html>").into_bytes()
    };
    let pages = crate::fetch::fixture(vec![
        ("/a1", "200 OK", "text/html", article("Shelling hit Horlivka on Monday.")),
        ("/a2", "200 OK", "text/html", article("A drone struck Belgorod on Tuesday.")),
        ("/image", "200 OK", "image/png", vec![0; 4]),
    ]);
    let rss = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
        <item><title>One</title><link>http://127.0.0.1:{pages}/a1</link><guid>a1</guid><pubDate>Mon, 06 Nov 2023 10:00:00 +0000</pubDate></item>
        <item><title>Two</title><link>http://127.0.0.1:{pages}/a2</link><guid>a2</guid></item>
        <item><title>Picture</title><link>http://127.0.0.1:{pages}/image</link><guid>img</guid></item>
        </channel></rss>"#
    );
    let feed_port = crate::fetch::fixture(vec![(
        "/feed.xml",
        "200 OK",
        "application/rss+xml",
        rss.into_bytes(),
    )]);
    let feed = vec![format!("http://127.0.0.1:{feed_port}/feed.xml")];

    let gazetteer = crate::geoparse_cli::mini();
    let mut store = store::SqliteStore::in_memory().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    // Loopback is refused unless allowed.
    let refused = server::watch::poll(&runtime, &gazetteer, &mut store, &feed, false);
    assert_eq!((refused.added, refused.skipped.len()), (0, 1), "{:?}", refused.skipped);

    let first = server::watch::poll(&runtime, &gazetteer, &mut store, &feed, true);
    assert_eq!(first.added, 2, "{:?}", first.skipped);
    assert_eq!(first.skipped.len(), 1, "the image is skipped: {:?}", first.skipped);
    let second = server::watch::poll(&runtime, &gazetteer, &mut store, &feed, true);
    assert_eq!((second.added, second.duplicates, second.skipped.len()), (0, 0, 0));
    assert_eq!(store.totals().unwrap().articles, 2);
    assert_eq!(server::watch::parse_interval("15m"), Some(std::time::Duration::from_secs(900)));
    assert_eq!(server::watch::parse_interval("0s"), None);
    assert_eq!(server::watch::parse_interval("soon"), None);
}
