//! The one integration test binary: cross-crate tests, one module per feature.

#![expect(
    clippy::unwrap_used,
    reason = "test set-up helpers panic on failure, as the tests themselves do"
)]

mod download;
mod fetch;
mod gazetteer_full;
mod geoparse_cli;
mod postgres_e2e;
mod server_e2e;
mod tidy;
mod tiles_e2e;
mod watch;
