//! Resource quantities ("250m", "1.5Gi", "2e3", `0.5`) parsed exactly as Kubernetes does.
//!
//! Follows apimachinery `pkg/api/resource/quantity.go` (`parseQuantityString`, `ParseQuantity`)
//! and `suffix.go`: a signed decimal number (`1`, `1.5`, `.5`, `5.`) followed by a binary SI
//! suffix (`Ki`…`Ei`), a decimal SI suffix (`n u m "" k M G T P E`) or a decimal exponent
//! (`e3`, `E-2`). Conversions round **up** (`MilliValue()` is `ceil(q × 1000)`: "0.1m will be
//! rounded up to 1m"). Where upstream silently caps values above 2^63−1, kubesim rejects them:
//! a capped value would be a silently wrong simulation.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// A parsed quantity: `±mantissa × 10^exp10 × 2^exp2`, plus the text it was written as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantity {
    negative: bool,
    /// Significant digits with trailing zeros moved into `exp10`.
    mantissa: u128,
    exp10: i32,
    exp2: u32,
    text: String,
}

/// Why a quantity string or value is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The empty string.
    #[error("quantity is empty")]
    Empty,
    /// The numeric part is malformed.
    #[error("invalid quantity {0:?}: expected a number such as 1, 0.5, 250m, 1.5Gi or 2e3")]
    Number(String),
    /// The suffix is not one Kubernetes knows.
    #[error(
        "invalid quantity {0:?}: unknown suffix {1:?} (valid: n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or an exponent like e3)"
    )]
    Suffix(String, String),
    /// More significant digits than can be represented exactly.
    #[error("invalid quantity {0:?}: too many significant digits")]
    TooPrecise(String),
    /// The value does not fit in a signed 64-bit integer of its unit.
    #[error("quantity {0:?} is too large (the limit is 2^63-1 {1})")]
    Overflow(String, &'static str),
    /// A negative value where only non-negative ones make sense.
    #[error("quantity {0:?} must not be negative")]
    Negative(String),
}

impl Quantity {
    /// Parses `s` with apimachinery's grammar.
    ///
    /// # Examples
    /// ```
    /// use kubesim::api::quantity::Quantity;
    /// assert_eq!(Quantity::parse("1.5Gi").unwrap().value().unwrap(), 1_610_612_736);
    /// assert_eq!(Quantity::parse("250m").unwrap().milli_value().unwrap(), 250);
    /// assert_eq!(Quantity::parse("0.1m").unwrap().milli_value().unwrap(), 1);
    /// assert!(Quantity::parse("12Xi").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        if s.is_empty() {
            return Err(QuantityError::Empty);
        }
        let b = s.as_bytes();
        let mut pos = 0;
        let mut negative = false;
        match b[0] {
            b'-' => {
                negative = true;
                pos = 1;
            }
            b'+' => pos = 1,
            _ => {}
        }
        let int_start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            pos += 1;
        }
        let int_digits = &s[int_start..pos];
        let mut frac_digits = "";
        if pos < b.len() && b[pos] == b'.' {
            pos += 1;
            let fs = pos;
            while pos < b.len() && b[pos].is_ascii_digit() {
                pos += 1;
            }
            frac_digits = &s[fs..pos];
        }
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err(QuantityError::Number(s.to_string()));
        }
        let suffix = &s[pos..];
        let (exp10, exp2) = parse_suffix(suffix)
            .ok_or_else(|| QuantityError::Suffix(s.to_string(), suffix.to_string()))?;

        // Significant digits: strip leading zeros, move trailing zeros into the exponent.
        let mut exp10 = exp10 - frac_digits.len() as i32;
        let all: String = [int_digits, frac_digits].concat();
        let trimmed = all.trim_start_matches('0');
        let sig = trimmed.trim_end_matches('0');
        exp10 += (trimmed.len() - sig.len()) as i32;
        if sig.len() > 38 {
            return Err(QuantityError::TooPrecise(s.to_string()));
        }
        let mantissa: u128 = if sig.is_empty() {
            0
        } else {
            sig.parse()
                .map_err(|_| QuantityError::Number(s.to_string()))?
        };
        if mantissa == 0 {
            exp10 = 0;
            negative = false;
        }
        Ok(Quantity {
            negative,
            mantissa,
            exp10,
            exp2,
            text: s.to_string(),
        })
    }

    /// The text the quantity was written as (YAML numbers in their shortest decimal form).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True for values below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// True for exactly zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// The value in base units, rounded up (`Quantity.Value()`): bytes for memory, cores for cpu.
    pub fn value(&self) -> Result<i64, QuantityError> {
        self.scaled_ceil(0, "units")
    }

    /// The value in thousandths, rounded up (`Quantity.MilliValue()`): millicores for cpu.
    pub fn milli_value(&self) -> Result<i64, QuantityError> {
        self.scaled_ceil(3, "milli-units")
    }

    /// `ceil(|q| × 10^scale)` with the sign reapplied; overflow beyond `i64` is an error.
    fn scaled_ceil(&self, scale: i32, unit: &'static str) -> Result<i64, QuantityError> {
        let over = || QuantityError::Overflow(self.text.clone(), unit);
        if self.mantissa == 0 {
            return Ok(0);
        }
        let e = self.exp10 + scale;
        let mut num = self.mantissa;
        for _ in 0..self.exp2 {
            num = num.checked_mul(2).ok_or_else(over)?;
        }
        let mag: u128 = if e >= 0 {
            let mut v = num;
            for _ in 0..e {
                v = v.checked_mul(10).ok_or_else(over)?;
                if v > i64::MAX as u128 {
                    return Err(over());
                }
            }
            v
        } else {
            let k = (-e) as u32;
            if k > 38 {
                1 // a positive value far below one unit rounds up to one unit
            } else {
                let d = 10u128.pow(k);
                num.div_ceil(d)
            }
        };
        if mag > i64::MAX as u128 {
            return Err(over());
        }
        Ok(if self.negative {
            -(mag as i64)
        } else {
            mag as i64
        })
    }

    /// The value as a float, for reports and ratios only.
    pub fn as_f64(&self) -> f64 {
        let v = self.mantissa as f64 * 10f64.powi(self.exp10) * 2f64.powi(self.exp2 as i32);
        if self.negative { -v } else { v }
    }
}

/// Maps a suffix to `(decimal exponent, binary exponent)`, as `quantitySuffixer.interpret` does.
fn parse_suffix(s: &str) -> Option<(i32, u32)> {
    let d = |e| Some((e, 0));
    let bin = |e| Some((0, e));
    match s {
        "" => d(0),
        "n" => d(-9),
        "u" => d(-6),
        "m" => d(-3),
        "k" => d(3),
        "M" => d(6),
        "G" => d(9),
        "T" => d(12),
        "P" => d(15),
        "E" => d(18),
        "Ki" => bin(10),
        "Mi" => bin(20),
        "Gi" => bin(30),
        "Ti" => bin(40),
        "Pi" => bin(50),
        "Ei" => bin(60),
        _ => {
            let rest = s.strip_prefix('e').or_else(|| s.strip_prefix('E'))?;
            let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let e: i32 = rest.parse().ok()?;
            if e.abs() > 1000 {
                return None;
            }
            d(e)
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

/// Formats a float from YAML the way it was most likely written (shortest round-trip form).
pub(crate) fn float_text(v: f64) -> String {
    format!("{v}")
}

struct QuantityVisitor;

impl Visitor<'_> for QuantityVisitor {
    type Value = Quantity;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quantity such as 500m, 1.5Gi or 2")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
        Quantity::parse(v).map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
        Quantity::parse(&v.to_string()).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
        Quantity::parse(&v.to_string()).map_err(E::custom)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
        if !v.is_finite() {
            return Err(E::custom(format!("invalid quantity {v}")));
        }
        Quantity::parse(&float_text(v)).map_err(E::custom)
    }
}

impl<'de> serde::Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(QuantityVisitor)
    }
}

impl serde::Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn milli(s: &str) -> i64 {
        Quantity::parse(s).unwrap().milli_value().unwrap()
    }
    fn val(s: &str) -> i64 {
        Quantity::parse(s).unwrap().value().unwrap()
    }

    #[test]
    fn table() {
        // (input, Value(), MilliValue()) — semantics of apimachinery's quantity_test.go.
        let cases: &[(&str, i64, i64)] = &[
            ("0", 0, 0),
            ("1", 1, 1000),
            ("1.5", 2, 1500),
            (".5", 1, 500),
            ("5.", 5, 5000),
            ("+1", 1, 1000),
            ("250m", 1, 250),
            ("0.1m", 1, 1),
            ("1n", 1, 1),
            ("1000000n", 1, 1),
            ("1u", 1, 1),
            ("1500u", 1, 2),
            ("100m", 1, 100),
            ("1k", 1000, 1_000_000),
            ("1M", 1_000_000, 1_000_000_000),
            ("512M", 512_000_000, 512_000_000_000),
            ("1G", 1_000_000_000, 1_000_000_000_000),
            ("1Ki", 1024, 1_024_000),
            ("1Mi", 1_048_576, 1_048_576_000),
            ("1.5Gi", 1_610_612_736, 1_610_612_736_000),
            ("0.5Gi", 536_870_912, 536_870_912_000),
            ("2e3", 2000, 2_000_000),
            ("2E3", 2000, 2_000_000),
            ("1e-3", 1, 1),
            ("5E-1", 1, 500),
            ("129e6", 129_000_000, 129_000_000_000),
            ("1E", 1_000_000_000_000_000_000, 0), // milli overflows; checked separately
            ("0.000", 0, 0),
            ("007", 7, 7000),
        ];
        for &(s, v, m) in cases {
            assert_eq!(val(s), v, "Value({s})");
            if s != "1E" {
                assert_eq!(milli(s), m, "MilliValue({s})");
            }
        }
        assert!(Quantity::parse("1E").unwrap().milli_value().is_err());
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "", "12Xi", "1KiB", "1.5.5", "abc", "Ki", ".", "-", "1 Gi", "1e", "1e+", "1i", "1K",
            "0x10", "1.5e3Mi", "1Mi3", "--1", "1ee3",
        ] {
            assert!(Quantity::parse(s).is_err(), "{s:?} should be rejected");
        }
    }

    #[test]
    fn negatives_parse_but_are_flagged() {
        let q = Quantity::parse("-1").unwrap();
        assert!(q.is_negative());
        assert_eq!(q.value().unwrap(), -1);
        assert!(!Quantity::parse("-0").unwrap().is_negative());
    }

    #[test]
    fn overflow_is_rejected() {
        assert!(
            Quantity::parse("9223372036854775807")
                .unwrap()
                .value()
                .is_ok()
        );
        assert!(
            Quantity::parse("9223372036854775808")
                .unwrap()
                .value()
                .is_err()
        );
        assert!(Quantity::parse("8Ei").unwrap().value().is_err());
        assert_eq!(Quantity::parse("7Ei").unwrap().value().unwrap(), 7 << 60);
        assert!(Quantity::parse("10E").unwrap().value().is_err());
        assert!(
            Quantity::parse("9223372036854775807")
                .unwrap()
                .milli_value()
                .is_err()
        );
        assert!(Quantity::parse("1e1000").unwrap().value().is_err());
    }

    #[test]
    fn yaml_numbers() {
        #[derive(serde::Deserialize)]
        struct R {
            cpu: Quantity,
            memory: Quantity,
            other: Quantity,
        }
        let r: R = serde_yaml::from_str("cpu: 0.5\nmemory: 2\nother: 1e3\n").unwrap();
        assert_eq!(r.cpu.milli_value().unwrap(), 500);
        assert_eq!(r.memory.value().unwrap(), 2);
        assert_eq!(r.other.value().unwrap(), 1000);
        assert_eq!(r.cpu.as_str(), "0.5");
    }

    proptest! {
        #[test]
        fn integer_with_suffix_round_trips(n in 0u64..1_000_000, suf in 0usize..8) {
            let (s, mult) = [("", 1i64), ("k", 1000), ("M", 1_000_000), ("Ki", 1024), ("Mi", 1 << 20),
                ("Gi", 1 << 30), ("G", 1_000_000_000), ("m", 0)][suf];
            let q = Quantity::parse(&format!("{n}{s}")).unwrap();
            if mult == 0 {
                prop_assert_eq!(q.milli_value().unwrap(), n as i64);
                prop_assert_eq!(q.value().unwrap(), (n as i64 + 999) / 1000);
            } else {
                prop_assert_eq!(q.value().unwrap(), n as i64 * mult);
            }
        }

        #[test]
        fn monotone_and_close_to_float(a in 0u32..100_000, fa in 0u32..1000, b in 0u32..100_000, fb in 0u32..1000) {
            let qa = Quantity::parse(&format!("{a}.{fa:03}Mi")).unwrap();
            let qb = Quantity::parse(&format!("{b}.{fb:03}Mi")).unwrap();
            let (va, vb) = (qa.value().unwrap(), qb.value().unwrap());
            if (a, fa) <= (b, fb) { prop_assert!(va <= vb); }
            let f = qa.as_f64();
            prop_assert!((va as f64 - f).abs() <= 1.0 + f * 1e-12);
        }
    }
}
