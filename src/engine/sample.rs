//! The random variates the model draws: exponential, standard normal and Zipf, computed with
//! one mathematical library on every target.
//!
//! `exp`, `ln` and `powf` come from the platform on native targets (glibc, the macOS system
//! library, …) and from the `libm` crate on WebAssembly, and the two may differ in the last
//! bit. A draw that differs by one bit can round a service time to another nanosecond, and
//! from there a run diverges. Every transcendental function the core calls therefore goes
//! through [`libm`], here and elsewhere in the core, so that a scenario and a seed give the
//! same numbers natively and in the browser.
//!
//! The exponential and normal samplers are `rand_distr` 0.6's ziggurats (Marsaglia and Tsang,
//! with the same tables, `ziggurat_tables.rs`) and the Zipf sampler is its rejection-inversion
//! (Hörmann and Derflinger), rewritten over [`libm`]: they consume the random stream exactly
//! as `rand_distr` does, so the draws are those `rand_distr` gives wherever the platform's
//! functions agree with `libm` (the tests check the two agree to a few ulps).

use rand::{Rng, RngExt};

use super::ziggurat_tables::{
    ZIG_EXP_F, ZIG_EXP_R, ZIG_EXP_X, ZIG_NORM_F, ZIG_NORM_R, ZIG_NORM_X, ZigTable,
};

/// `x.round() as u64` (half away from zero, saturating, NaN to 0) without a call to the
/// library's `round`: a truncating conversion and one exact comparison. For `0 <= x < 2^53`
/// the fraction `x - trunc(x)` is exact, and at and above `2^53` every double is a whole
/// number, so the comparison with one half decides exactly as `round` does; negative values
/// and NaN give 0 and values past `u64::MAX` saturate, as the cast does (a test checks it on
/// edges and random bit patterns).
#[inline(always)]
pub fn round_u64(x: f64) -> u64 {
    let t = x as u64;
    if x - t as f64 >= 0.5 {
        t.saturating_add(1)
    } else {
        t
    }
}

/// `x.ceil() as u64` without a call to the library's `ceil` (see [`round_u64`]).
#[inline(always)]
pub fn ceil_u64(x: f64) -> u64 {
    let t = x as u64;
    if (t as f64) < x {
        t.saturating_add(1)
    } else {
        t
    }
}

/// `x` to the integer power `n`, by repeated squaring in the order compiler-rt's and
/// libgcc's `__powidf2` multiply (what `f64::powi` calls when `n` is not a constant), written
/// out so that no target's code generation can choose another order.
pub fn powi(x: f64, n: i32) -> f64 {
    let mut base = x;
    let mut e = n.unsigned_abs();
    let mut r = 1.0;
    loop {
        if e & 1 == 1 {
            r *= base;
        }
        e >>= 1;
        if e == 0 {
            break;
        }
        base *= base;
    }
    if n < 0 { 1.0 / r } else { r }
}

/// A float in `[1, 2) * 2^exponent` from the 52 high bits of `bits`' mantissa part.
#[inline]
fn with_exponent(mantissa: u64, exponent: i32) -> f64 {
    let biased = (1023 + exponent) as u64;
    f64::from_bits((biased << 52) | mantissa)
}

/// A float in the open interval (0, 1), as `rand`'s `Open01` draws it.
#[inline]
fn open01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    with_exponent(rng.next_u64() >> 12, 0) - (1.0 - f64::EPSILON / 2.0)
}

/// The ziggurat: a layer chosen by 8 random bits, accepted outright when the point falls
/// inside the next layer's width, the base layer's tail drawn by `zero_case`, the wedges by
/// rejection against `pdf`.
#[inline(always)]
fn ziggurat<R: Rng + ?Sized>(
    rng: &mut R,
    symmetric: bool,
    x_tab: ZigTable,
    f_tab: ZigTable,
    pdf: impl Fn(f64) -> f64,
    zero_case: impl Fn(&mut R, f64) -> f64,
) -> f64 {
    loop {
        let bits = rng.next_u64();
        let i = (bits & 0xff) as usize;
        let u = if symmetric {
            // [2, 4) - 3 = [-1, 1)
            with_exponent(bits >> 12, 1) - 3.0
        } else {
            // [1, 2) - (1 - eps/2) = (0, 1)
            with_exponent(bits >> 12, 0) - (1.0 - f64::EPSILON / 2.0)
        };
        let x = u * x_tab[i];
        let test_x = if symmetric { x.abs() } else { x };
        if test_x < x_tab[i + 1] {
            return x;
        }
        if i == 0 {
            return zero_case(rng, u);
        }
        if f_tab[i + 1] + (f_tab[i] - f_tab[i + 1]) * rng.random::<f64>() < pdf(x) {
            return x;
        }
    }
}

/// A draw from the exponential distribution with mean 1.
#[inline]
pub fn exp1<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ziggurat(
        rng,
        false,
        &ZIG_EXP_X,
        &ZIG_EXP_F,
        |x| libm::exp(-x),
        |rng, _| ZIG_EXP_R - libm::log(rng.random::<f64>()),
    )
}

/// A draw from the standard normal distribution (mean 0, standard deviation 1).
#[inline]
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ziggurat(
        rng,
        true,
        &ZIG_NORM_X,
        &ZIG_NORM_F,
        |x| libm::exp(-x * x / 2.0),
        |rng, u| {
            // The tail beyond ZIG_NORM_R, by Marsaglia's method.
            let mut x = 1.0f64;
            let mut y = 0.0f64;
            while -2.0 * y < x * x {
                x = libm::log(open01(rng)) / ZIG_NORM_R;
                y = libm::log(open01(rng));
            }
            if u < 0.0 {
                x - ZIG_NORM_R
            } else {
                ZIG_NORM_R - x
            }
        },
    )
}

/// The Zipf distribution over `1..=n` with exponent `s`: `P(k)` proportional to `k^-s`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Zipf {
    s: f64,
    t: f64,
    q: f64,
}

impl Zipf {
    /// The distribution over `1..=n` (`n >= 1`, finite) with exponent `s >= 0`; `None` for
    /// parameters outside those ranges.
    pub fn new(n: f64, s: f64) -> Option<Zipf> {
        if !(s >= 0.0 && n >= 1.0 && n.is_finite()) {
            return None;
        }
        let q = if s != 1.0 { 1.0 / (1.0 - s) } else { 0.0 };
        let t = if s == f64::INFINITY {
            1.0
        } else if s != 1.0 {
            (libm::pow(n, 1.0 - s) - s) * q
        } else {
            1.0 + libm::log(n)
        };
        Some(Zipf { s, t, q })
    }

    /// The inverse of the hat function's cumulative integral.
    #[inline]
    fn inv_cdf(&self, p: f64) -> f64 {
        let pt = p * self.t;
        if pt <= 1.0 {
            pt
        } else if self.s != 1.0 {
            libm::pow(pt * (1.0 - self.s) + self.s, self.q)
        } else {
            libm::exp(pt - 1.0)
        }
    }

    /// One draw, in `1..=n` (as a float).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let inv_b = self.inv_cdf(rng.random::<f64>());
            let x = libm::floor(inv_b + 1.0);
            let u = rng.random::<f64>();
            // The acceptance ratio is (inv_b / x)^s with x - 1 <= inv_b < x, so it is at least
            // ((x - 1) / x)^s, which is at least (x - 1) / x for s <= 1 and 1 - s / x for
            // s >= 1 (Bernoulli). A draw under that bound, less a margin far wider than the
            // rounding of the library calls, is accepted whatever the calls would return: the
            // same decision without them.
            let bound = if self.s <= 1.0 {
                (x - 1.0) / x
            } else {
                1.0 - self.s / x
            };
            if u < bound * (1.0 - 1e-12) {
                return x;
            }
            let ratio = if self.s == 1.0 {
                // libm's pow returns 1 / x for an exponent of -1 and x itself for 1 (fdlibm's
                // special cases): the same values, without two calls.
                if x > 1.0 { (1.0 / x) * inv_b } else { 1.0 / x }
            } else {
                let mut ratio = libm::pow(x, -self.s);
                if x > 1.0 {
                    ratio *= libm::pow(inv_b, self.s);
                }
                ratio
            };
            if u < ratio {
                return x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn zipf_with_exponent_one_skips_pow_exactly() {
        // The shortcut relies on libm::pow(x, -1) == 1 / x and libm::pow(x, 1) == x.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        for _ in 0..100_000 {
            let x = f64::from_bits(rng.next_u64() >> 2) + 1.0;
            let k = libm::floor(rng.random::<f64>() * 1e6 + 1.0);
            assert_eq!(libm::pow(x, 1.0).to_bits(), x.to_bits());
            assert_eq!(libm::pow(k, -1.0).to_bits(), (1.0 / k).to_bits());
            assert_eq!(libm::pow(x, -1.0).to_bits(), (1.0 / x).to_bits());
        }
        // The draws with exponent 1 are checked against the general formula with the others,
        // in `zipf_early_acceptance_decides_as_the_full_ratio`.
    }

    #[test]
    fn zipf_early_acceptance_decides_as_the_full_ratio() {
        // The draws are those of the rejection-inversion with every ratio computed in full.
        for (n, s) in [
            (20_000.0, 0.9),
            (100_000.0, 1.0),
            (1_000.0, 0.5),
            (50.0, 0.0),
            (1e6, 1.2),
            (300.0, 2.0),
            (10.0, 3.5),
            (1e9, 0.99),
        ] {
            let z = Zipf::new(n, s).unwrap();
            let (mut a, mut b) = (
                Xoshiro256PlusPlus::seed_from_u64(9),
                Xoshiro256PlusPlus::seed_from_u64(9),
            );
            for _ in 0..200_000 {
                let full = loop {
                    let inv_b = z.inv_cdf(b.random::<f64>());
                    let x = libm::floor(inv_b + 1.0);
                    let mut ratio = libm::pow(x, -s);
                    if x > 1.0 {
                        ratio *= libm::pow(inv_b, s);
                    }
                    if b.random::<f64>() < ratio {
                        break x;
                    }
                };
                assert_eq!(z.sample(&mut a).to_bits(), full.to_bits(), "n {n}, s {s}");
            }
        }
    }

    #[test]
    fn round_and_ceil_are_the_librarys() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -0.5,
            -0.4,
            -1.5,
            0.499_999_999_999_999_94,
            0.500_000_000_000_000_1,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9_007_199_254_740_993.0,
            1.844_674_407_370_955e19,
            1.844_674_407_370_955_2e19,
            1e30,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
        ];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for _ in 0..200_000 {
            xs.push(f64::from_bits(rng.next_u64()));
            let k = rng.next_u64() >> (rng.next_u64() % 64);
            xs.push(k as f64 + 0.5);
            xs.push(k as f64 * 1e-3);
            xs.push(rng.random::<f64>() * 1e7);
        }
        for x in xs {
            assert_eq!(
                round_u64(x),
                x.round() as u64,
                "round {x:e} ({:#x})",
                x.to_bits()
            );
            assert_eq!(
                ceil_u64(x),
                x.ceil() as u64,
                "ceil {x:e} ({:#x})",
                x.to_bits()
            );
        }
    }
    use rand_distr::Distribution;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// `a` and `b` within a few units in the last place (platform libraries differ by one).
    fn close(a: f64, b: f64) -> bool {
        a == b || (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(b.abs())
    }

    /// Draws `n` values with ours and with `rand_distr`'s from the same stream, checks each
    /// pair agrees and that both consumed the stream alike (the next raw draw is the same).
    fn agree(
        n: usize,
        ours: impl Fn(&mut Xoshiro256PlusPlus) -> f64,
        theirs: impl Fn(&mut Xoshiro256PlusPlus) -> f64,
    ) {
        for seed in 1..=3 {
            let mut a = Xoshiro256PlusPlus::seed_from_u64(seed);
            let mut b = Xoshiro256PlusPlus::seed_from_u64(seed);
            for i in 0..n {
                let (x, y) = (ours(&mut a), theirs(&mut b));
                assert!(close(x, y), "seed {seed}, draw {i}: {x} vs {y}");
            }
            assert_eq!(a.next_u64(), b.next_u64(), "seed {seed}: streams diverged");
        }
    }

    #[test]
    fn exp1_draws_what_rand_distr_draws() {
        agree(300_000, exp1, |r| rand_distr::Exp1.sample(r));
    }

    #[test]
    fn standard_normal_draws_what_rand_distr_draws() {
        agree(300_000, standard_normal, |r| {
            rand_distr::StandardNormal.sample(r)
        });
    }

    #[test]
    fn zipf_draws_what_rand_distr_draws() {
        for (n, s) in [
            (1.0, 0.8),
            (10_000.0, 0.8),
            (1e6, 1.0),
            (500.0, 1.3),
            (100.0, 0.0),
        ] {
            let ours = Zipf::new(n, s).unwrap();
            let theirs = rand_distr::Zipf::new(n, s).unwrap();
            agree(50_000, |r| ours.sample(r), |r| theirs.sample(r));
        }
    }

    #[test]
    fn zipf_refuses_bad_parameters() {
        assert!(Zipf::new(0.5, 1.0).is_none());
        assert!(Zipf::new(10.0, -0.1).is_none());
        assert!(Zipf::new(10.0, f64::NAN).is_none());
        assert!(Zipf::new(f64::INFINITY, 1.0).is_none());
    }

    #[test]
    fn exp1_and_normal_moments() {
        let mut r = Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 400_000;
        let (mut se, mut sn, mut sn2) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            se += exp1(&mut r);
            let z = standard_normal(&mut r);
            sn += z;
            sn2 += z * z;
        }
        let n = n as f64;
        // Standard errors: 1/sqrt(n) = 0.0016 for both means; 4 of them.
        assert!((se / n - 1.0).abs() < 0.0065, "exp mean {}", se / n);
        assert!((sn / n).abs() < 0.0065, "normal mean {}", sn / n);
        assert!((sn2 / n - 1.0).abs() < 0.01, "normal variance {}", sn2 / n);
    }
}
