//! Seeded random streams and the distributions the scenario language offers.
//!
//! Every component (and the traffic source, and the network) draws from its own stream,
//! derived from the scenario seed and a stable name (`"web#2"`, `"traffic"`). Because streams
//! are keyed by name, two scenarios that share a component see the same draws there (common
//! random numbers), and adding a component does not shift anybody else's numbers.
//!
//! The generator is `Xoshiro256PlusPlus`, seeded through SplitMix64 from `seed ^ fnv1a(name)`:
//! a named, portable algorithm whose output will not change under us. [`Dist::sample`] returns
//! whole nanoseconds; sampling never allocates.

use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::SimTime;
use super::sample::{exp1, round_u64, standard_normal};

/// One independent random stream.
pub type Stream = Xoshiro256PlusPlus;

/// FNV-1a over the bytes of `name`: a stable 64-bit hash (std's hashers are not promised stable).
pub fn stable_hash(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// SplitMix64 finaliser: spreads nearby seeds far apart.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream for `name` under scenario seed `seed`.
pub fn stream(seed: u64, name: &str) -> Stream {
    Stream::seed_from_u64(mix64(seed ^ stable_hash(name)))
}

/// The stream of a component (or instance, `web#2`): its name in a namespace of its own, so
/// that a component called `traffic` does not share the traffic source's stream.
pub fn component_stream(seed: u64, name: &str) -> Stream {
    stream(seed, &format!("component/{name}"))
}

/// A distribution of durations, resolved from the scenario language. Parameters are in
/// nanoseconds (as `f64` where the sampling needs it).
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always the same value.
    Const(u64),
    /// Exponential with this mean.
    Exp {
        /// Mean, ns.
        mean: f64,
    },
    /// Uniform on `[lo, hi]`.
    Uniform {
        /// Lowest value, ns.
        lo: f64,
        /// Highest value, ns.
        hi: f64,
    },
    /// Normal, truncated at zero by rejection (so the result is never negative).
    Normal {
        /// Mean before truncation, ns.
        mean: f64,
        /// Standard deviation before truncation, ns.
        sd: f64,
    },
    /// Log-normal with log-space parameters `mu` (of ns) and `sigma`.
    LogNormal {
        /// Mean of the logarithm of the value in ns.
        mu: f64,
        /// Standard deviation of that logarithm.
        sigma: f64,
    },
    /// Pareto (type I) with minimum `scale` and tail index `shape`.
    Pareto {
        /// Minimum value, ns.
        scale: f64,
        /// Tail index (larger: lighter tail).
        shape: f64,
    },
    /// Sum of `k` exponentials, each with mean `mean / k`.
    Erlang {
        /// Number of exponential stages.
        k: u32,
        /// Mean of the sum, ns.
        mean: f64,
    },
    /// Uniform choice among recorded samples.
    Empirical(Box<[u64]>),
}

/// The largest value [`Dist::sample`] returns: 10^18 ns (about 31.7 years), the longest
/// duration a scenario may write. Heavy tails (a Pareto with a tiny shape, a log-normal with a
/// huge spread) are cut there, so that adding a few samples to the clock never overflows.
pub const MAX_SAMPLE_NS: u64 = 1_000_000_000_000_000_000;

impl Dist {
    /// Draws one value, in whole nanoseconds.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let x: f64 = match self {
            Dist::Const(v) => return *v,
            Dist::Exp { mean } => exp1(rng) * mean,
            Dist::Uniform { lo, hi } => lo + (hi - lo) * rng.random::<f64>(),
            Dist::Normal { mean, sd } => loop {
                let z = standard_normal(rng);
                let v = mean + sd * z;
                if v >= 0.0 {
                    break v;
                }
            },
            Dist::LogNormal { mu, sigma } => {
                let z = standard_normal(rng);
                libm::exp(mu + sigma * z)
            }
            Dist::Pareto { scale, shape } => {
                // Inversion: scale * U^(-1/shape), U in (0, 1].
                let u = 1.0 - rng.random::<f64>();
                scale * libm::pow(u, -1.0 / shape)
            }
            Dist::Erlang { k, mean } => {
                let mut s = 0.0;
                for _ in 0..*k {
                    s += exp1(rng);
                }
                s * mean / f64::from(*k)
            }
            Dist::Empirical(samples) => return samples[rng.random_range(0..samples.len())],
        };
        // Saturating float -> int conversion (`as` maps NaN to 0), capped at MAX_SAMPLE_NS so
        // that `now + sample` cannot overflow however heavy the tail.
        round_u64(x).min(MAX_SAMPLE_NS)
    }

    /// The mean, in nanoseconds (for capacity hints and reports).
    pub fn mean_ns(&self) -> f64 {
        match self {
            Dist::Const(v) => *v as f64,
            Dist::Exp { mean } | Dist::Erlang { mean, .. } => *mean,
            Dist::Uniform { lo, hi } => (lo + hi) / 2.0,
            Dist::Normal { mean, sd } => {
                // Mean of a normal truncated below at zero.
                if *sd == 0.0 {
                    return *mean;
                }
                let a = -mean / sd;
                let phi = libm::exp(-0.5 * a * a) / (2.0 * std::f64::consts::PI).sqrt();
                let big_phi = 0.5 * erfc(a / std::f64::consts::SQRT_2);
                mean + sd * phi / big_phi
            }
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * sigma / 2.0),
            Dist::Pareto { scale, shape } => {
                if *shape > 1.0 {
                    scale * shape / (shape - 1.0)
                } else {
                    f64::INFINITY
                }
            }
            Dist::Empirical(s) => s.iter().map(|&v| v as f64).sum::<f64>() / s.len() as f64,
        }
    }

    /// The mean as a [`SimTime`] (rounded; infinite means saturate).
    pub fn mean(&self) -> SimTime {
        SimTime(self.mean_ns().round() as u64)
    }

    /// The same distribution stretched by `factor` (> 0): every draw of the result is
    /// `factor` times a draw of `self`, in distribution. Constant and recorded values are
    /// rounded to whole nanoseconds and capped at [`MAX_SAMPLE_NS`].
    pub fn scaled(&self, factor: f64) -> Dist {
        let whole = |v: u64| ((v as f64 * factor).round() as u64).min(MAX_SAMPLE_NS);
        match self {
            Dist::Const(v) => Dist::Const(whole(*v)),
            Dist::Exp { mean } => Dist::Exp {
                mean: mean * factor,
            },
            Dist::Uniform { lo, hi } => Dist::Uniform {
                lo: lo * factor,
                hi: hi * factor,
            },
            Dist::Normal { mean, sd } => Dist::Normal {
                mean: mean * factor,
                sd: sd * factor,
            },
            Dist::LogNormal { mu, sigma } => Dist::LogNormal {
                mu: mu + libm::log(factor),
                sigma: *sigma,
            },
            Dist::Pareto { scale, shape } => Dist::Pareto {
                scale: scale * factor,
                shape: *shape,
            },
            Dist::Erlang { k, mean } => Dist::Erlang {
                k: *k,
                mean: mean * factor,
            },
            Dist::Empirical(s) => Dist::Empirical(s.iter().map(|&v| whole(v)).collect()),
        }
    }

    /// True when every draw is the same value.
    pub fn is_const(&self) -> Option<u64> {
        match self {
            Dist::Const(v) => Some(*v),
            _ => None,
        }
    }
}

/// Complementary error function (Numerical Recipes `erfcc`, |error| < 1.2e-7): enough for
/// the truncated-normal mean used in reports.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t * libm::exp(
        -z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))),
    );
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(d: &Dist, n: usize) -> f64 {
        let mut rng = stream(1, "test");
        (0..n).map(|_| d.sample(&mut rng) as f64).sum::<f64>() / n as f64
    }

    #[test]
    fn streams_depend_on_seed_and_name_only() {
        let a: u64 = stream(7, "web#0").random();
        let b: u64 = stream(7, "web#0").random();
        let c: u64 = stream(7, "web#1").random();
        let d: u64 = stream(8, "web#0").random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn a_scaled_distribution_draws_the_scaled_values() {
        let cases = [
            Dist::Const(5_000),
            Dist::Exp { mean: 4e6 },
            Dist::Uniform { lo: 1e6, hi: 3e6 },
            Dist::Normal { mean: 5e6, sd: 1e6 },
            Dist::LogNormal {
                mu: 15.0,
                sigma: 0.5,
            },
            Dist::Pareto {
                scale: 1e6,
                shape: 2.5,
            },
            Dist::Erlang { k: 3, mean: 2e6 },
            Dist::Empirical(vec![1_000, 2_000, 7_000].into()),
        ];
        for d in &cases {
            for f in [0.5, 1.0, 3.7] {
                let s = d.scaled(f);
                // Exact in distribution: the stated means scale exactly (up to rounding of
                // whole nanoseconds for constants and recorded samples).
                let want = d.mean_ns() * f;
                assert!(
                    (s.mean_ns() - want).abs() <= 1.0 + 1e-12 * want,
                    "{d:?} x {f}"
                );
            }
        }
        // Same stream, same quantile: an exponential draw scales draw by draw.
        let (mut a, mut b) = (stream(3, "x"), stream(3, "x"));
        let (d, s) = (Dist::Exp { mean: 1e6 }, Dist::Exp { mean: 1e6 }.scaled(2.0));
        for _ in 0..100 {
            let (x, y) = (d.sample(&mut a) as f64, s.sample(&mut b) as f64);
            assert!((y - 2.0 * x).abs() <= 2.0, "{x} {y}");
        }
    }

    #[test]
    fn sample_means_match_the_stated_means() {
        let cases = [
            Dist::Const(5_000),
            Dist::Exp { mean: 4e6 },
            Dist::Uniform { lo: 1e6, hi: 3e6 },
            Dist::Normal { mean: 5e6, sd: 1e6 },
            Dist::Normal { mean: 1e6, sd: 2e6 },
            Dist::LogNormal {
                mu: (3e6f64).ln() - 0.5 * 2f64.ln(),
                sigma: 2f64.ln().sqrt(),
            },
            Dist::Pareto {
                scale: 1e6,
                shape: 3.5,
            },
            Dist::Erlang { k: 4, mean: 4e6 },
            Dist::Empirical(vec![1, 2, 3, 10].into_boxed_slice()),
        ];
        for d in &cases {
            let m = mean_of(d, 400_000);
            let want = d.mean_ns();
            assert!(
                (m - want).abs() / want < 0.02,
                "{d:?}: sample mean {m}, expected {want}"
            );
        }
    }

    #[test]
    fn truncated_normal_is_never_negative() {
        let d = Dist::Normal { mean: 0.0, sd: 1e6 };
        let mut rng = stream(3, "n");
        assert!((0..10_000).all(|_| d.sample(&mut rng) < u64::MAX));
    }

    #[test]
    fn heavy_tails_stop_at_the_cap_so_the_clock_cannot_overflow() {
        // A Pareto with a tiny shape and a log-normal with a huge spread used to return
        // u64::MAX, and `now + sample` wrapped around in release builds.
        let cases = [
            Dist::Pareto {
                scale: 1e6,
                shape: 0.001,
            },
            Dist::LogNormal {
                mu: 14.0,
                sigma: 600.0,
            },
        ];
        for d in cases {
            let mut rng = stream(4, "tail");
            let samples: Vec<u64> = (0..1000).map(|_| d.sample(&mut rng)).collect();
            assert!(samples.iter().all(|&x| x <= MAX_SAMPLE_NS), "{d:?}");
            assert!(
                samples.contains(&MAX_SAMPLE_NS),
                "{d:?}: the cap is reached"
            );
            let now = MAX_SAMPLE_NS;
            assert!(samples.iter().all(|&x| now.checked_add(x).is_some()));
        }
    }
}
