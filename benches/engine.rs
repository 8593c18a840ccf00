//! Engine micro-benchmark: the event queue under a hold model (pop one event, push one at a
//! random later time) with 1k, 10k and 100k pending events. Reports events per second.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kubesim::engine::{EventQueue, RngStreams, SimTime, StreamId};
use std::hint::black_box;

/// A 32-byte event like the simulation's.
#[derive(Copy, Clone)]
#[allow(dead_code)]
struct Ev {
    a: u64,
    b: u64,
    c: u64,
    d: u32,
}

fn hold(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_queue_hold");
    const OPS: u64 = 100_000;
    for pending in [1_000usize, 10_000, 100_000] {
        g.throughput(Throughput::Elements(OPS));
        g.bench_with_input(
            BenchmarkId::from_parameter(pending),
            &pending,
            |b, &pending| {
                let mut rng = RngStreams::new(1).stream(StreamId(1));
                let mut q: EventQueue<Ev> = EventQueue::with_capacity(pending + 16);
                for i in 0..pending {
                    q.push(
                        SimTime(rng.below(1_000_000)),
                        Ev {
                            a: i as u64,
                            b: 0,
                            c: 0,
                            d: 0,
                        },
                    );
                }
                let deltas: Vec<u64> = (0..4096).map(|_| 1 + rng.below(1_000_000)).collect();
                let mut k = 0usize;
                b.iter(|| {
                    for _ in 0..OPS {
                        let s = q.pop().expect("never empty");
                        k = (k + 1) & 4095;
                        q.push(SimTime(s.time.0 + deltas[k]), black_box(s.event));
                    }
                });
            },
        );
    }
    g.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);
