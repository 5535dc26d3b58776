//! A parallel map over a slice on scoped threads: hashing is CPU-bound (gunzip + SHA-256),
//! and each worker streams one object at a time, so memory stays bounded by the thread count.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// `f` of every item, in order, on up to `threads` scoped threads taking the next item
/// as each finishes one; a panic in `f` resumes in the caller.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        for worker in workers {
            match worker.join() {
                Ok(done) => {
                    for (i, r) in done {
                        slots[i] = Some(r);
                    }
                }
                // A panic in `f` is a bug: surface it where the caller can see it.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    // Every index below items.len() was taken by exactly one worker.
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let items: Vec<u32> = (0..1000).collect();
        let out = super::par_map(&items, 4, |x| x * 2);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(super::par_map(&[] as &[u32], 4, |x| *x).is_empty());
    }
}
