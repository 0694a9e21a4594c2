//! The borderwatch application: configuration, IO, the command line and the HTTP server
//! around the sans-IO `gazetteer` and `extract` crates and the `store`.
//!
//! It builds, loads and queries the gazetteer (`gazetteer_cli`), downloads GeoNames
//! country dumps (`download`), runs the geoparser and the extractor over JSONL or text
//! (`geoparse_cli`), ingests articles into the store (`ingest`, `html`) and serves the map
//! API, OGC API - Features, vector tiles (`tiles`) and the exports (`api`, `openapi`). The binary is `borderwatch`
//! (`main.rs`).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod api;
pub mod download;
pub mod fetch;
pub mod gazetteer_cli;
pub mod geoparse_cli;
pub mod html;
pub mod ingest;
pub mod openapi;
pub mod output;
pub mod tiles;
pub mod watch;
