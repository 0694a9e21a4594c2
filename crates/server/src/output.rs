//! Writing to standard output: broken pipes end the program quietly (as `head` expects).

use std::io::Write;

/// Writes one line to standard output; a closed pipe exits the process with status 0.
pub fn line(text: &str) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match writeln!(lock, "{text}") {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

/// Writes one line to standard error, ignoring failures (there is nowhere left to report).
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
