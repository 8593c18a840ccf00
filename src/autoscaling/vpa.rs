//! The Vertical Pod Autoscaler recommender's arithmetic (kubernetes/autoscaler,
//! `vertical-pod-autoscaler/pkg/recommender/{util/histogram.go, util/histogram_options.go,
//! util/decaying_histogram.go, model/aggregations_config.go, model/container.go,
//! logic/estimator.go, logic/recommender.go}`): exponential-bucket decaying histograms (24 h
//! half-life), cpu samples weighted 0.1 each, one memory peak per 24 h interval, target / lower /
//! upper bounds at the 90th / 50th / 95th percentiles with the 15 % safety margin, the
//! confidence multipliers and the per-pod minimums (25 millicores, 250 MiB).
//!
//! Pure functions and state, fed with usage samples; not yet wired to VerticalPodAutoscaler
//! objects in a run.

use crate::engine::{SimDuration, SimTime};

/// `minSampleWeight`.
pub const MIN_SAMPLE_WEIGHT: f64 = 0.1;
/// `epsilon`: the smallest weight a bucket keeps.
pub const EPSILON: f64 = 0.001 * MIN_SAMPLE_WEIGHT;
/// `DefaultHistogramBucketSizeGrowth`.
pub const BUCKET_GROWTH: f64 = 0.05;
/// Decay half-life of both histograms (24 h).
pub const HALF_LIFE: SimDuration = SimDuration::from_secs(24 * 3600);
/// `MemoryAggregationInterval` (24 h).
pub const MEMORY_INTERVAL: SimDuration = SimDuration::from_secs(24 * 3600);
/// `maxDecayExponent`: the reference time moves forward past 2^100.
const MAX_DECAY_EXPONENT: f64 = 100.0;

/// `exponentialHistogramOptions`.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct ExpBuckets {
    num: usize,
    first: f64,
    ratio: f64,
}

impl ExpBuckets {
    /// `NewExponentialHistogramOptions(maxValue, firstBucketSize, ratio, epsilon)`.
    pub fn new(max_value: f64, first: f64, ratio: f64) -> Self {
        let num = ((max_value * (ratio - 1.0) / first + 1.0).ln() / ratio.ln()).ceil() as usize + 1;
        ExpBuckets { num, first, ratio }
    }

    /// cpu, in cores: 0.01 .. 1000.
    pub fn cpu() -> Self {
        Self::new(1000.0, 0.01, 1.0 + BUCKET_GROWTH)
    }

    /// Memory, in bytes: 10 MB .. 1 TB.
    pub fn memory() -> Self {
        Self::new(1e12, 1e7, 1.0 + BUCKET_GROWTH)
    }

    /// `NumBuckets`.
    pub fn len(&self) -> usize {
        self.num
    }

    /// Never empty (kept for clippy's `len` convention).
    pub fn is_empty(&self) -> bool {
        self.num == 0
    }

    /// `FindBucket`.
    pub fn find(&self, value: f64) -> usize {
        if value < self.first {
            return 0;
        }
        let b = ((value * (self.ratio - 1.0) / self.first + 1.0).ln() / self.ratio.ln()) as usize;
        b.min(self.num - 1)
    }

    /// `GetBucketStart`.
    pub fn start(&self, bucket: usize) -> f64 {
        if bucket == 0 {
            return 0.0;
        }
        self.first * (self.ratio.powi(bucket as i32) - 1.0) / (self.ratio - 1.0)
    }
}

/// `decayingHistogram` over `histogram`.
#[derive(Clone, Debug)]
pub struct DecayingHistogram {
    opts: ExpBuckets,
    weights: Vec<f64>,
    total: f64,
    min_bucket: usize,
    max_bucket: usize,
    reference: SimTime,
}

impl DecayingHistogram {
    /// An empty histogram.
    pub fn new(opts: ExpBuckets) -> Self {
        DecayingHistogram {
            opts,
            weights: vec![0.0; opts.len()],
            total: 0.0,
            min_bucket: opts.len() - 1,
            max_bucket: 0,
            reference: SimTime::ZERO,
        }
    }

    /// `IsEmpty`.
    pub fn is_empty(&self) -> bool {
        self.weights[self.min_bucket] < EPSILON
    }

    fn shift_reference(&mut self, t: SimTime) {
        // Round the new reference to a multiple of the half-life.
        let hl = HALF_LIFE.as_micros();
        let new = (t.as_micros() + hl / 2) / hl * hl;
        let exponent = ((self.reference.as_micros() as f64 - new as f64) / hl as f64 + 0.5).floor();
        let factor = 2f64.powf(exponent);
        for b in self.min_bucket..=self.max_bucket {
            self.weights[b] *= factor;
        }
        self.total *= factor;
        self.update_min_max();
        self.reference = SimTime::ZERO + SimDuration::from_micros(new);
    }

    fn decay_factor(&mut self, t: SimTime) -> f64 {
        let hl = HALF_LIFE.as_micros() as f64;
        if (t.as_micros() as f64 - self.reference.as_micros() as f64) / hl > MAX_DECAY_EXPONENT {
            self.shift_reference(t);
        }
        2f64.powf((t.as_micros() as f64 - self.reference.as_micros() as f64) / hl)
    }

    /// `AddSample` with the decay factor of `t`.
    pub fn add(&mut self, value: f64, weight: f64, t: SimTime) {
        let w = weight * self.decay_factor(t);
        let b = self.opts.find(value);
        self.weights[b] += w;
        self.total += w;
        if b < self.min_bucket && self.weights[b] >= EPSILON {
            self.min_bucket = b;
        }
        if b > self.max_bucket && self.weights[b] >= EPSILON {
            self.max_bucket = b;
        }
    }

    /// `SubtractSample` with the decay factor of `t`.
    pub fn subtract(&mut self, value: f64, weight: f64, t: SimTime) {
        let mut w = weight * self.decay_factor(t);
        let b = self.opts.find(value);
        if w > self.weights[b] - EPSILON {
            w = self.weights[b];
        }
        self.total -= w;
        self.weights[b] -= w;
        self.update_min_max();
    }

    fn update_min_max(&mut self) {
        let last = self.opts.len() - 1;
        while self.weights[self.min_bucket] < EPSILON && self.min_bucket < last {
            self.min_bucket += 1;
        }
        while self.weights[self.max_bucket] < EPSILON && self.max_bucket > 0 {
            self.max_bucket -= 1;
        }
    }

    /// `Percentile`: the end of the bucket where the cumulative weight reaches `p × total`.
    pub fn percentile(&self, p: f64) -> f64 {
        if self.is_empty() {
            return 0.0;
        }
        let threshold = p * self.total;
        let mut sum = 0.0;
        let mut b = self.min_bucket;
        while b < self.max_bucket {
            sum += self.weights[b];
            if sum >= threshold {
                break;
            }
            b += 1;
        }
        if b < self.opts.len() - 1 {
            self.opts.start(b + 1)
        } else {
            self.opts.start(b)
        }
    }
}

/// One container's aggregated usage (`AggregateContainerState` plus the memory peak window of
/// `ContainerState`).
#[derive(Clone, Debug)]
pub struct ContainerAggregate {
    cpu: DecayingHistogram,
    memory: DecayingHistogram,
    first_sample: Option<SimTime>,
    last_sample: Option<SimTime>,
    samples: u64,
    window_end: Option<SimTime>,
    memory_peak: f64,
}

impl Default for ContainerAggregate {
    fn default() -> Self {
        ContainerAggregate {
            cpu: DecayingHistogram::new(ExpBuckets::cpu()),
            memory: DecayingHistogram::new(ExpBuckets::memory()),
            first_sample: None,
            last_sample: None,
            samples: 0,
            window_end: None,
            memory_peak: 0.0,
        }
    }
}

impl ContainerAggregate {
    /// A cpu usage sample (cores), weight `minSampleWeight` (newest upstream).
    pub fn add_cpu(&mut self, cores: f64, t: SimTime) {
        self.cpu.add(cores, MIN_SAMPLE_WEIGHT, t);
        self.first_sample.get_or_insert(t);
        self.last_sample = Some(t);
        self.samples += 1;
    }

    /// A memory working-set sample (bytes): one peak per 24 h interval (`addMemorySample`).
    pub fn add_memory(&mut self, bytes: f64, t: SimTime) {
        let end = *self.window_end.get_or_insert(t);
        if t < end {
            if self.memory_peak != 0.0 && bytes > self.memory_peak {
                self.memory.subtract(self.memory_peak, 1.0, end);
            } else if self.memory_peak != 0.0 {
                return;
            }
        } else {
            let iv = MEMORY_INTERVAL.as_micros();
            let shift = (t.since(end).as_micros() / iv) * iv + iv;
            self.window_end = Some(end + SimDuration::from_micros(shift));
            self.memory_peak = 0.0;
        }
        if bytes > self.memory_peak {
            self.memory_peak = bytes;
            let at = self.window_end.expect("set above");
            self.memory.add(bytes, 1.0, at);
        }
    }

    /// `getConfidence`: min(history length in days, samples / 1440).
    pub fn confidence(&self) -> f64 {
        let days = match (self.first_sample, self.last_sample) {
            (Some(a), Some(b)) => b.since(a).as_secs_f64() / 86_400.0,
            _ => 0.0,
        };
        days.min(self.samples as f64 / 1440.0)
    }
}

/// A recommendation for one container: cpu in millicores, memory in bytes.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// `target`.
    pub target: (i64, i64),
    /// `lowerBound`.
    pub lower: (i64, i64),
    /// `upperBound`.
    pub upper: (i64, i64),
}

/// `recommendation-margin-fraction`.
pub const SAFETY_MARGIN: f64 = 0.15;
/// `pod-recommendation-min-cpu-millicores`.
pub const POD_MIN_CPU_MILLI: f64 = 25.0;
/// `pod-recommendation-min-memory-mb` (MiB).
pub const POD_MIN_MEMORY_MB: f64 = 250.0;

/// `logic/recommender.go`'s estimators for one of `containers` containers of a pod.
pub fn recommend(a: &ContainerAggregate, containers: usize) -> Recommendation {
    let n = containers.max(1) as f64;
    let min_cpu = POD_MIN_CPU_MILLI / 1000.0 / n;
    let min_mem = POD_MIN_MEMORY_MB * 1024.0 * 1024.0 / n;
    let c = a.confidence();
    let est = |p: f64, mult: f64| {
        let cpu = (a.cpu.percentile(p) * (1.0 + SAFETY_MARGIN) * mult).max(min_cpu);
        let mem = (a.memory.percentile(p) * (1.0 + SAFETY_MARGIN) * mult).max(min_mem);
        ((cpu * 1000.0).round() as i64, mem.round() as i64)
    };
    // WithConfidenceMultiplier: upper × (1 + 1/c), lower × (1 + 0.001/c)^-2.
    let upper_mult = if c > 0.0 {
        1.0 + 1.0 / c
    } else {
        f64::INFINITY
    };
    let lower_mult = if c > 0.0 {
        (1.0 + 0.001 / c).powi(-2)
    } else {
        0.0
    };
    let cap = |v: (i64, i64)| (v.0.min(1_000_000_000), v.1.min(i64::MAX / 2));
    Recommendation {
        target: est(0.9, 1.0),
        lower: est(0.5, lower_mult),
        upper: cap(est(
            0.95,
            if upper_mult.is_finite() {
                upper_mult
            } else {
                1e12
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    #[test]
    fn exponential_buckets_match_upstream_options() {
        // From the formulas: NewExponentialHistogramOptions(100, 10, 2, eps) has
        // ceil(log2(100 × 1 / 10 + 1)) + 1 = 5 buckets starting at 10 × (2^n − 1).
        let o = ExpBuckets::new(100.0, 10.0, 2.0);
        assert_eq!(o.len(), 5);
        let starts: Vec<f64> = (0..5).map(|b| o.start(b)).collect();
        assert_eq!(starts, vec![0.0, 10.0, 30.0, 70.0, 150.0]);
        assert_eq!(o.find(-1.0), 0);
        assert_eq!(o.find(9.99), 0);
        assert_eq!(o.find(10.0), 1);
        assert_eq!(o.find(29.99), 1);
        assert_eq!(o.find(30.0), 2);
        assert_eq!(o.find(149.99), 3);
        assert_eq!(o.find(150.0), 4);
        assert_eq!(o.find(1e9), 4);
    }

    #[test]
    fn percentile_is_the_end_of_the_bucket() {
        // Weights 1 in buckets 1..3 of the (100, 10, 2) options.
        let mut h = DecayingHistogram::new(ExpBuckets::new(100.0, 10.0, 2.0));
        for v in [15.0, 35.0, 75.0] {
            h.add(v, 1.0, SimTime::ZERO);
        }
        assert_eq!(h.percentile(0.0), 30.0);
        assert_eq!(h.percentile(0.3), 30.0);
        assert_eq!(h.percentile(0.5), 70.0);
        assert_eq!(h.percentile(1.0), 150.0);
    }

    #[test]
    fn newer_samples_weigh_more_with_a_24h_half_life() {
        // A sample one half-life later has twice the weight.
        let mut h = DecayingHistogram::new(ExpBuckets::new(100.0, 10.0, 2.0));
        h.add(15.0, 2.0, t(0));
        h.add(75.0, 1.0, t(86_400));
        // Equal weights (2 × 1 vs 1 × 2): the median falls at the end of the first bucket.
        assert_eq!(h.percentile(0.5), 30.0);
        h.add(75.0, 1.0, t(86_400));
        assert_eq!(h.percentile(0.5), 150.0);
    }

    #[test]
    fn memory_keeps_one_peak_per_day() {
        let mut a = ContainerAggregate::default();
        a.add_memory(100e6, t(0));
        a.add_memory(300e6, t(3600)); // replaces the first interval's peak
        a.add_memory(200e6, t(7200)); // lower: ignored
        // Peaks are stored at the interval's end (24 h): decay factor 2, one peak in total.
        assert_eq!(a.memory.total, 2.0);
        let p = a.memory.percentile(1.0);
        assert!(p > 300e6 && p < 300e6 * 1.06, "{p}");
    }

    #[test]
    fn recommendation_applies_margin_confidence_and_minimums() {
        let mut a = ContainerAggregate::default();
        // One day of 1-minute samples at 0.5 cores and 400 MB.
        for m in 0..1440u64 {
            a.add_cpu(0.5, t(m * 60));
            a.add_memory(400e6, t(m * 60));
        }
        let r = recommend(&a, 1);
        // Confidence ~1 (1439 minutes, 1440 samples): upper ≈ ×2 of the 95th percentile.
        let bucket_end = ExpBuckets::cpu().start(ExpBuckets::cpu().find(0.5) + 1);
        assert_eq!(r.target.0, (bucket_end * 1.15 * 1000.0).round() as i64);
        assert!(r.upper.0 > r.target.0 * 19 / 10);
        assert!(r.lower.0 <= r.target.0);
        // An idle container gets the per-pod minimums.
        let mut idle = ContainerAggregate::default();
        idle.add_cpu(0.0, t(0));
        idle.add_memory(0.0, t(0));
        let r = recommend(&idle, 2);
        assert_eq!(r.target.0, 13); // 25m / 2, rounded
        assert_eq!(r.target.1, (250.0 * 1024.0 * 1024.0 / 2.0) as i64);
    }
}
