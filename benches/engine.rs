//! Kernel benchmark: the event queue in the hold model.
//!
//! The hold model keeps `n` events pending: each step pops the earliest event and pushes it back
//! at `now + Exp(mean 1 ms)`. One element of throughput is one step (a pop and a push), including
//! the draw of the delay. `EventQueue` is measured next to a plain `BinaryHeap` keyed on
//! `(time, sequence number)`, the obvious alternative with the same FIFO tie rule.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_distr::Exp1;
use rand_xoshiro::Xoshiro256PlusPlus;
use scalesim::engine::{EventQueue, SimTime};

/// Hold steps per measured iteration.
const STEPS: u64 = 1_000;
/// Mean hold time: 1 ms in ns.
const MEAN_NS: f64 = 1e6;

fn delay(rng: &mut Xoshiro256PlusPlus) -> u64 {
    let x: f64 = rng.sample(Exp1);
    (x * MEAN_NS) as u64
}

/// The queue operations the hold model needs.
trait Hold {
    fn push(&mut self, time: u64, item: u64);
    fn pop(&mut self) -> (u64, u64);
}

impl Hold for EventQueue<u64> {
    #[inline]
    fn push(&mut self, time: u64, item: u64) {
        EventQueue::push(self, SimTime(time), item);
    }
    #[inline]
    fn pop(&mut self) -> (u64, u64) {
        let (t, x) = EventQueue::pop(self).expect("the hold model never empties the queue");
        (t.as_nanos(), x)
    }
}

/// The baseline: a binary heap with the sequence number in the key for FIFO ties.
#[derive(Default)]
struct Heap {
    heap: BinaryHeap<Reverse<(u64, u64, u64)>>,
    seq: u64,
}

impl Hold for Heap {
    #[inline]
    fn push(&mut self, time: u64, item: u64) {
        self.heap.push(Reverse((time, self.seq, item)));
        self.seq += 1;
    }
    #[inline]
    fn pop(&mut self) -> (u64, u64) {
        let Reverse((t, _, x)) = self
            .heap
            .pop()
            .expect("the hold model never empties the queue");
        (t, x)
    }
}

fn bench_hold<Q: Hold>(c: &mut Criterion, group_name: &str, make: fn() -> Q) {
    let mut group = c.benchmark_group(group_name);
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(STEPS));
    for pending in [1_000u64, 100_000] {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
        let mut q = make();
        for i in 0..pending {
            q.push(delay(&mut rng), i);
        }
        group.bench_function(BenchmarkId::from_parameter(pending), |b| {
            b.iter(|| {
                for _ in 0..STEPS {
                    let (now, item) = q.pop();
                    q.push(now + delay(&mut rng), black_box(item));
                }
            })
        });
    }
    group.finish();
}

fn hold(c: &mut Criterion) {
    bench_hold(c, "hold/EventQueue", EventQueue::<u64>::new);
    bench_hold(c, "hold/BinaryHeap", Heap::default);
}

criterion_group!(benches, hold);
criterion_main!(benches);
