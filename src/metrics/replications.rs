//! The summary of `run --replications R`: every headline figure as a mean over R seeds with
//! the half-width of its 95% confidence interval (from [`super::headline::mean_ci95`]).
//!
//! Pure data and arithmetic; the JSON and table forms live in `report::replications`.

use indexmap::IndexMap;
use serde::Serialize;

use super::headline::{HEADLINE_FIELDS, Headline, mean_ci95};

/// R replications of one scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Replications {
    /// Number of replications.
    pub n: usize,
    /// The seed of each replication, in order.
    pub seeds: Vec<u64>,
    /// Per figure of [`HEADLINE_FIELDS`], in that order.
    pub figures: IndexMap<String, Figure>,
}

/// One figure over the replications.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Figure {
    /// Mean over the replications where the figure is defined; `null` when it is defined
    /// in none (a percentile when nothing ever completed).
    pub mean: Option<f64>,
    /// Half-width of the two-sided 95% confidence interval (Student's t); `null` with fewer
    /// than two defined values.
    pub half_width: Option<f64>,
}

impl Replications {
    /// Summarises the headline figures of runs made with `seeds` (same order).
    pub fn of(seeds: Vec<u64>, runs: &[Headline]) -> Replications {
        let figures = HEADLINE_FIELDS
            .iter()
            .map(|&name| {
                let xs: Vec<f64> = runs.iter().filter_map(|h| h.get(name).flatten()).collect();
                let ci = mean_ci95(&xs);
                (
                    name.to_string(),
                    Figure {
                        mean: ci.map(|c| c.mean),
                        half_width: ci.and_then(|c| c.half_width),
                    },
                )
            })
            .collect();
        Replications {
            n: runs.len(),
            seeds,
            figures,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_and_half_widths() {
        let runs: Vec<Headline> = [1.0, 2.0, 3.0]
            .iter()
            .map(|&t| Headline {
                throughput_rps: t,
                p99_ms: (t > 1.0).then_some(t),
                ..Default::default()
            })
            .collect();
        let r = Replications::of(vec![1, 2, 3], &runs);
        assert_eq!(r.n, 3);
        let t = r.figures["throughput_rps"];
        assert_eq!(t.mean, Some(2.0));
        assert!((t.half_width.unwrap() - 4.303 * (1.0f64 / 3.0).sqrt()).abs() < 1e-9);
        assert_eq!(r.figures["p99_ms"].mean, Some(2.5));
        assert_eq!(r.figures["mean_ms"].mean, None);
    }
}
