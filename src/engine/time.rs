//! Simulated time.
//!
//! Time is an integer count of nanoseconds since the start of the run. Integer time keeps event
//! ordering exact and runs repeatable; floating point appears only at the edges (parsing a
//! duration, printing a report). The same type serves for instants and for durations.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An instant or a span of simulated time, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// A time no run reaches; used as "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Nanoseconds in one millisecond.
    pub const NS_PER_MS: u64 = 1_000_000;
    /// Nanoseconds in one second.
    pub const NS_PER_S: u64 = 1_000_000_000;

    /// From whole nanoseconds.
    pub const fn from_nanos(ns: u64) -> Self {
        SimTime(ns)
    }
    /// From whole microseconds.
    pub const fn from_micros(us: u64) -> Self {
        SimTime(us * 1_000)
    }
    /// From whole milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms * Self::NS_PER_MS)
    }
    /// From whole seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimTime(s * Self::NS_PER_S)
    }
    /// From (non-negative, finite) seconds, rounded to the nearest nanosecond.
    pub fn from_secs_f64(s: f64) -> Self {
        SimTime((s * 1e9).round().max(0.0) as u64)
    }
    /// Whole nanoseconds.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Seconds as a float (for reports).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
    /// Milliseconds as a float (for reports).
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    /// `self + d`, saturating at [`SimTime::MAX`].
    pub const fn saturating_add(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
    /// `self - d`, saturating at zero.
    pub const fn saturating_sub(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
}

impl Add for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimTime) -> SimTime {
        SimTime(self.0 + rhs.0)
    }
}

impl AddAssign for SimTime {
    fn add_assign(&mut self, rhs: SimTime) {
        self.0 += rhs.0;
    }
}

impl Sub for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimTime) -> SimTime {
        SimTime(self.0 - rhs.0)
    }
}

impl fmt::Display for SimTime {
    /// Prints with the largest unit that keeps the value readable: `1.5s`, `250ms`, `40us`, `7ns`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        if ns >= Self::NS_PER_S {
            write!(f, "{}s", trim(ns as f64 / 1e9))
        } else if ns >= Self::NS_PER_MS {
            write!(f, "{}ms", trim(ns as f64 / 1e6))
        } else if ns >= 1_000 {
            write!(f, "{}us", trim(ns as f64 / 1e3))
        } else {
            write!(f, "{ns}ns")
        }
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_picks_a_readable_unit() {
        assert_eq!(SimTime::from_secs(2).to_string(), "2s");
        assert_eq!(SimTime::from_millis(1500).to_string(), "1.5s");
        assert_eq!(SimTime::from_micros(250).to_string(), "250us");
        assert_eq!(SimTime(7).to_string(), "7ns");
    }

    #[test]
    fn float_conversions_round_trip() {
        assert_eq!(SimTime::from_secs_f64(0.25), SimTime::from_millis(250));
        assert!((SimTime::from_millis(3).as_millis_f64() - 3.0).abs() < 1e-12);
    }
}
