//! A bounded, ordered worker pipeline: the calling thread produces items, worker threads
//! transform them (hash and compress, or fetch and decompress), and the calling thread
//! consumes the results in the order the items were produced. At most `window` items are
//! between producer and consumer at any time, so memory stays at a few chunks whatever the
//! size of the database. The producer and consumer run on the calling thread, which is the
//! one that may touch the SQLite connection or the output file.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::Mutex;

/// How many workers to run: the machine's cores, at least `min`, at most 8.
pub fn workers(min: usize) -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(min.max(1), 8.max(min))
}

/// Runs `produce` → `work` (on `workers` threads) → `consume` (in order).
///
/// `produce` returns `Ok(None)` at the end. The first error from any stage stops the
/// pipeline: nothing more is produced, the workers finish what they hold, and the error is
/// returned.
pub fn run<I, O, E>(
    workers: usize,
    window: usize,
    mut produce: impl FnMut() -> Result<Option<I>, E>,
    work: impl Fn(I) -> Result<O, E> + Sync,
    mut consume: impl FnMut(usize, O) -> Result<(), E>,
) -> Result<(), E>
where
    I: Send,
    O: Send,
    E: Send,
{
    let window = window.max(1);
    let (job_tx, job_rx) = mpsc::sync_channel::<(usize, I)>(window);
    let job_rx = Mutex::new(job_rx);
    let (res_tx, res_rx) = mpsc::channel::<(usize, Result<O, E>)>();
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            let res_tx = res_tx.clone();
            let job_rx = &job_rx;
            let work = &work;
            scope.spawn(move || loop {
                let job = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((i, item)) = job else { break };
                if res_tx.send((i, work(item))).is_err() {
                    break;
                }
            });
        }
        drop(res_tx);
        let mut job_tx = Some(job_tx);
        let mut produced = 0usize;
        let mut consumed = 0usize;
        let mut pending: BTreeMap<usize, O> = BTreeMap::new();
        let mut failure: Option<E> = None;
        'outer: loop {
            // Keep the window full.
            while job_tx.is_some() && produced - consumed < window {
                match produce() {
                    Ok(Some(item)) => {
                        let sent = job_tx
                            .as_ref()
                            .is_some_and(|t| t.send((produced, item)).is_ok());
                        if !sent {
                            job_tx = None;
                            break;
                        }
                        produced += 1;
                    }
                    Ok(None) => job_tx = None,
                    Err(e) => {
                        failure = Some(e);
                        break 'outer;
                    }
                }
            }
            if consumed == produced {
                break;
            }
            let Ok((i, r)) = res_rx.recv() else { break };
            match r {
                Ok(o) => {
                    pending.insert(i, o);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
            while let Some(o) = pending.remove(&consumed) {
                consumed += 1;
                if let Err(e) = consume(consumed - 1, o) {
                    failure = Some(e);
                    break 'outer;
                }
            }
        }
        // Closing the job channel ends the workers once they finish what is queued; their
        // results are dropped.
        drop(job_tx);
        drop(pending);
        for _ in res_rx.iter() {}
        match failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_arrive_in_order_with_bounded_work_in_flight() {
        let mut n = 0u64;
        let in_flight = AtomicUsize::new(0);
        let max_seen = AtomicUsize::new(0);
        let mut out = Vec::new();
        run::<u64, u64, String>(
            4,
            6,
            || {
                n += 1;
                Ok((n <= 200).then_some(n))
            },
            |x| {
                let f = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                max_seen.fetch_max(f, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_micros((x * 7919) % 300));
                in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok(x * 2)
            },
            |i, x| {
                assert_eq!(x, (i as u64 + 1) * 2);
                out.push(x);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(out.len(), 200);
        assert!(max_seen.load(Ordering::SeqCst) <= 4);
    }

    #[test]
    fn the_first_error_stops_everything() {
        let mut n = 0u64;
        let r = run::<u64, u64, String>(
            3,
            4,
            || {
                n += 1;
                Ok(Some(n))
            },
            |x| if x == 50 { Err("bad 50".into()) } else { Ok(x) },
            |_, _| Ok(()),
        );
        assert_eq!(r.unwrap_err(), "bad 50");
        let mut n = 0u64;
        let r = run::<u64, u64, String>(
            2,
            4,
            || {
                n += 1;
                if n == 10 {
                    Err("source".into())
                } else {
                    Ok(Some(n))
                }
            },
            Ok,
            |i, _| {
                if i == 100 {
                    Err("never".into())
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(r.unwrap_err(), "source");
        let r = run::<u64, u64, String>(
            2,
            4,
            || Ok(Some(1)),
            Ok,
            |i, _| if i == 5 { Err("sink".into()) } else { Ok(()) },
        );
        assert_eq!(r.unwrap_err(), "sink");
    }
}
