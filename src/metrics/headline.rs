//! Headline figures of a run, and their confidence intervals over replications.
//!
//! `compare`, `sweep`, `capacity`, `journey` and `run --replications` all speak about a run
//! through the same handful of numbers; they live here so that every command names and
//! computes them the same way.

use serde::Serialize;

use super::Report;

/// The headline figures of one run, in the order of [`HEADLINE_FIELDS`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Headline {
    /// Completed requests per simulated second after warm-up.
    pub throughput_rps: f64,
    /// Of those, completed within their class's deadline, per simulated second.
    pub goodput_rps: f64,
    /// completed / (completed + failed) after warm-up, as a share (0..=1).
    pub availability: f64,
    /// failed / (completed + failed) after warm-up, as a share (0..=1).
    pub error_rate: f64,
    /// Latency of completed requests, milliseconds (`None`: nothing completed).
    pub mean_ms: Option<f64>,
    /// Median latency, milliseconds.
    pub p50_ms: Option<f64>,
    /// 90th percentile latency, milliseconds.
    pub p90_ms: Option<f64>,
    /// 99th percentile latency, milliseconds.
    pub p99_ms: Option<f64>,
    /// 99.9th percentile latency, milliseconds.
    pub p999_ms: Option<f64>,
    /// Largest latency, milliseconds.
    pub max_ms: Option<f64>,
    /// Requests that started after warm-up, and their outcomes.
    pub offered: u64,
    /// Of those, requests that completed.
    pub completed: u64,
    /// Of those, requests that failed.
    pub failed: u64,
    /// The component with the highest utilization, and that utilization.
    pub bottleneck: Option<String>,
    /// The bottleneck's utilization, as a share (0..=1).
    pub bottleneck_utilization: Option<f64>,
}

/// Names of the numeric headline figures, as used in CSV headers, `--metric` and `--slo`.
pub const HEADLINE_FIELDS: [&str; 13] = [
    "throughput_rps",
    "goodput_rps",
    "availability",
    "error_rate",
    "mean_ms",
    "p50_ms",
    "p90_ms",
    "p99_ms",
    "p999_ms",
    "max_ms",
    "offered",
    "completed",
    "failed",
];

impl Headline {
    /// The headline figures of `report`.
    pub fn of(report: &Report) -> Headline {
        let r = &report.requests;
        let bottleneck_utilization = report
            .bottleneck
            .as_ref()
            .and_then(|b| report.components.get(b))
            .and_then(|c| c.utilization);
        let l = &report.latency_ms;
        Headline {
            throughput_rps: report.throughput_rps,
            goodput_rps: report.goodput_rps,
            availability: report.availability,
            error_rate: super::error_rate(r.completed, r.failed),
            mean_ms: l.mean,
            p50_ms: l.p50,
            p90_ms: l.p90,
            p99_ms: l.p99,
            p999_ms: l.p999,
            max_ms: l.max,
            offered: r.offered,
            completed: r.completed,
            failed: r.failed,
            bottleneck: report.bottleneck.clone(),
            bottleneck_utilization,
        }
    }

    /// The numeric figure called `name` (one of [`HEADLINE_FIELDS`]); `None` when the name
    /// is unknown. The inner `None` means the figure is undefined for this run (a
    /// percentile when nothing completed).
    pub fn get(&self, name: &str) -> Option<Option<f64>> {
        Some(match name {
            "throughput_rps" => Some(self.throughput_rps),
            "goodput_rps" => Some(self.goodput_rps),
            "availability" => Some(self.availability),
            "error_rate" => Some(self.error_rate),
            "mean_ms" => self.mean_ms,
            "p50_ms" => self.p50_ms,
            "p90_ms" => self.p90_ms,
            "p99_ms" => self.p99_ms,
            "p999_ms" => self.p999_ms,
            "max_ms" => self.max_ms,
            "offered" => Some(self.offered as f64),
            "completed" => Some(self.completed as f64),
            "failed" => Some(self.failed as f64),
            _ => return None,
        })
    }
}

/// A sample mean with the half-width of its two-sided 95% confidence interval (Student's t
/// with n - 1 degrees of freedom). `half_width` is `None` for fewer than two samples.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MeanCi {
    /// The sample mean.
    pub mean: f64,
    /// Half-width of the 95% confidence interval around the mean.
    pub half_width: Option<f64>,
    /// Samples behind the figures.
    pub n: usize,
}

/// Mean and 95% confidence half-width of `samples`; `None` when there are none.
pub fn mean_ci95(samples: &[f64]) -> Option<MeanCi> {
    let n = samples.len();
    if n == 0 {
        return None;
    }
    let mean = samples.iter().sum::<f64>() / n as f64;
    let half_width = (n >= 2).then(|| {
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        t975(n - 1) * (var / n as f64).sqrt()
    });
    Some(MeanCi {
        mean,
        half_width,
        n,
    })
}

/// The 97.5% quantile of Student's t distribution with `df` degrees of freedom (`df` >= 1):
/// exact table values up to 30, then the Cornish-Fisher expansion around the normal quantile
/// (error below 1e-4 there).
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    assert!(df >= 1, "t975 needs at least one degree of freedom");
    if df <= 30 {
        return TABLE[df - 1];
    }
    let z = 1.959_963_984_540_054_f64;
    let v = df as f64;
    let g1 = (z.powi(3) + z) / 4.0;
    let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
    let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
    z + g1 / v + g2 / (v * v) + g3 / (v * v * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert_eq!(t975(1), 12.706);
        assert_eq!(t975(4), 2.776);
        // Published values: t(0.975; 40) = 2.0211, t(0.975; 120) = 1.9799.
        assert!((t975(40) - 2.0211).abs() < 2e-4, "{}", t975(40));
        assert!((t975(120) - 1.9799).abs() < 2e-4, "{}", t975(120));
        assert!((t975(100_000) - 1.96).abs() < 1e-3);
    }

    #[test]
    fn confidence_interval_of_known_samples() {
        // Mean 3, sample variance 2.5, n = 5: half-width = 2.776 * sqrt(2.5 / 5).
        let ci = mean_ci95(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(ci.mean, 3.0);
        assert!((ci.half_width.unwrap() - 2.776 * 0.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(mean_ci95(&[7.0]).unwrap().half_width, None);
        assert_eq!(mean_ci95(&[]), None);
    }
}
