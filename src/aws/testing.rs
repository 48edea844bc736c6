//! Helpers shared by the unit tests of deploy, operate and local.

/// Runs a future to completion on a current-thread runtime (the traits are
/// async; the fakes answer at once).
///
/// # Panics
///
/// When the runtime cannot start (a broken test machine).
pub fn block<F: std::future::Future>(f: F) -> F::Output {
    super::block(f).expect("a current-thread runtime")
}
