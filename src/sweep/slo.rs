//! Service-level objectives (`--slo p99<200ms`) over the headline figures, which `capacity`
//! judges its probes by.

use std::str::FromStr;

use crate::metrics::headline::HEADLINE_FIELDS;

/// A comparison in a service-level objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// A service-level objective: `<metric><op><value>[unit]`, like `p99<200ms` or
/// `availability>=99.9%`. `metric` is one of [`HEADLINE_FIELDS`]; `threshold` is in the
/// figure's own unit (ms for latencies, a share for availability and error rate).
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    /// The objective as written.
    pub text: String,
    /// The figure it constrains: one of [`HEADLINE_FIELDS`].
    pub metric: &'static str,
    /// The comparison.
    pub op: Op,
    /// The bound, in the figure's own unit.
    pub threshold: f64,
}

impl FromStr for Slo {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let pos = t.find(['<', '>']).ok_or_else(|| {
            format!("expected <metric><op><value>[unit] with op one of < <= > >= (like p99<200ms or availability>=99.9%), found `{s}`")
        })?;
        let (name, rest) = t.split_at(pos);
        let (op, value) = if let Some(v) = rest.strip_prefix("<=") {
            (Op::Le, v)
        } else if let Some(v) = rest.strip_prefix(">=") {
            (Op::Ge, v)
        } else if let Some(v) = rest.strip_prefix('<') {
            (Op::Lt, v)
        } else {
            (Op::Gt, &rest[1..])
        };
        let metric: &'static str = match name {
            "p50" => "p50_ms",
            "p90" => "p90_ms",
            "p99" => "p99_ms",
            "p999" | "p99.9" => "p999_ms",
            "mean" => "mean_ms",
            "max" => "max_ms",
            "throughput" => "throughput_rps",
            "goodput" => "goodput_rps",
            other => HEADLINE_FIELDS
                .iter()
                .find(|f| **f == other)
                .copied()
                .ok_or_else(|| {
                    format!(
                        "`{s}`: unknown metric `{other}` (expected one of {}, or p50, p90, p99, p999, mean, max, throughput, goodput)",
                        HEADLINE_FIELDS.join(", ")
                    )
                })?,
        };
        let num_end = value
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-')))
            .map_or(value.len(), |(i, _)| i);
        let (num, unit) = value.split_at(num_end);
        let x: f64 = num
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| {
                format!(
                    "`{s}`: expected a number after `{}`, found `{value}`",
                    op.as_str()
                )
            })?;
        let threshold = if metric.ends_with("_ms") {
            match unit {
                "" | "ms" => x,
                "s" => x * 1000.0,
                "us" | "µs" => x / 1000.0,
                _ => {
                    return Err(format!(
                        "`{s}`: {metric} is a latency: expected a unit ms, s or us (or none, meaning ms), found `{unit}`"
                    ));
                }
            }
        } else if metric == "availability" || metric == "error_rate" {
            match unit {
                "%" if (0.0..=100.0).contains(&x) => x / 100.0,
                "%" => {
                    return Err(format!(
                        "`{s}`: {metric} is a share: expected a percentage from 0% to 100%, found `{value}`"
                    ));
                }
                "" if (0.0..=1.0).contains(&x) => x,
                "" => {
                    return Err(format!(
                        "`{s}`: {metric} is a share: write it as a percentage (99.9%) or a share from 0 to 1 (0.999)"
                    ));
                }
                _ => {
                    return Err(format!(
                        "`{s}`: {metric} is a share: expected a % sign or no unit, found `{unit}`"
                    ));
                }
            }
        } else if unit.is_empty() || (metric.ends_with("_rps") && unit == "rps") {
            x
        } else {
            return Err(format!(
                "`{s}`: {metric} takes a plain number, found the unit `{unit}`"
            ));
        };
        Ok(Slo {
            text: s.trim().to_string(),
            metric,
            op,
            threshold,
        })
    }
}

impl Slo {
    /// Whether `value` meets the objective; an undefined figure (a percentile when nothing
    /// completed) never does.
    pub fn met_by(&self, value: Option<f64>) -> bool {
        value.is_some_and(|v| self.op.holds(v, self.threshold))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slo_syntax() {
        let s: Slo = "p99<200ms".parse().unwrap();
        assert_eq!((s.metric, s.op, s.threshold), ("p99_ms", Op::Lt, 200.0));
        let s: Slo = "availability>=99.9%".parse().unwrap();
        assert_eq!(s.metric, "availability");
        assert!((s.threshold - 0.999).abs() < 1e-12);
        let s: Slo = "goodput>=900rps".parse().unwrap();
        assert_eq!(
            (s.metric, s.op, s.threshold),
            ("goodput_rps", Op::Ge, 900.0)
        );
        let s: Slo = "goodput_rps>=900".parse().unwrap();
        assert_eq!(s.metric, "goodput_rps");
        let s: Slo = "mean <= 0.5s".parse().unwrap();
        assert_eq!((s.metric, s.threshold), ("mean_ms", 500.0));
        assert!(s.met_by(Some(500.0)) && !s.met_by(None));
        for bad in [
            "p98<1ms",
            "p99=1ms",
            "p99<1kg",
            "availability>99",
            "p99<",
            "throughput_rps>5ms",
            // A share above 100% can never be met.
            "availability>=101%",
            "error_rate<-1%",
        ] {
            assert!(bad.parse::<Slo>().is_err(), "{bad}");
        }
    }
}
