//! Durations with units (`250us`, `4ms`, `2s`, `5m`, `1h`) as they appear in scenario files.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::engine::SimTime;

/// A duration as written in a scenario: a number and a unit, no spaces needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Duration(pub SimTime);

/// The accepted units and their size in nanoseconds, longest suffix first where it matters.
const UNITS: [(&str, f64); 6] = [
    ("ns", 1.0),
    ("us", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("m", 60e9),
    ("h", 3600e9),
];

/// What every duration error says it expected.
pub const DURATION_EXPECTED: &str =
    "a duration with a unit, like 250us, 4ms, 2s, 5m or 1h (units: ns, us, ms, s, m, h)";

/// Parses `"4ms"` into nanoseconds. Errors say what was found and what was expected.
pub fn parse_duration(text: &str) -> Result<SimTime, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("expected {DURATION_EXPECTED}, found `{text}` (no unit)"))?;
    let (num, unit) = t.split_at(split);
    let num = num.trim();
    let factor = UNITS
        .iter()
        .find(|(u, _)| *u == unit)
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            format!("expected {DURATION_EXPECTED}, found `{text}` (unknown unit `{unit}`)")
        })?;
    let value: f64 = num
        .parse()
        .map_err(|_| format!("expected {DURATION_EXPECTED}, found `{text}`"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("expected a duration >= 0, found `{text}`"));
    }
    let ns = value * factor;
    if ns > 1e18 {
        return Err(format!(
            "expected a duration below 30 years, found `{text}`"
        ));
    }
    Ok(SimTime(ns.round() as u64))
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(DURATION_EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map(Duration).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                if v == 0 {
                    Ok(Duration(SimTime::ZERO))
                } else {
                    Err(E::custom(format!(
                        "expected {DURATION_EXPECTED}, found the bare number {v} (add a unit)"
                    )))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                if v < 0 {
                    Err(E::custom(format!("expected a duration >= 0, found {v}")))
                } else {
                    self.visit_u64(v as u64)
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "expected {DURATION_EXPECTED}, found the bare number {v} (add a unit)"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse_duration("7ns").unwrap(), SimTime(7));
        assert_eq!(parse_duration("250us").unwrap(), SimTime::from_micros(250));
        assert_eq!(parse_duration("4ms").unwrap(), SimTime::from_millis(4));
        assert_eq!(parse_duration("1.5s").unwrap(), SimTime::from_millis(1500));
        assert_eq!(parse_duration("5m").unwrap(), SimTime::from_secs(300));
        assert_eq!(parse_duration("1h").unwrap(), SimTime::from_secs(3600));
        assert_eq!(parse_duration("0s").unwrap(), SimTime::ZERO);
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in ["5", "5x", "ms", "-3ms", "1e400s", "2 sec"] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.contains(bad), "{bad}: {e}");
        }
    }
}
