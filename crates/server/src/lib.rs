//! The borderwatch application: configuration, IO and the command line around the
//! sans-IO `gazetteer` and `extract` crates.
//!
//! Today it builds, loads and queries the gazetteer (`gazetteer_cli`), downloads GeoNames
//! country dumps (`download`) and runs the geoparser over JSONL or text (`geoparse_cli`). The HTTP server (axum) and the event store join
//! it with issue 5; the binary is `borderwatch` (`main.rs`).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod download;
pub mod gazetteer_cli;
pub mod geoparse_cli;
pub mod output;
