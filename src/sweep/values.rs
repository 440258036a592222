//! The values of a `--vary`: one value, a list (split on commas outside brackets and braces)
//! or an inclusive range `from..to:step`, computed in exact decimal with one unit suffix.
//! [`first_descent`] checks that numeric values ascend (for `capacity`).

use std::str::FromStr;

use super::MAX_RUNS;

/// One `--vary path=values`: the path of a scenario value and the values it takes, as
/// text handed to `--set` (so `8`, `250ms` and `{exp: 4ms}` mean what they would in the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vary {
    /// The scenario path (`components.web.count`).
    pub path: String,
    /// The values it takes, in order, as text.
    pub values: Vec<String>,
}

impl FromStr for Vary {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (path, spec) = s.split_once('=').ok_or_else(|| {
            format!("expected path=values (like web.count=1,2,4 or traffic.rate=100..1000:100), found `{s}`")
        })?;
        let path = path.trim();
        if path.is_empty() {
            return Err(format!("expected path=values, found `{s}` (empty path)"));
        }
        let values = parse_values(spec).map_err(|e| format!("{path}: {e}"))?;
        Ok(Vary {
            path: path.to_string(),
            values,
        })
    }
}

/// Parses the values of a `--vary`: a single value, a comma-separated list (commas inside
/// `[...]` or `{...}` do not split), or an inclusive range `from..to:step`, where all three
/// carry the same unit suffix or none (`100ms..500ms:100ms`, `0.1..0.9:0.2`). Without
/// `:step` a range of whole numbers steps by 1. Range values are computed in exact decimal
/// (scaled integers), so `0.1..0.3:0.1` gives `0.1, 0.2, 0.3`, never `0.30000000000000004`.
pub fn parse_values(spec: &str) -> Result<Vec<String>, String> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(
            "expected a value, a list a,b,c or a range from..to:step, found nothing".into(),
        );
    }
    if spec.contains('\n') {
        return Err("values cannot contain a line break".into());
    }
    if !spec.starts_with(['[', '{']) && spec.contains("..") {
        return parse_range(spec);
    }
    let items = split_top_level(spec);
    if let Some(i) = items.iter().position(|v| v.is_empty()) {
        return Err(format!(
            "item {} of the list `{spec}` is empty (expected a,b,c)",
            i + 1
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for v in &items {
        if !seen.insert(v.as_str()) {
            return Err(format!("the value `{v}` appears twice in `{spec}`"));
        }
    }
    Ok(items)
}

/// Splits on commas that are not inside brackets or braces; trims each item.
fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for ch in s.chars() {
        match ch {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur.trim().to_string());
    out
}

/// A decimal number with an optional unit suffix: `mantissa x 10^-scale` `unit`.
#[derive(Clone, Debug)]
struct Dec {
    mantissa: i128,
    scale: u32,
    unit: String,
}

fn parse_dec(s: &str, what: &str, range: &str) -> Result<Dec, String> {
    let s = s.trim();
    let bad = || {
        format!(
            "the {what} of the range `{range}` is not a number with an optional unit (like 100, 0.5 or 250ms), found `{s}`"
        )
    };
    let num_end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+'))))
        .map_or(s.len(), |(i, _)| i);
    let (num, unit) = s.split_at(num_end);
    if !unit.chars().all(|c| c.is_ascii_alphabetic() || c == '%') {
        return Err(bad());
    }
    let (neg, digits) = match num.as_bytes().first() {
        Some(b'-') => (true, &num[1..]),
        Some(b'+') => (false, &num[1..]),
        _ => (false, num),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || digits.ends_with('.')
        || int.len() + frac.len() > 30
    {
        return Err(bad());
    }
    let mut mantissa: i128 = 0;
    for c in int.chars().chain(frac.chars()) {
        mantissa = mantissa * 10 + i128::from(c as u8 - b'0');
    }
    Ok(Dec {
        mantissa: if neg { -mantissa } else { mantissa },
        scale: frac.len() as u32,
        unit: unit.to_string(),
    })
}

/// For values that are all numbers with one unit suffix (or none), like `1, 2, 8` or
/// `100ms, 250ms`: the first pair out of ascending order, as indices `(i, i + 1)`. `None`
/// when they ascend, or when they are not all numbers with one unit (a list of words or of
/// distributions has no order but the one given).
pub fn first_descent(values: &[String]) -> Option<(usize, usize)> {
    let decs: Vec<Dec> = values
        .iter()
        .map(|v| parse_dec(v, "", ""))
        .collect::<Result<_, _>>()
        .ok()?;
    if decs.iter().any(|d| d.unit != decs[0].unit) {
        return None;
    }
    let scale = decs.iter().map(|d| d.scale).max().unwrap_or(0);
    decs.windows(2)
        .position(|w| rescale(&w[1], scale) <= rescale(&w[0], scale))
        .map(|i| (i, i + 1))
}

fn rescale(d: &Dec, scale: u32) -> i128 {
    d.mantissa * 10i128.pow(scale - d.scale)
}

/// Formats `v x 10^-scale` without trailing zeros (`150` at scale 2 is `1.5`).
fn format_scaled(v: i128, scale: u32) -> String {
    if scale == 0 {
        return v.to_string();
    }
    let p = 10i128.pow(scale);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.abs();
    let frac = format!("{:0width$}", a % p, width = scale as usize);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{}", a / p)
    } else {
        format!("{sign}{}.{frac}", a / p)
    }
}

fn parse_range(spec: &str) -> Result<Vec<String>, String> {
    let (bounds, step) = match spec.rsplit_once(':') {
        Some((b, s)) => (b, Some(s)),
        None => (spec, None),
    };
    let (from, to) = bounds
        .split_once("..")
        .ok_or_else(|| format!("expected a range from..to:step, found `{spec}`"))?;
    let from = parse_dec(from, "start", spec)?;
    let to = parse_dec(to, "end", spec)?;
    let step = match step {
        Some(s) => parse_dec(s, "step", spec)?,
        None if from.scale == 0 && to.scale == 0 && from.unit.is_empty() => Dec {
            mantissa: 1,
            scale: 0,
            unit: String::new(),
        },
        None => {
            return Err(format!(
                "the range `{spec}` needs a step (from..to:step) because its bounds are not whole numbers without a unit"
            ));
        }
    };
    if from.unit != to.unit || from.unit != step.unit {
        return Err(format!(
            "the range `{spec}` mixes units (`{}`, `{}`, `{}`): write start, end and step in the same unit",
            from.unit, to.unit, step.unit
        ));
    }
    let scale = from.scale.max(to.scale).max(step.scale);
    let (a, b, s) = (
        rescale(&from, scale),
        rescale(&to, scale),
        rescale(&step, scale),
    );
    if s <= 0 {
        return Err(format!(
            "the step of the range `{spec}` must be greater than zero"
        ));
    }
    if b < a {
        return Err(format!(
            "the range `{spec}` is empty: its end is below its start"
        ));
    }
    let count = (b - a) / s + 1;
    if count > i128::from(MAX_RUNS) {
        return Err(format!(
            "the range `{spec}` has {count} values, more than a sweep may run ({MAX_RUNS})"
        ));
    }
    Ok((0..count)
        .map(|i| format!("{}{}", format_scaled(a + i * s, scale), from.unit))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_ranges_and_units() {
        assert_eq!(parse_values("1,2,4").unwrap(), ["1", "2", "4"]);
        assert_eq!(parse_values("8").unwrap(), ["8"]);
        assert_eq!(parse_values("1..4").unwrap(), ["1", "2", "3", "4"]);
        assert_eq!(
            parse_values("0.1..0.5:0.1").unwrap(),
            ["0.1", "0.2", "0.3", "0.4", "0.5"]
        );
        assert_eq!(
            parse_values("100ms..300ms:100ms").unwrap(),
            ["100ms", "200ms", "300ms"]
        );
        assert_eq!(
            parse_values("0..1:0.25").unwrap(),
            ["0", "0.25", "0.5", "0.75", "1"]
        );
        assert_eq!(parse_values("1..10:4").unwrap(), ["1", "5", "9"]);
        assert_eq!(
            parse_values("{exp: 1ms}, {exp: 2ms}").unwrap(),
            ["{exp: 1ms}", "{exp: 2ms}"]
        );
        assert_eq!(parse_values("-1..1").unwrap(), ["-1", "0", "1"]);
    }

    #[test]
    fn bad_values_are_rejected() {
        for (spec, needle) in [
            ("5..1", "empty"),
            ("1..5:0", "greater than zero"),
            ("1..5:-1", "greater than zero"),
            ("1ms..5s:1ms", "mixes units"),
            ("0.1..0.5", "needs a step"),
            ("a..b:1", "not a number"),
            ("1,,2", "empty"),
            ("1,2,1", "twice"),
            ("", "found nothing"),
            ("1..1000000", "more than"),
        ] {
            let e = parse_values(spec).unwrap_err();
            assert!(e.contains(needle), "{spec}: {e}");
        }
    }

    #[test]
    fn numeric_values_must_ascend() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(first_descent(&v(&["1", "2", "8"])), None);
        assert_eq!(first_descent(&v(&["1", "8", "2", "1.5"])), Some((1, 2)));
        assert_eq!(first_descent(&v(&["0.5", "0.25"])), Some((0, 1)));
        assert_eq!(first_descent(&v(&["100ms", "50ms"])), Some((0, 1)));
        // Not all numbers of one unit: searched in the order given.
        assert_eq!(first_descent(&v(&["1s", "500ms"])), None);
        assert_eq!(first_descent(&v(&["lru", "fifo"])), None);
        assert_eq!(first_descent(&v(&["{exp: 4ms}", "{const: 1ms}"])), None);
    }
}
