//! Latency recording: a log-linear histogram (3 significant digits, nanoseconds up to a day)
//! plus an exact sum and maximum, so the mean is exact and the percentiles are within 0.1%.
//!
//! The bins are those of an HDR histogram (Gil Tene's HdrHistogram, lowest value 1, highest a
//! day): a value `v` falls in bucket `b`, the number of times it must be halved to fit in
//! `2 × 10^digits` rounded up to a power of two (`sub` slots), and in slot `v >> b` of it. A
//! percentile is the highest value of the bin where the running count first reaches
//! `ceil(q × count)`, exactly as HdrHistogram's `value_at_quantile` answers, so the figures are
//! the ones that crate gives (a test records the same values in both and compares).
//!
//! Recording is one `leading_zeros`, a shift and an increment. The histogram also remembers the
//! lowest and highest bin it touched, so a reset clears only those and a percentile scan starts
//! at the first: a time-series window's histogram costs what its window recorded, not its size.

/// The largest latency recorded as itself (one day); larger values saturate.
const HIGHEST_NS: u64 = 86_400 * 1_000_000_000;

/// Heap bytes of a histogram with 3 significant digits ([`LatencyHist::new`]): its counts,
/// 38,912 of 8 bytes. Whatever it records; the memory estimate of a scenario counts it.
pub const HIST_BYTES: u128 = 38_912 * 8;
/// Heap bytes of a histogram with 2 significant digits (a time-series window's).
pub const WINDOW_HIST_BYTES: u128 = 5_248 * 8;

use super::report::{CdfPoint, LatencySummary};

/// A latency histogram in nanoseconds.
#[derive(Clone, Debug)]
pub struct LatencyHist {
    /// Count per bin.
    counts: Vec<u64>,
    /// log2 of half the slots of a bucket.
    half_mag: u32,
    /// `2 × half - 1`: the slots of bucket 0, which small values never leave.
    sub_mask: u64,
    /// 64 minus log2 of a bucket's slots: `bucket = base - leading_zeros(v | sub_mask)`.
    lz_base: u32,
    /// Where a value above [`HIGHEST_NS`] beyond the last bin is counted.
    top: usize,
    /// Values recorded.
    total: u64,
    /// The lowest and highest bins touched since the last reset (`lo > hi` when none).
    lo: usize,
    hi: usize,
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
    /// eight times smaller, so cheaper to merge — used for time-series windows).
    pub fn with_digits(digits: u8) -> Self {
        // Slots per bucket: 2 × 10^digits rounded up to a power of two.
        let sub = (2 * 10_u64.pow(u32::from(digits))).next_power_of_two();
        let sub_mag = sub.trailing_zeros();
        // Buckets until `sub << (buckets - 1)` exceeds the highest value.
        let mut buckets = 1_u64;
        let mut untrackable = sub;
        while untrackable <= HIGHEST_NS {
            untrackable <<= 1;
            buckets += 1;
        }
        let len = ((buckets + 1) * (sub / 2)) as usize;
        let mut h = LatencyHist {
            counts: vec![0; len],
            half_mag: sub_mag - 1,
            sub_mask: sub - 1,
            lz_base: 64 - sub_mag,
            top: 0,
            total: 0,
            lo: usize::MAX,
            hi: 0,
            sum_ns: 0,
            max_ns: 0,
        };
        h.top = h.index_of(HIGHEST_NS);
        h
    }

    /// The bucket of `v`: how many times it must be halved to fit in bucket 0's slots.
    #[inline(always)]
    fn bucket_of(&self, v: u64) -> u32 {
        self.lz_base - (v | self.sub_mask).leading_zeros()
    }

    /// The bin of `v` (may lie past the last bin for values above a day).
    #[inline(always)]
    fn index_of(&self, v: u64) -> usize {
        let b = self.bucket_of(v);
        let slot = (v >> b) as usize;
        ((b as usize + 1) << self.half_mag) + slot - (1 << self.half_mag)
    }

    /// The lowest value of bin `i`.
    fn value_of(&self, i: usize) -> u64 {
        let half = 1_usize << self.half_mag;
        let (b, slot) = match (i >> self.half_mag).checked_sub(1) {
            Some(b) => (b, (i & (half - 1)) + half),
            None => (0, i & (half - 1)),
        };
        (slot as u64) << b
    }

    /// The highest value counted in the same bin as `v`.
    fn highest_equivalent(&self, v: u64) -> u64 {
        let b = self.bucket_of(v);
        let lowest = (v >> b) << b;
        lowest.saturating_add(1 << b) - 1
    }

    /// Records one latency. Never allocates.
    #[inline]
    pub fn record(&mut self, ns: u64) {
        let mut i = self.index_of(ns);
        if i >= self.counts.len() {
            i = self.top;
        }
        self.counts[i] += 1;
        self.lo = self.lo.min(i);
        self.hi = self.hi.max(i);
        self.total += 1;
        self.sum_ns += u128::from(ns);
        self.max_ns = self.max_ns.max(ns);
    }

    /// Latencies recorded.
    pub fn count(&self) -> u64 {
        self.total
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
        Some(self.value_at_quantile(q).min(self.max_ns))
    }

    /// HdrHistogram's `value_at_quantile`: the highest value of the first bin at which the
    /// running count reaches `ceil(q × count)` (at least 1); the lowest for `q = 0`.
    fn value_at_quantile(&self, q: f64) -> u64 {
        let target = ((q * self.total as f64).ceil() as u64).max(1);
        let mut running = 0_u64;
        for (i, &c) in self.counts[self.lo..=self.hi].iter().enumerate() {
            running += c;
            if running >= target {
                let v = self.value_of(self.lo + i);
                return if q == 0.0 {
                    v
                } else {
                    self.highest_equivalent(v)
                };
            }
        }
        0
    }

    /// Forgets every latency recorded (keeps the allocation; clears only the bins touched).
    pub fn reset(&mut self) {
        if self.lo <= self.hi {
            self.counts[self.lo..=self.hi].fill(0);
        }
        self.lo = usize::MAX;
        self.hi = 0;
        self.total = 0;
        self.sum_ns = 0;
        self.max_ns = 0;
    }

    /// Adds another histogram's samples (one with the same digits).
    pub fn merge(&mut self, other: &LatencyHist) {
        assert_eq!(
            self.counts.len(),
            other.counts.len(),
            "histograms with the same digits"
        );
        if other.lo <= other.hi {
            for (a, b) in self.counts[other.lo..=other.hi]
                .iter_mut()
                .zip(&other.counts[other.lo..=other.hi])
            {
                *a += b;
            }
            self.lo = self.lo.min(other.lo);
            self.hi = self.hi.max(other.hi);
        }
        self.total += other.total;
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
    use proptest::strategy::Strategy;

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
        let bytes = |h: &LatencyHist| h.counts.len() as u128 * 8;
        assert_eq!(bytes(&LatencyHist::new()), HIST_BYTES);
        assert_eq!(bytes(&LatencyHist::with_digits(2)), WINDOW_HIST_BYTES);
    }

    /// HdrHistogram with the same bounds, for comparison.
    fn hdr(digits: u8) -> hdrhistogram::Histogram<u64> {
        hdrhistogram::Histogram::new_with_bounds(1, HIGHEST_NS, digits).unwrap()
    }

    /// The quantiles the reports ask for, and some awkward ones.
    const QS: [f64; 12] = [
        0.0,
        1e-9,
        0.01,
        0.25,
        0.5,
        0.9,
        0.95,
        0.99,
        0.999,
        0.9999,
        0.999_999,
        1.0 - 1e-12,
    ];

    fn same_as_hdr(values: &[u64], digits: u8) {
        let mut ours = LatencyHist::with_digits(digits);
        let mut theirs = hdr(digits);
        for &v in values {
            ours.record(v);
            theirs.saturating_record(v);
        }
        assert_eq!(ours.count(), theirs.len());
        for q in QS {
            assert_eq!(
                ours.value_at_quantile(q),
                theirs.value_at_quantile(q),
                "q = {q}, digits {digits}, {} values",
                values.len()
            );
        }
    }

    #[test]
    fn bins_and_percentiles_are_hdrhistograms() {
        // Every bin boundary of the first buckets, then values near each power of two, zero,
        // the highest value and beyond it (saturating).
        let mut values: Vec<u64> = (0..5000).collect();
        for b in 0..64 {
            let p = 1_u64 << b;
            values.extend([p - 1, p, p.saturating_add(1), p.saturating_add(p / 3)]);
        }
        values.extend([HIGHEST_NS - 1, HIGHEST_NS, HIGHEST_NS + 1, u64::MAX]);
        for digits in [2, 3] {
            same_as_hdr(&values, digits);
            for chunk in values.chunks(97) {
                same_as_hdr(chunk, digits);
            }
            let ours = LatencyHist::with_digits(digits);
            let theirs = hdr(digits);
            assert_eq!(ours.counts.len(), theirs.distinct_values());
            for v in values.iter().copied().filter(|&v| v <= HIGHEST_NS) {
                assert_eq!(ours.highest_equivalent(v), theirs.highest_equivalent(v));
                assert_eq!(ours.value_of(ours.index_of(v)), theirs.lowest_equivalent(v));
            }
        }
    }

    #[test]
    fn reset_and_merge_keep_the_bins() {
        let mut a = LatencyHist::with_digits(2);
        let mut b = LatencyHist::with_digits(2);
        for v in 1..=300u64 {
            a.record(v * 7_919);
        }
        a.reset();
        assert_eq!(a.count(), 0);
        assert!(a.counts.iter().all(|&c| c == 0));
        assert_eq!(a.quantile_ns(0.5), None);
        for v in 1..=300u64 {
            a.record(v * 1_000);
            b.record(v * 1_000_000);
        }
        let mut merged = a.clone();
        merged.merge(&b);
        let mut theirs = hdr(2);
        for v in 1..=300u64 {
            theirs.saturating_record(v * 1_000);
            theirs.saturating_record(v * 1_000_000);
        }
        assert_eq!(merged.count(), 600);
        for q in QS {
            assert_eq!(merged.value_at_quantile(q), theirs.value_at_quantile(q));
        }
        assert_eq!(merged.quantile_ns(1.0), Some(300_000_000));
    }

    proptest::proptest! {
        #[test]
        fn any_values_give_hdrhistograms_percentiles(
            values in proptest::collection::vec(
                (0_u32..64, proptest::prelude::any::<u64>()).prop_map(|(b, x)| x >> b),
                1..400,
            ),
            digits in 2_u8..=3,
        ) {
            same_as_hdr(&values, digits);
        }
    }
}
