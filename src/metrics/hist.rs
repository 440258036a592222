//! Latency recording: an HDR histogram (3 significant digits, nanoseconds up to a day) plus an
//! exact sum and maximum, so the mean is exact and the percentiles are within 0.1%.

use hdrhistogram::Histogram;

use super::report::{CdfPoint, LatencySummary};

/// The largest latency recorded as itself (one day); larger values saturate.
const HIGHEST_NS: u64 = 86_400 * 1_000_000_000;

/// Heap bytes of a histogram with 3 significant digits ([`LatencyHist::new`]): its counts,
/// 38,912 of 8 bytes. Whatever it records; the memory estimate of a scenario counts it.
pub const HIST_BYTES: u128 = 38_912 * 8;
/// Heap bytes of a histogram with 2 significant digits (a time-series window's).
pub const WINDOW_HIST_BYTES: u128 = 5_248 * 8;

/// A latency histogram in nanoseconds.
#[derive(Clone, Debug)]
pub struct LatencyHist {
    h: Histogram<u64>,
    sum_ns: u128,
    max_ns: u64,
}

impl Default for LatencyHist {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHist {
    /// An empty histogram keeping 3 significant digits.
    pub fn new() -> Self {
        Self::with_digits(3)
    }

    /// A histogram keeping `digits` significant digits (3: within 0.1%; 2: within 1%, and
    /// eight times smaller, so cheaper to reset and scan — used for time-series windows).
    pub fn with_digits(digits: u8) -> Self {
        LatencyHist {
            h: Histogram::new_with_bounds(1, HIGHEST_NS, digits).expect("valid histogram bounds"),
            sum_ns: 0,
            max_ns: 0,
        }
    }

    /// Records one latency. Never allocates.
    #[inline]
    pub fn record(&mut self, ns: u64) {
        self.h.saturating_record(ns);
        self.sum_ns += u128::from(ns);
        self.max_ns = self.max_ns.max(ns);
    }

    /// Latencies recorded.
    pub fn count(&self) -> u64 {
        self.h.len()
    }

    /// Exact mean, ns.
    pub fn mean_ns(&self) -> Option<f64> {
        (self.count() > 0).then(|| self.sum_ns as f64 / self.count() as f64)
    }

    /// The value at quantile `q` (0..=1), ns; the maximum is exact.
    pub fn quantile_ns(&self, q: f64) -> Option<u64> {
        if self.count() == 0 {
            return None;
        }
        if q >= 1.0 {
            return Some(self.max_ns);
        }
        Some(self.h.value_at_quantile(q).min(self.max_ns))
    }

    /// Forgets every latency recorded (keeps the allocation).
    pub fn reset(&mut self) {
        self.h.reset();
        self.sum_ns = 0;
        self.max_ns = 0;
    }

    /// Adds another histogram's samples.
    pub fn merge(&mut self, other: &LatencyHist) {
        self.h
            .add(&other.h)
            .expect("histograms with the same bounds");
        self.sum_ns += other.sum_ns;
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    /// Mean and percentiles in milliseconds.
    pub fn summary(&self) -> LatencySummary {
        let ms = |ns: Option<u64>| ns.map(|v| v as f64 / 1e6);
        LatencySummary {
            count: self.count(),
            mean: self.mean_ns().map(|v| v / 1e6),
            p50: ms(self.quantile_ns(0.50)),
            p90: ms(self.quantile_ns(0.90)),
            p95: ms(self.quantile_ns(0.95)),
            p99: ms(self.quantile_ns(0.99)),
            p999: ms(self.quantile_ns(0.999)),
            max: ms(self.quantile_ns(1.0)),
        }
    }

    /// Points of the distribution: every percent, then finer into the tail.
    pub fn cdf(&self) -> Vec<CdfPoint> {
        if self.count() == 0 {
            return Vec::new();
        }
        let mut qs: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        qs.extend((1..10).map(|i| 0.99 + f64::from(i) / 1000.0));
        qs.extend((1..10).map(|i| 0.999 + f64::from(i) / 10_000.0));
        qs.push(1.0);
        qs.iter()
            .map(|&q| CdfPoint {
                ms: self.quantile_ns(q).unwrap_or(0) as f64 / 1e6,
                fraction: q,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_mean_and_close_percentiles() {
        let mut h = LatencyHist::new();
        for v in 1..=1000u64 {
            h.record(v * 1_000_000);
        }
        let s = h.summary();
        assert_eq!(s.count, 1000);
        assert!((s.mean.unwrap() - 500.5).abs() < 1e-9);
        assert!((s.p50.unwrap() - 500.0).abs() / 500.0 < 0.002);
        assert!((s.p99.unwrap() - 990.0).abs() / 990.0 < 0.002);
        assert_eq!(s.max, Some(1000.0));
        assert_eq!(LatencyHist::new().summary().p50, None);
    }

    #[test]
    fn heap_sizes_are_as_counted() {
        let bytes = |h: &LatencyHist| h.h.distinct_values() as u128 * 8;
        assert_eq!(bytes(&LatencyHist::new()), HIST_BYTES);
        assert_eq!(bytes(&LatencyHist::with_digits(2)), WINDOW_HIST_BYTES);
    }
}
