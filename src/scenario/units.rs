//! Durations with units (`250us`, `4ms`, `2s`, `5m`, `1h`) and byte sizes (`120KB`, `2MB`)
//! as they appear in scenario files.

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

/// A byte size as written in a scenario: a number and a unit (`B`, `KB`, `MB`, `GB`: 1000-based;
/// `KiB`, `MiB`, `GiB`: 1024-based), no spaces needed. Held in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Bytes(pub u64);

/// The accepted byte units and their size in bytes.
const BYTE_UNITS: [(&str, f64); 7] = [
    ("B", 1.0),
    ("KB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("KiB", 1024.0),
    ("MiB", 1_048_576.0),
    ("GiB", 1_073_741_824.0),
];

/// The largest byte size a scenario may give (one request's response): 1 GB.
pub const MAX_BYTES: u64 = 1_000_000_000;

/// What every byte-size error says it expected.
pub const BYTES_EXPECTED: &str = "a size with a unit, like 512B, 120KB, 2.5MB or 1GB (units: B, \
     KB, MB, GB, 1000-based; KiB, MiB, GiB, 1024-based)";

/// Parses `"120KB"` into bytes (rounded to a whole byte). Errors say what was found and what
/// was expected.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("expected {BYTES_EXPECTED}, found `{text}` (no unit)"))?;
    let (num, unit) = t.split_at(split);
    let num = num.trim();
    let factor = BYTE_UNITS
        .iter()
        .find(|(u, _)| *u == unit)
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            format!("expected {BYTES_EXPECTED}, found `{text}` (unknown unit `{unit}`)")
        })?;
    let value: f64 = num
        .parse()
        .map_err(|_| format!("expected {BYTES_EXPECTED}, found `{text}`"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("expected a size >= 0, found `{text}`"));
    }
    let bytes = (value * factor).round();
    if bytes > MAX_BYTES as f64 {
        return Err(format!("expected a size of at most 1GB, found `{text}`"));
    }
    Ok(bytes as u64)
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(BYTES_EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Bytes, E> {
                parse_bytes(v).map(Bytes).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Bytes, E> {
                if v == 0 {
                    Ok(Bytes(0))
                } else {
                    Err(E::custom(format!(
                        "expected {BYTES_EXPECTED}, found the bare number {v} (add a unit)"
                    )))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Bytes, E> {
                if v < 0 {
                    Err(E::custom(format!("expected a size >= 0, found {v}")))
                } else {
                    self.visit_u64(v as u64)
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Bytes, E> {
                Err(E::custom(format!(
                    "expected {BYTES_EXPECTED}, found the bare number {v} (add a unit)"
                )))
            }
        }
        d.deserialize_any(V)
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

    #[test]
    fn parses_every_byte_unit() {
        assert_eq!(parse_bytes("512B").unwrap(), 512);
        assert_eq!(parse_bytes("120KB").unwrap(), 120_000);
        assert_eq!(parse_bytes("2.5MB").unwrap(), 2_500_000);
        assert_eq!(parse_bytes("1GB").unwrap(), 1_000_000_000);
        assert_eq!(parse_bytes("1KiB").unwrap(), 1024);
        assert_eq!(parse_bytes("2MiB").unwrap(), 2 * 1_048_576);
        assert_eq!(parse_bytes("0.5GiB").unwrap(), 536_870_912);
        assert_eq!(parse_bytes("0B").unwrap(), 0);
        assert_eq!(parse_bytes(" 3 KB").unwrap(), 3000);
    }

    #[test]
    fn rejects_what_is_not_a_size() {
        for bad in ["5", "5kb", "5XB", "KB", "-3KB", "1e400B", "2GB", "1.1GiB"] {
            let e = parse_bytes(bad).unwrap_err();
            assert!(e.contains(bad), "{bad}: {e}");
        }
    }
}
