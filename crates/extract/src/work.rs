//! Counted work: the unit tests bound what extraction costs on long and hostile articles by
//! counting the steps of its loops, never by timing them.
//!
//! Every loop whose length depends on the article (bytes scanned, tokens visited, mentions
//! and events compared) adds its steps here. The counter exists only in test builds; in
//! every other build [`add`] compiles to nothing.

#[cfg(test)]
thread_local! {
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `steps` steps of work on this thread.
#[inline]
pub(crate) fn add(steps: usize) {
    #[cfg(test)]
    STEPS.with(|counter| counter.set(counter.get().saturating_add(steps as u64)));
    #[cfg(not(test))]
    let _ = steps;
}

/// The steps counted on this thread since the last call, and a fresh start.
#[cfg(test)]
pub(crate) fn take() -> u64 {
    STEPS.with(|counter| counter.replace(0))
}
