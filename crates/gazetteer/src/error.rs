//! The gazetteer's error type: what can go wrong reading a snapshot.

/// Errors from loading or writing a gazetteer snapshot.
///
/// Bad rows in source data are not errors: the builder reports them as
/// [`crate::Diagnostic`]s and skips them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing the snapshot failed.
    #[error("snapshot i/o failed: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not a snapshot this version understands.
    #[error("snapshot is corrupt or from another version: {reason}")]
    Corrupt {
        /// What did not add up.
        reason: String,
    },
}

/// Result with the gazetteer's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
