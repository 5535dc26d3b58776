//! Work done by the decoder's scanning steps, in bytes examined (parsed, searched or
//! copied), so tests can assert that hostile input costs work in proportion to its size,
//! never to its square. Counted only in this crate's tests; elsewhere `charge` is empty.

#[cfg(test)]
thread_local! {
    static DONE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Records `bytes` examined by one step.
#[inline]
pub(crate) fn charge(bytes: usize) {
    #[cfg(test)]
    DONE.with(|d| d.set(d.get().saturating_add(bytes as u64)));
    #[cfg(not(test))]
    let _ = bytes;
}

/// Runs `f` and returns its result with the work it charged on this thread.
#[cfg(test)]
pub(crate) fn measure<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = DONE.with(std::cell::Cell::get);
    let out = f();
    (out, DONE.with(std::cell::Cell::get) - before)
}
