//! The `e2e` crate: cross-crate tests live in `it/`; this library is empty.
