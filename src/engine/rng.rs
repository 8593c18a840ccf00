//! Seeded random streams: the only source of randomness in a simulation.
//!
//! Every component draws from its own ChaCha8 stream derived from the scenario seed
//! (`seed_from_u64(seed)` then `set_stream(id)`), so adding a component, or changing how often one
//! draws, never perturbs another's numbers. Workload streams are separate from the scheduler's,
//! so two scheduler policies on the same seed see the same arrivals (common random numbers).
//!
//! For draws that must not depend on *when* or *how often* they happen (per-pod usage noise,
//! say), [`RngStreams::counter_u64`] hashes its coordinates instead of advancing a stream.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// Identifies one random stream: a component kind in the high 32 bits, an instance in the low.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId(pub u64);

impl StreamId {
    /// Stream of the scheduler (tie-breaks, preemption offsets).
    pub const SCHEDULER: u32 = 1;
    /// Streams of controllers (generated object names).
    pub const CONTROLLER: u32 = 2;
    /// Streams of load sources (request-rate noise), one per source.
    pub const TRAFFIC: u32 = 3;
    /// Streams of the node agents (start-up jitter).
    pub const KUBELET: u32 = 4;
    /// Streams of the autoscalers.
    pub const AUTOSCALER: u32 = 5;
    /// Streams of scenario-level randomness (fault injection).
    pub const SCENARIO: u32 = 6;
    /// Streams of trace-driven workload generators.
    pub const WORKLOAD: u32 = 7;

    /// The stream of instance `instance` of component kind `kind`.
    pub const fn new(kind: u32, instance: u32) -> Self {
        StreamId(((kind as u64) << 32) | instance as u64)
    }
}

/// Derives per-component random streams from one scenario seed.
#[derive(Copy, Clone, Debug)]
pub struct RngStreams {
    seed: u64,
}

impl RngStreams {
    /// Streams for scenario seed `seed`.
    pub const fn new(seed: u64) -> Self {
        RngStreams { seed }
    }

    /// The scenario seed.
    pub const fn seed(&self) -> u64 {
        self.seed
    }

    /// A fresh generator for stream `id`. Calling this twice gives two identical generators.
    pub fn stream(&self, id: StreamId) -> SimRng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(id.0);
        SimRng { rng }
    }

    /// A random `u64` that depends only on the seed, the stream and the coordinates `(a, b)`:
    /// order-independent randomness (SplitMix64 finalizer over the mixed inputs).
    pub fn counter_u64(&self, id: StreamId, a: u64, b: u64) -> u64 {
        let mut x = self.seed ^ splitmix(id.0);
        x = splitmix(x ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        splitmix(x ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
    }

    /// Like [`counter_u64`](Self::counter_u64), as a uniform float in `[0, 1)`.
    pub fn counter_f64(&self, id: StreamId, a: u64, b: u64) -> f64 {
        unit_f64(self.counter_u64(id, a, b))
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit_f64(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// One component's random generator (ChaCha8), with the few sampling helpers simulations need.
#[derive(Clone, Debug)]
pub struct SimRng {
    rng: ChaCha8Rng,
}

impl SimRng {
    /// The next raw 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A uniform integer in `[0, n)`; `n` must be positive. Uses rejection sampling, so there is
    /// no modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        if n <= 1 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % n) - 1;
        loop {
            let x = self.next_u64();
            if x <= zone {
                return x % n;
            }
        }
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        unit_f64(self.next_u64())
    }

    /// A standard normal draw (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1]
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let s = RngStreams::new(42);
        let a1: Vec<u64> = (0..4)
            .map({
                let mut r = s.stream(StreamId::new(StreamId::SCHEDULER, 0));
                move |_| r.next_u64()
            })
            .collect();
        let a2: Vec<u64> = (0..4)
            .map({
                let mut r = s.stream(StreamId::new(StreamId::SCHEDULER, 0));
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut r = s.stream(StreamId::new(StreamId::TRAFFIC, 0));
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        let other_seed = RngStreams::new(43)
            .stream(StreamId::new(StreamId::SCHEDULER, 0))
            .next_u64();
        assert_ne!(a1[0], other_seed);
    }

    #[test]
    fn below_is_in_range() {
        let mut r = RngStreams::new(1).stream(StreamId(9));
        for n in [1u64, 2, 3, 7, 1000] {
            for _ in 0..200 {
                assert!(r.below(n) < n);
            }
        }
    }

    #[test]
    fn counter_draws_depend_only_on_coordinates() {
        let s = RngStreams::new(7);
        let id = StreamId::new(StreamId::TRAFFIC, 3);
        assert_eq!(s.counter_u64(id, 1, 2), s.counter_u64(id, 1, 2));
        assert_ne!(s.counter_u64(id, 1, 2), s.counter_u64(id, 2, 1));
        let f = s.counter_f64(id, 5, 5);
        assert!((0.0..1.0).contains(&f));
    }
}
