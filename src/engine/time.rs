//! Simulated time: integer microseconds since the start of the scenario.
//!
//! Time never comes from the wall clock. `u64` microseconds last about 584,000 years, and integer
//! arithmetic keeps runs byte-identical on every machine.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Microseconds in one second.
pub const MICROS_PER_SEC: u64 = 1_000_000;

/// A point in simulated time, in microseconds since the scenario started.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in microseconds.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The start of every scenario.
    pub const ZERO: SimTime = SimTime(0);
    /// A time later than any event a scenario can schedule.
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Microseconds since the start.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Seconds since the start, for reports only (never for simulation decisions).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SEC as f64
    }

    /// Whole seconds since the start (truncated).
    pub const fn as_secs(self) -> u64 {
        self.0 / MICROS_PER_SEC
    }

    /// The span from `earlier` to `self`, or zero if `earlier` is later.
    pub const fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }

    /// Formats as `H:MM:SS.mmm` (hours unbounded), the form used in logs and event files.
    pub fn clock(self) -> String {
        let ms = self.0 / 1000;
        let (h, rem) = (ms / 3_600_000, ms % 3_600_000);
        let (m, rem) = (rem / 60_000, rem % 60_000);
        let (s, ms) = (rem / 1000, rem % 1000);
        format!("{h}:{m:02}:{s:02}.{ms:03}")
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A duration of `s` whole seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * MICROS_PER_SEC)
    }

    /// A duration of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms * 1000)
    }

    /// A duration of `us` microseconds.
    pub const fn from_micros(us: u64) -> Self {
        SimDuration(us)
    }

    /// A duration of `m` whole minutes.
    pub const fn from_mins(m: u64) -> Self {
        SimDuration(m * 60 * MICROS_PER_SEC)
    }

    /// Microseconds in this span.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Seconds in this span, for reports only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SEC as f64
    }

    /// `self * k`, saturating at the maximum representable span.
    pub const fn saturating_mul(self, k: u64) -> Self {
        SimDuration(self.0.saturating_mul(k))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.since(rhs)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.clock())
    }
}

impl fmt::Display for SimDuration {
    /// Formats like Go's `time.Duration.String()` for whole units: `1h30m0s`, `90s` → `1m30s`,
    /// sub-second values as `250ms` / `15µs`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us == 0 {
            return f.write_str("0s");
        }
        if us < 1000 {
            return write!(f, "{us}µs");
        }
        if us < MICROS_PER_SEC {
            let ms = us / 1000;
            let frac = us % 1000;
            return if frac == 0 {
                write!(f, "{ms}ms")
            } else {
                write!(f, "{}ms", trim_frac(ms, frac, 3))
            };
        }
        let secs = us / MICROS_PER_SEC;
        let frac = us % MICROS_PER_SEC;
        let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
        let sec = if frac == 0 {
            s.to_string()
        } else {
            trim_frac(s, frac, 6)
        };
        if h > 0 {
            write!(f, "{h}h{m}m{sec}s")
        } else if m > 0 {
            write!(f, "{m}m{sec}s")
        } else {
            write!(f, "{sec}s")
        }
    }
}

fn trim_frac(whole: u64, frac: u64, digits: usize) -> String {
    let s = format!("{frac:0digits$}");
    format!("{whole}.{}", s.trim_end_matches('0'))
}

/// Seconds from one instant to another, remembered for the last pair asked about: passes over
/// many rows that mostly share the same instants convert and divide once.
#[derive(Copy, Clone, Debug)]
pub struct Elapsed {
    from: SimTime,
    to: SimTime,
    secs: f64,
}

impl Default for Elapsed {
    fn default() -> Self {
        Elapsed {
            from: SimTime(u64::MAX),
            to: SimTime(u64::MAX),
            secs: 0.0,
        }
    }
}

impl Elapsed {
    /// `now.since(from).as_secs_f64()`.
    #[inline]
    pub fn secs(&mut self, from: SimTime, now: SimTime) -> f64 {
        if from != self.from || now != self.to {
            *self = Elapsed {
                from,
                to: now,
                secs: now.since(from).as_secs_f64(),
            };
        }
        self.secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_format() {
        assert_eq!(SimTime(0).clock(), "0:00:00.000");
        assert_eq!(
            (SimTime::ZERO + SimDuration::from_secs(3725)).clock(),
            "1:02:05.000"
        );
        assert_eq!(SimTime(1_500).clock(), "0:00:00.001");
    }

    #[test]
    fn duration_display_matches_go() {
        assert_eq!(SimDuration::from_secs(90).to_string(), "1m30s");
        assert_eq!(SimDuration::from_secs(5400).to_string(), "1h30m0s");
        assert_eq!(SimDuration::from_millis(250).to_string(), "250ms");
        assert_eq!(SimDuration::from_millis(1500).to_string(), "1.5s");
        assert_eq!(SimDuration::ZERO.to_string(), "0s");
        assert_eq!(SimDuration(15).to_string(), "15µs");
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SimTime::MAX + SimDuration::from_secs(1), SimTime::MAX);
        assert_eq!(SimTime(5) - SimTime(10), SimDuration::ZERO);
    }
}
