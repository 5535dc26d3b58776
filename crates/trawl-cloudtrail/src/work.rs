//! Work done by the decoder's scanning steps, in bytes examined (parsed, searched or
//! copied), so tests can assert that hostile input costs work in proportion to its size,
//! never to its square. Counted only in this crate's tests and with the `work-count`
//! feature (the fuzz target's); elsewhere `charge` is empty.

#[cfg(any(test, feature = "work-count"))]
thread_local! {
    static DONE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Records `bytes` examined by one step.
#[inline]
pub(crate) fn charge(bytes: usize) {
    #[cfg(any(test, feature = "work-count"))]
    DONE.with(|d| d.set(d.get().saturating_add(bytes as u64)));
    #[cfg(not(any(test, feature = "work-count")))]
    let _ = bytes;
}

/// Runs `f` and returns its result with the work it charged on this thread.
#[cfg(any(test, feature = "work-count"))]
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = DONE.with(std::cell::Cell::get);
    let out = f();
    (out, DONE.with(std::cell::Cell::get) - before)
}
