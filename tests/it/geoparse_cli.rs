//! `borderwatch geoparse` on bad input: every record gets an output line, problems are
//! counted, offsets are code points, and nothing panics.

use std::io::Write;

use gazetteer::{Gazetteer, GazetteerBuilder};

pub(crate) fn mini() -> Gazetteer {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/gazetteer");
    let mut builder = GazetteerBuilder::new();
    builder.add_geonames("mini.tsv", std::fs::read(root.join("mini.tsv")).unwrap().as_slice());
    builder.add_curated(
        "mini_curated.tsv",
        std::fs::read(root.join("mini_curated.tsv")).unwrap().as_slice(),
    );
    builder.add_demonyms(
        "mini_demonyms.tsv",
        std::fs::read(root.join("mini_demonyms.tsv")).unwrap().as_slice(),
    );
    builder.build().0
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("borderwatch-geoparse-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `records` to `path`, one JSON object a line.
fn write_records(path: &std::path::Path, records: &[serde_json::Value]) {
    let lines: String = records.iter().map(|record| format!("{record}\n")).collect();
    std::fs::write(path, lines).unwrap();
}

/// Runs the CLI core over `input` and returns the problem count and the output lines.
fn run(
    mode: server::geoparse_cli::Mode,
    input: &std::path::Path,
    output: &std::path::Path,
) -> (usize, Vec<serde_json::Value>) {
    let errors = server::geoparse_cli::run(&mini(), mode, Some(input), Some(output)).unwrap();
    let lines = std::fs::read_to_string(output)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    (errors, lines)
}

#[test]
fn every_record_gets_a_line_even_bad_ones() {
    let dir = scratch("jsonl");
    let input = dir.join("in.jsonl");
    let output = dir.join("out.jsonl");
    let mut file = std::fs::File::create(&input).unwrap();
    // Code-point offsets: "Ш" is two bytes but one code point.
    writeln!(file, "{}", serde_json::json!({"id": "ok", "text": "Ш shelling hit Gorlovka."}))
        .unwrap();
    writeln!(file, "this is not json").unwrap();
    file.write_all(b"{\"id\": \"latin1\", \"text\": \"Kharkiv \xff\xfe caf\xe9\"}\n").unwrap();
    let huge = format!("{} Kyiv", "x".repeat(10 << 20));
    writeln!(file, "{}", serde_json::json!({"id": 7, "text": huge})).unwrap();
    writeln!(file, "{}", serde_json::json!({"id": "empty", "text": ""})).unwrap();
    drop(file);

    let (errors, lines) = run(server::geoparse_cli::Mode::Geoparse, &input, &output);
    assert_eq!(errors, 2, "the bad JSON line and the invalid UTF-8 line");

    let ids: Vec<String> = lines.iter().map(|line| line["id"].to_string()).collect();
    assert_eq!(ids, ["\"ok\"", "\"line-2\"", "\"latin1\"", "7", "\"empty\""]);
    let ok = &lines[0]["toponyms"][0];
    assert_eq!((ok["start"].as_u64(), ok["end"].as_u64()), (Some(15), Some(23)));
    assert_eq!(ok["name"], "Horlivka");
    assert_eq!(ok["geonameid"], 707753);
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["toponyms"][0]["name"], "Kharkiv");
    assert_eq!(lines[3]["toponyms"][0]["name"], "Kyiv");
    assert_eq!(lines[4]["toponyms"], serde_json::json!([]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plain_text_files_are_read_with_their_name_as_id() {
    let dir = scratch("txt");
    let input = dir.join("report-12.txt");
    std::fs::write(&input, "Russian troops shelled Kharkiv.").unwrap();
    let output = dir.join("out.jsonl");
    let (errors, lines) = run(server::geoparse_cli::Mode::Geoparse, &input, &output);
    assert_eq!(errors, 0);
    let line = &lines[0];
    assert_eq!(line["id"], "report-12");
    let roles: Vec<&str> =
        line["toponyms"].as_array().unwrap().iter().map(|t| t["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["demonym", "literal"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn extract_writes_events_with_code_point_offsets_and_reports_bad_dates() {
    let dir = scratch("events");
    let input = dir.join("in.jsonl");
    let output = dir.join("out.jsonl");
    let text = "Шторм. Russian forces shelled Kharkiv on Friday.";
    write_records(
        &input,
        &[
            serde_json::json!({"id": "a", "text": text, "published": "2022-04-02"}),
            serde_json::json!({"id": "b", "text": text, "published": "2022-02-30"}),
        ],
    );
    let fallback = extract::Date::new(2022, 3, 9);
    let mode = server::geoparse_cli::Mode::Events { published: fallback };
    let (errors, lines) = run(mode, &input, &output);
    assert_eq!(errors, 1, "the impossible publication date");
    let event = &lines[0]["events"][0];
    assert_eq!(event["event_type"], "shelling");
    assert_eq!(event["place_name"], "Kharkiv");
    assert_eq!(event["date"], "2022-04-01");
    assert_eq!(event["actor1"], "Russian forces");
    assert_eq!(
        (event["evidence_start"].as_u64(), event["evidence_end"].as_u64()),
        (Some(7), Some(48))
    );
    assert_eq!(lines[0]["date_basis"], "published 2022-04-02");
    // The bad date is ignored and the --published fallback (a Wednesday) is used instead.
    assert_eq!(lines[1]["events"][0]["date"], "2022-03-04");
    assert_eq!(lines[1]["date_basis"], "published 2022-03-09");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn extract_says_which_date_it_resolved_against() {
    let dir = scratch("date-basis");
    let input = dir.join("in.jsonl");
    let output = dir.join("out.jsonl");
    let dated = "KHARKIV, April 1, 2022 (Reuters) - Russian forces shelled Kharkiv on Thursday.";
    let undated = "Russian forces shelled Kharkiv on Thursday.";
    write_records(
        &input,
        &[
            serde_json::json!({"id": "dateline", "text": dated}),
            serde_json::json!({"id": "none", "text": undated}),
        ],
    );
    let mode = server::geoparse_cli::Mode::Events { published: None };
    let (errors, lines) = run(mode, &input, &output);
    assert_eq!(errors, 0);
    // 2022-04-01 was a Friday: "on Thursday" is the day before the dateline.
    assert_eq!(lines[0]["date_basis"], "dateline 2022-04-01");
    assert_eq!(lines[0]["events"][0]["date"], "2022-03-31");
    assert_eq!(lines[0]["events"][0]["date_precision"], 1);
    // Without any date the day is unknown, and the precision says so.
    assert_eq!(lines[1]["date_basis"], "unknown");
    assert_eq!(lines[1]["events"][0]["date_precision"], 3);
    let _ = std::fs::remove_dir_all(&dir);
}

// Issue 15: a page of one sentence repeated is read up to the limit, and the line says so.
#[test]
fn an_article_past_the_mention_limit_gets_a_note_on_its_line() {
    let dir = scratch("limits");
    let input = dir.join("in.jsonl");
    let output = dir.join("out.jsonl");
    let page = "Russian forces shelled Kharkiv on Friday. ".repeat(extract::MAX_MENTIONS);
    write_records(
        &input,
        &[
            serde_json::json!({"id": "page", "text": page, "published": "2022-04-02"}),
            serde_json::json!({"id": "short", "text": "Shelling hit Kharkiv.", "published": "2022-04-02"}),
        ],
    );
    for mode in [
        server::geoparse_cli::Mode::Geoparse,
        server::geoparse_cli::Mode::Events { published: None },
    ] {
        let (errors, lines) = run(mode, &input, &output);
        assert_eq!(errors, 0, "a limit reached is a note, not an error");
        let notes = lines[0]["notes"].as_array().expect("the long page has notes");
        assert_eq!(notes.len(), 1);
        assert!(notes[0].as_str().unwrap().starts_with("more than 20000 place mentions"));
        assert!(lines[1].get("notes").is_none(), "a short article has no notes");
    }
    let (_, lines) = run(server::geoparse_cli::Mode::Geoparse, &input, &output);
    assert_eq!(lines[0]["toponyms"].as_array().unwrap().len(), extract::MAX_MENTIONS);
    let _ = std::fs::remove_dir_all(&dir);
}
