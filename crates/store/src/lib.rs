//! The event store (placeholder until issue 5 lands it).
//!
//! This crate will own the embedded SQLite event database behind a `Store` trait. Nothing
//! here is used yet; it exists so that the workspace has its final shape.

#![warn(missing_docs)]
#![forbid(unsafe_code)]
