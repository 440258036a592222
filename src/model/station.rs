//! A station: `workers` servers in front of a FIFO waiting room of bounded (or unbounded)
//! size. Server instances and database nodes are stations.
//!
//! Accounting is by time-weighted areas in integer ns-units (busy workers x ns, waiting
//! requests x ns, present requests x ns), brought up to date by [`Station::touch`] before any
//! change. Areas are never clipped: the report subtracts a snapshot taken at the end of
//! warm-up, and the time series subtracts one taken at each window boundary.

use std::collections::VecDeque;

use crate::engine::Stream;

/// Set in a waiting-room entry: the entry is a migration batch (of the copier in the other
/// bits), not a request. Only the station sees it.
const BATCH: u32 = 1 << 31;

/// What a station's freed worker does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Nothing waits: the worker is idle.
    Idle,
    /// It serves this request.
    Request(u32),
    /// It serves this copier's migration batch.
    Batch(u32),
}

impl Next {
    /// The waiting-room entry `e`.
    #[inline]
    fn of(e: u32) -> Next {
        if e & BATCH != 0 {
            Next::Batch(e & !BATCH)
        } else {
            Next::Request(e)
        }
    }
}

/// A station: workers in front of a FIFO waiting room.
#[derive(Debug)]
pub struct Station {
    /// Workers.
    pub workers: u32,
    /// Workers busy now.
    pub busy: u32,
    /// Waiting-room size (`u64::MAX`: unbounded).
    pub cap: u64,
    /// The waiting room: requests (and migration batches) in arrival order.
    pub queue: VecDeque<u32>,
    /// Requests accepted and not yet replied: waiting, in service, or waiting on calls.
    pub present: u32,
    last: u64,
    /// Cumulative areas and counts.
    pub acc: Areas,
    /// Largest waiting room occupancy since the last reset.
    pub max_queue: u64,
    /// Its random stream (service times).
    pub rng: Stream,
    /// Service times are multiplied by this (1.0, or more during a `slow` fault).
    pub slow: f64,
    /// A freed worker takes the newest waiting entry while more than this many wait, the
    /// oldest otherwise (`u64::MAX`: always the oldest).
    pub lifo_above: u64,
    /// Arriving requests pass admission control (a server's rate or concurrency limit).
    pub guarded: bool,
    /// A freed worker's next request may be shed (a server's deadline or CoDel).
    pub shed: bool,
}

/// Running totals, cumulative from time zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    /// Busy workers x ns.
    pub busy: u128,
    /// Waiting requests x ns.
    pub queue: u128,
    /// Present requests x ns.
    pub present: u128,
    /// Requests that arrived (accepted or not).
    pub arrivals: u64,
    /// Requests turned away.
    pub rejected: u64,
}

impl Areas {
    /// The areas accumulated since snapshot `o`.
    pub fn minus(&self, o: &Areas) -> Areas {
        Areas {
            busy: self.busy - o.busy,
            queue: self.queue - o.queue,
            present: self.present - o.present,
            arrivals: self.arrivals - o.arrivals,
            rejected: self.rejected - o.rejected,
        }
    }
}

impl Station {
    /// A station of `workers` workers and a waiting room of `cap` (`None`: unbounded).
    pub fn new(workers: u32, cap: Option<u64>, rng: Stream) -> Station {
        let cap = cap.unwrap_or(u64::MAX);
        Station {
            workers,
            busy: 0,
            cap,
            queue: VecDeque::with_capacity(cap.min(1024) as usize),
            present: 0,
            last: 0,
            acc: Areas::default(),
            max_queue: 0,
            rng,
            slow: 1.0,
            lifo_above: u64::MAX,
            guarded: false,
            shed: false,
        }
    }

    /// Brings the areas up to `now`.
    #[inline]
    pub fn touch(&mut self, now: u64) {
        let dt = u128::from(now - self.last);
        if dt > 0 {
            self.acc.busy += u128::from(self.busy) * dt;
            self.acc.queue += self.queue.len() as u128 * dt;
            self.acc.present += u128::from(self.present) * dt;
            self.last = now;
        }
    }

    /// A request arrives. Returns `Admit::Serve` (a worker is free: caller starts service),
    /// `Admit::Queued`, or `Admit::Rejected` (waiting room full).
    #[inline]
    pub fn arrive(&mut self, now: u64, req: u32) -> Admit {
        self.touch(now);
        self.acc.arrivals += 1;
        if self.busy < self.workers {
            self.busy += 1;
            self.present += 1;
            Admit::Serve
        } else if (self.queue.len() as u64) < self.cap {
            self.queue.push_back(req);
            self.present += 1;
            self.max_queue = self.max_queue.max(self.queue.len() as u64);
            Admit::Queued
        } else {
            self.acc.rejected += 1;
            Admit::Rejected
        }
    }

    /// Background work arrives (copier `copier`'s migration batch): it takes a free worker,
    /// or waits in the waiting room whatever its size. It is not counted as an arrival.
    /// Returns whether it is served at once.
    #[inline]
    pub fn arrive_background(&mut self, now: u64, copier: u32) -> bool {
        let job = copier | BATCH;
        self.touch(now);
        self.present += 1;
        if self.busy < self.workers {
            self.busy += 1;
            true
        } else {
            self.queue.push_back(job);
            self.max_queue = self.max_queue.max(self.queue.len() as u64);
            false
        }
    }

    /// A request (or batch) leaves (its reply is sent). Returns what its worker serves
    /// next: a request or batch that was waiting (the worker stays busy), or nothing.
    #[inline]
    pub fn depart(&mut self, now: u64) -> Next {
        self.touch(now);
        self.present -= 1;
        let next = if self.queue.len() as u64 > self.lifo_above {
            self.queue.pop_back()
        } else {
            self.queue.pop_front()
        };
        match next {
            Some(next) => Next::of(next),
            None => {
                self.busy -= 1;
                Next::Idle
            }
        }
    }
}

impl Station {
    /// Empties the station (a crash): returns the requests that were waiting; in-service
    /// ones are forgotten here (their events notice the crash).
    pub fn crash(&mut self, now: u64) -> Vec<Next> {
        self.touch(now);
        let waiting: Vec<Next> = self.queue.drain(..).map(Next::of).collect();
        self.busy = 0;
        self.present = 0;
        waiting
    }
}

/// What happened to an arriving request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    /// A worker was free: the caller starts its service.
    Serve,
    /// It waits in the waiting room.
    Queued,
    /// The waiting room was full: it is turned away.
    Rejected,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::random::stream;

    #[test]
    fn serves_queues_then_rejects_and_keeps_areas() {
        let mut s = Station::new(1, Some(1), stream(1, "s"));
        assert_eq!(s.arrive(0, 1), Admit::Serve);
        assert_eq!(s.arrive(10, 2), Admit::Queued);
        assert_eq!(s.arrive(10, 3), Admit::Rejected);
        assert_eq!(s.depart(30), Next::Request(2));
        assert_eq!(s.depart(50), Next::Idle);
        s.touch(100);
        assert_eq!(s.acc.busy, 50);
        assert_eq!(s.acc.queue, 20);
        assert_eq!(s.acc.present, 10 + 2 * 20 + 20);
        assert_eq!((s.acc.arrivals, s.acc.rejected, s.max_queue), (3, 1, 1));
    }

    #[test]
    fn lifo_takes_the_newest_while_more_than_its_threshold_wait() {
        let mut s = Station::new(1, None, stream(1, "s"));
        s.lifo_above = 2;
        assert_eq!(s.arrive(0, 1), Admit::Serve);
        for r in 2..=5 {
            assert_eq!(s.arrive(0, r), Admit::Queued);
        }
        // 4 wait (> 2): newest first, then 3 wait (> 2): newest again; then 2 wait: FIFO.
        assert_eq!(s.depart(1), Next::Request(5));
        assert_eq!(s.depart(2), Next::Request(4));
        assert_eq!(s.depart(3), Next::Request(2));
        assert_eq!(s.depart(4), Next::Request(3));
        assert_eq!(s.depart(5), Next::Idle);
    }

    #[test]
    fn a_batch_waits_with_the_requests_and_comes_out_as_a_batch() {
        let mut s = Station::new(1, Some(2), stream(1, "s"));
        assert_eq!(s.arrive(0, 1), Admit::Serve);
        assert!(!s.arrive_background(0, 7));
        assert_eq!(s.arrive(0, 2), Admit::Queued);
        assert_eq!(s.depart(10), Next::Batch(7));
        assert_eq!(s.crash(20), vec![Next::Request(2)]);
    }
}
