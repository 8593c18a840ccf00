//! Summary statistics over seeds: mean, sample standard deviation, Student-t 95 % intervals,
//! medians and Kendall's τ.

/// Mean (NaN for no values).
pub fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample standard deviation (n − 1); 0 for fewer than two values.
pub fn sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let m = mean(v);
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// Two-sided 95 % Student-t critical value for `df` degrees of freedom.
pub fn t95(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => T[df - 1],
        _ => 1.96,
    }
}

/// Half-width of the 95 % confidence interval of the mean.
pub fn ci95(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return f64::NAN;
    }
    t95(v.len() - 1) * sd(v) / (v.len() as f64).sqrt()
}

/// Quantile by linear interpolation (numpy's default), NaN for no values.
pub fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if s.is_empty() {
        return f64::NAN;
    }
    s.sort_by(f64::total_cmp);
    let pos = q * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

/// Kendall's τ-a between two score vectors over the same items.
pub fn kendall_tau(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (mut c, mut d) = (0i64, 0i64);
    for i in 0..n {
        for j in i + 1..n {
            let s = (a[i] - a[j]).signum() * (b[i] - b[j]).signum();
            if s > 0.0 {
                c += 1;
            } else if s < 0.0 {
                d += 1;
            }
        }
    }
    let pairs = (n * n.saturating_sub(1) / 2) as f64;
    if pairs == 0.0 {
        f64::NAN
    } else {
        (c - d) as f64 / pairs
    }
}

/// Paired differences `a − b` over the seeds present on both sides, in `a`'s order: the
/// common-random-numbers comparison (same seed ⇒ same arrivals). Inputs are (seed, value).
pub fn paired_by_seed(a: &[(u64, f64)], b: &[(u64, f64)]) -> Vec<f64> {
    a.iter()
        .filter_map(|(s, x)| b.iter().find(|(t, _)| t == s).map(|(_, y)| x - y))
        .collect()
}

/// Mean, sample sd and 95 % CI half-width of a sample (e.g. paired differences).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Number of values.
    pub n: usize,
    /// Mean (NaN for none).
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Half-width of the 95 % Student-t interval (NaN for fewer than two values).
    pub ci95: f64,
}

impl Estimate {
    /// The estimate of `v`.
    pub fn of(v: &[f64]) -> Estimate {
        Estimate {
            n: v.len(),
            mean: mean(v),
            sd: sd(v),
            ci95: ci95(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_statistics() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(mean(&v), 2.5);
        assert!((sd(&v) - 1.290_994_448_7).abs() < 1e-9);
        assert!((ci95(&v) - 3.182 * 1.290_994_448_7 / 2.0).abs() < 1e-9);
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(kendall_tau(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]), 1.0);
        assert_eq!(kendall_tau(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0);
    }

    #[test]
    fn paired_differences_by_seed_hand_computed() {
        // Seeds 1..3 on both sides (b in another order), seed 4 only in a: left out.
        let a = [(1, 10.0), (2, 12.0), (3, 11.0), (4, 50.0)];
        let b = [(3, 10.0), (1, 8.0), (2, 9.0)];
        let d = paired_by_seed(&a, &b);
        assert_eq!(d, vec![2.0, 3.0, 1.0]);
        let e = Estimate::of(&d);
        assert_eq!((e.n, e.mean, e.sd), (3, 2.0, 1.0));
        // t(0.975, 2) = 4.303; half-width 4.303 · 1 / √3.
        assert!((e.ci95 - 4.303 / 3f64.sqrt()).abs() < 1e-12, "{}", e.ci95);
        assert!((e.ci95 - 2.484_338).abs() < 1e-6);
        // A policy against itself: exactly 0, with a zero-width interval.
        let s = Estimate::of(&paired_by_seed(&a, &a));
        assert_eq!((s.mean, s.sd, s.ci95), (0.0, 0.0, 0.0));
        // One pair: no interval.
        assert!(Estimate::of(&paired_by_seed(&a[..1], &b)).ci95.is_nan());
    }
}
