//! `borderwatch gazetteer download` against a local HTTP server that serves GeoNames-style
//! zip archives: never the internet.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;

fn zip_with(name: &str, body: &[u8]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        writer.start_file(name, options).unwrap();
        writer.write_all(body).unwrap();
        writer.finish().unwrap();
    }
    out.into_inner()
}

/// Serves `/UA.zip` with a one-row dump, `/XX.zip` as garbage, and 404 for the rest,
/// for `n_requests` requests.
fn serve(n_requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let row = "706483\tKharkiv\tKharkiv\tKharkov\t49.98081\t36.25272\tP\tPPLA\tUA\t\t07\t\t\t\t1433886\t\t113\tEurope/Kyiv\t2023-01-22\n";
    let ua = zip_with("UA.txt", row.as_bytes());
    thread::spawn(move || {
        for stream in listener.incoming().take(n_requests) {
            let mut stream = stream.unwrap();
            let mut request = [0u8; 2048];
            let n = stream.read(&mut request).unwrap_or(0);
            let head = String::from_utf8_lossy(&request[..n]).into_owned();
            let (status, body): (&str, Vec<u8>) = if head.starts_with("GET /dump/UA.zip ") {
                ("200 OK", ua.clone())
            } else if head.starts_with("GET /dump/MD.zip ") {
                ("200 OK", b"this is not a zip archive".to_vec())
            } else {
                ("404 Not Found", b"no such file".to_vec())
            };
            let header = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(header.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}/dump")
}

#[test]
fn download_fetches_and_unpacks_country_dumps_and_reports_each_failure() {
    let base_url = serve(3);
    let dest = std::env::temp_dir().join(format!("borderwatch-download-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dest);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let countries = ["UA".to_owned(), "MD".to_owned(), "EE".to_owned()];
    let result = runtime.block_on(server::download::download(&base_url, &countries, &dest));
    let err = result.expect_err("MD and EE must fail");
    assert_eq!(err.to_string(), "download failed for MD, EE");
    let text = std::fs::read_to_string(dest.join("UA.txt")).unwrap();
    assert!(text.starts_with("706483\tKharkiv"));

    // The download joins the build as the committed dump does, and replaces it: of the
    // committed folder's UA.zip and the download's UA.txt, the build takes the download.
    let committed = dest.join("committed");
    std::fs::create_dir_all(&committed).unwrap();
    std::fs::write(committed.join("UA.zip"), zip_with("UA.txt", b"")).unwrap();
    std::fs::write(committed.join("geonames-readme.txt"), "not a dump").unwrap();
    let dumps = server::gazetteer_cli::collect_dumps(&[committed.clone(), dest.clone()], &[]);
    assert_eq!(dumps, [dest.join("UA.txt")]);
    let mut builder = gazetteer::GazetteerBuilder::new();
    let report =
        builder.add_geonames_dump("UA.txt", server::gazetteer_cli::open_dump(&dumps[0]).unwrap());
    assert_eq!((report.taken, report.bad_rows), (1, 0));
    let (gazetteer, diagnostics) = builder.build();
    assert!(diagnostics.is_empty());
    assert_eq!(gazetteer.full_countries(), [gazetteer::CountryCode::parse("UA").unwrap()]);
    assert_eq!(
        gazetteer.lookup("Kharkov", &gazetteer::LookupContext::none())[0].place.name,
        "Kharkiv"
    );
    let _ = std::fs::remove_dir_all(&dest);
}

#[test]
fn a_zip_that_is_no_geonames_dump_is_refused_with_its_path() {
    let dir = std::env::temp_dir().join(format!("borderwatch-dumps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = dir.join("MD.zip");
    std::fs::write(&garbage, "this is not a zip archive").unwrap();
    let wrong = dir.join("EE.zip");
    std::fs::write(&wrong, zip_with("readme.txt", b"GeoNames readme")).unwrap();
    let right = dir.join("UA.zip");
    let row = "706483\tKharkiv\tKharkiv\tKharkov\t49.98081\t36.25272\tP\tPPLA\tUA\t\t07\t\t\t\t1433886\t\t113\tEurope/Kyiv\t2023-01-22\n";
    std::fs::write(&right, zip_with("UA.txt", row.as_bytes())).unwrap();
    let message = |path: &std::path::Path| match server::gazetteer_cli::open_dump(path) {
        Ok(_) => "opened".to_owned(),
        Err(err) => format!("{err:#}").replace(&dir.display().to_string(), "DIR"),
    };
    assert!(
        message(&garbage).starts_with("DIR/MD.zip is not a zip archive"),
        "{}",
        message(&garbage)
    );
    assert!(message(&wrong).starts_with("DIR/EE.zip holds no EE.txt: not a GeoNames dump"));
    assert_eq!(message(&right), "opened");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn download_refuses_codes_that_are_not_countries() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dest =
        std::env::temp_dir().join(format!("borderwatch-download-bad-{}", std::process::id()));
    let countries = ["../etc".to_owned()];
    let err = runtime
        .block_on(server::download::download("http://127.0.0.1:9", &countries, &dest))
        .unwrap_err();
    assert_eq!(err.to_string(), "download failed for ../etc");
    let _ = std::fs::remove_dir_all(&dest);
}
