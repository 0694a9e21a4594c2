//! Article text to place mentions and events (issues 3 and 4).

#![warn(missing_docs)]
#![forbid(unsafe_code)]
