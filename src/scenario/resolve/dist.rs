//! Distributions: a raw one-key map to a checked [`Dist`].

use super::*;

pub(crate) fn resolve_dist(path: &str, d: &RawDist, pr: &mut Problems) -> Option<Dist> {
    let ns = |x: super::units::Duration| x.0.0 as f64;
    let bad = |pr: &mut Problems, field: &str, msg: String| {
        let p = if field.is_empty() {
            path.to_string()
        } else {
            format!("{path}.{field}")
        };
        pr.at(&p, msg);
        None
    };
    match d {
        RawDist::Const(v) => Some(Dist::Const(v.0.0)),
        RawDist::Exp(m) => {
            if m.0 == SimTime::ZERO {
                return bad(
                    pr,
                    "exp",
                    "expected a mean > 0 for exp, found 0s (use {const: 0s} for no delay)".into(),
                );
            }
            Some(Dist::Exp { mean: ns(*m) })
        }
        RawDist::Uniform(v) => {
            if v.len() != 2 {
                return bad(
                    pr,
                    "uniform",
                    format!(
                        "expected two durations [low, high], found {} value(s)",
                        v.len()
                    ),
                );
            }
            if v[0] > v[1] {
                return bad(
                    pr,
                    "uniform",
                    format!("expected low <= high, found [{}, {}]", v[0].0, v[1].0),
                );
            }
            Some(Dist::Uniform {
                lo: ns(v[0]),
                hi: ns(v[1]),
            })
        }
        RawDist::Normal(NormalParams { mean, sd }) => {
            if mean.0 == SimTime::ZERO {
                return bad(pr, "normal.mean", "expected a mean > 0, found 0s".into());
            }
            Some(Dist::Normal {
                mean: ns(*mean),
                sd: ns(*sd),
            })
        }
        RawDist::LogNormal(LogNormalParams {
            mean,
            cv,
            median,
            p99,
        }) => match (mean, cv, median, p99) {
            (Some(m), Some(cv), None, None) => {
                if m.0 == SimTime::ZERO {
                    return bad(pr, "lognormal.mean", "expected a mean > 0, found 0s".into());
                }
                if !cv.is_finite() || *cv < 0.0 {
                    return bad(
                        pr,
                        "lognormal.cv",
                        format!("expected a coefficient of variation >= 0, found {cv}"),
                    );
                }
                let s2 = libm::log(1.0 + cv * cv);
                Some(Dist::LogNormal {
                    mu: libm::log(ns(*m)) - s2 / 2.0,
                    sigma: s2.sqrt(),
                })
            }
            (None, None, Some(med), Some(p99)) => {
                if med.0 == SimTime::ZERO || p99 <= med {
                    return bad(
                        pr,
                        "lognormal",
                        format!(
                            "expected 0 < median < p99, found median {} and p99 {}",
                            med.0, p99.0
                        ),
                    );
                }
                // z of the 99th percentile of the standard normal.
                const Z99: f64 = 2.326_347_874_040_841;
                let mu = libm::log(ns(*med));
                Some(Dist::LogNormal {
                    mu,
                    sigma: (libm::log(ns(*p99)) - mu) / Z99,
                })
            }
            _ => bad(
                pr,
                "lognormal",
                "expected either {mean, cv} or {median, p99}".into(),
            ),
        },
        RawDist::Pareto(ParetoParams { scale, shape }) => {
            if scale.0 == SimTime::ZERO {
                return bad(pr, "pareto.scale", "expected a scale > 0, found 0s".into());
            }
            if !shape.is_finite() || *shape <= 0.0 {
                return bad(
                    pr,
                    "pareto.shape",
                    format!("expected a shape > 0 (above 1 for a finite mean), found {shape}"),
                );
            }
            Some(Dist::Pareto {
                scale: ns(*scale),
                shape: *shape,
            })
        }
        RawDist::Erlang(ErlangParams { k, mean }) => {
            if *k == 0 || *k > 1000 {
                return bad(
                    pr,
                    "erlang.k",
                    format!("expected a whole number of phases from 1 to 1000, found {k}"),
                );
            }
            if mean.0 == SimTime::ZERO {
                return bad(pr, "erlang.mean", "expected a mean > 0, found 0s".into());
            }
            Some(Dist::Erlang {
                k: *k,
                mean: ns(*mean),
            })
        }
        RawDist::Empirical(v) => {
            if v.is_empty() {
                return bad(pr, "empirical", "expected at least one sample".into());
            }
            Some(Dist::Empirical(v.iter().map(|d| d.0.0).collect()))
        }
    }
}
