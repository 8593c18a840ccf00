//! Durations written like Go's `time.ParseDuration`: `90s`, `15m`, `1h30m`, `1.5h`, `250ms`.
//!
//! Follows Go's `time/format.go` (`ParseDuration`): a sequence of decimal numbers, each with an
//! optional fraction and a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`); `0` alone is allowed.
//! kubesim adds `d` (24 h) for multi-day scenarios, rejects negative durations, and rounds to
//! whole microseconds (its time resolution), upwards.

use crate::engine::SimDuration;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Why a duration string is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {text:?}: {why} (examples: 90s, 15m, 1h30m, 250ms, 2d)")]
pub struct DurationError {
    text: String,
    why: &'static str,
}

/// Parses a Go-style duration into simulated time.
///
/// # Examples
/// ```
/// use kubesim::api::duration::parse_duration;
/// use kubesim::engine::SimDuration;
/// assert_eq!(parse_duration("1h30m").unwrap(), SimDuration::from_secs(5400));
/// assert_eq!(parse_duration("1.5s").unwrap(), SimDuration::from_millis(1500));
/// assert!(parse_duration("90").is_err());
/// ```
pub fn parse_duration(s: &str) -> Result<SimDuration, DurationError> {
    let err = |why| DurationError {
        text: s.to_string(),
        why,
    };
    if s == "0" {
        return Ok(SimDuration::ZERO);
    }
    if s.is_empty() {
        return Err(err("empty"));
    }
    let mut rest = s;
    if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    } else if rest.starts_with('-') {
        return Err(err("must not be negative"));
    }
    if rest.is_empty() {
        return Err(err("no number"));
    }
    // Accumulate in nanoseconds as u128: exact for every input that fits.
    let mut total_ns: u128 = 0;
    while !rest.is_empty() {
        let b = rest.as_bytes();
        let mut i = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &rest[..i];
        let mut frac_part = "";
        if i < b.len() && b[i] == b'.' {
            let fs = i + 1;
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &rest[fs..i];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err("expected a number"));
        }
        let unit_start = i;
        while i < b.len() && !b[i].is_ascii_digit() && b[i] != b'.' {
            i += 1;
        }
        let unit = &rest[unit_start..i];
        let unit_ns: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => 86_400_000_000_000,
            "" => return Err(err("missing unit")),
            _ => return Err(err("unknown unit")),
        };
        if frac_part.len() > 18 || int_part.len() > 18 {
            return Err(err("too many digits"));
        }
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err("bad number"))?
        };
        let mut frac_ns: u128 = 0;
        if !frac_part.is_empty() {
            let f: u128 = frac_part.parse().map_err(|_| err("bad number"))?;
            let scale = 10u128.pow(frac_part.len() as u32);
            frac_ns = (f * unit_ns).div_ceil(scale);
        }
        total_ns = total_ns
            .checked_add(whole.checked_mul(unit_ns).ok_or_else(|| err("too large"))?)
            .and_then(|t| t.checked_add(frac_ns))
            .ok_or_else(|| err("too large"))?;
        rest = &rest[i..];
    }
    let us = total_ns.div_ceil(1000);
    if us > u64::MAX as u128 / 2 {
        return Err(err("too large"));
    }
    Ok(SimDuration(us as u64))
}

/// A duration field in a scenario or manifest: deserializes from a Go-style string.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration(pub SimDuration);

impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as 90s, 15m or 1h30m")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map(Duration).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                if v == 0 {
                    Ok(Duration(SimDuration::ZERO))
                } else {
                    Err(E::custom(format!(
                        "invalid duration {v}: missing unit (write {v}s, {v}m or {v}h)"
                    )))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                if v < 0 {
                    Err(E::custom(format!(
                        "invalid duration {v}: must not be negative"
                    )))
                } else {
                    self.visit_u64(v as u64)
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "invalid duration {v}: missing unit (write {v}s, {v}m or {v}h)"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let s = SimDuration::from_secs;
        let cases = [
            ("0", SimDuration::ZERO),
            ("90s", s(90)),
            ("15m", s(900)),
            ("1h30m", s(5400)),
            ("1.5h", s(5400)),
            ("2h45m30s", s(9930)),
            ("250ms", SimDuration::from_millis(250)),
            ("1500us", SimDuration::from_micros(1500)),
            ("1500µs", SimDuration::from_micros(1500)),
            ("1ns", SimDuration::from_micros(1)),
            ("2d", s(172_800)),
            ("+5s", s(5)),
            (".5s", SimDuration::from_millis(500)),
            ("1.s", s(1)),
            ("0s", SimDuration::ZERO),
        ];
        for (t, want) in cases {
            assert_eq!(parse_duration(t).unwrap(), want, "{t}");
        }
    }

    #[test]
    fn rejects() {
        for t in [
            "",
            "90",
            "-5s",
            "5x",
            "s",
            "1h-5m",
            "abc",
            "1.2.3s",
            "99999999999999999999h",
            ".",
        ] {
            assert!(parse_duration(t).is_err(), "{t:?}");
        }
    }

    #[test]
    fn yaml_integer_needs_unit() {
        let e = serde_yaml::from_str::<Duration>("90")
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing unit"), "{e}");
        assert_eq!(
            serde_yaml::from_str::<Duration>("0").unwrap().0,
            SimDuration::ZERO
        );
    }
}
