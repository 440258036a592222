//! The grid of a sweep: every combination of the varied values, times the replications,
//! numbered by run index; the overrides that make each grid point.

use super::MAX_RUNS;
use super::values::Vary;
use crate::Override;

/// The runs of a sweep: every combination of the varied values, times the replications.
/// Run `i` is replication `i % replications` of grid point `i / replications`; the first
/// parameter changes slowest.
#[derive(Clone, Debug)]
pub struct Grid {
    /// The varied parameters, in `--vary` order.
    pub params: Vec<Vary>,
    /// Runs per grid point.
    pub replications: u64,
}

impl Grid {
    /// Checks the grid: at least one parameter, no path twice, at least one replication,
    /// at most [`MAX_RUNS`] runs.
    pub fn new(params: Vec<Vary>, replications: u64) -> Result<Grid, String> {
        if params.is_empty() {
            return Err("nothing to vary: give at least one --vary path=values".into());
        }
        for (i, p) in params.iter().enumerate() {
            if params[..i].iter().any(|q| q.path == p.path) {
                return Err(format!("--vary {} is given twice", p.path));
            }
        }
        if replications == 0 {
            return Err("--replications: expected a whole number >= 1, found 0".into());
        }
        // Exact in u128 for any replication count; `None` only past 10^38 runs.
        let runs = params.iter().try_fold(u128::from(replications), |runs, p| {
            runs.checked_mul(p.values.len() as u128)
        });
        if runs.is_none_or(|r| r > u128::from(MAX_RUNS)) {
            let sizes: Vec<String> = params.iter().map(|p| p.values.len().to_string()).collect();
            return Err(format!(
                "the grid has {} x {replications} replication(s) = {} runs, more than {MAX_RUNS}: use fewer values or split the study",
                sizes.join(" x "),
                runs.map_or("over 10^38".to_string(), |r| r.to_string())
            ));
        }
        Ok(Grid {
            params,
            replications,
        })
    }

    /// Grid points (combinations of values).
    pub fn points(&self) -> u64 {
        self.params.iter().map(|p| p.values.len() as u64).product()
    }

    /// Runs: points x replications.
    pub fn runs(&self) -> u64 {
        self.points() * self.replications
    }

    /// The value of every parameter at grid point `point`.
    pub fn values(&self, point: u64) -> Vec<&str> {
        let mut rest = point;
        let mut out = vec![""; self.params.len()];
        for (i, p) in self.params.iter().enumerate().rev() {
            let n = p.values.len() as u64;
            out[i] = &p.values[(rest % n) as usize];
            rest /= n;
        }
        out
    }

    /// The overrides that make grid point `point`.
    pub fn overrides(&self, point: u64) -> Vec<Override> {
        self.params
            .iter()
            .zip(self.values(point))
            .map(|(p, v)| Override {
                path: p.path.clone(),
                value: v.to_string(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_order_and_limits() {
        let g = Grid::new(
            vec!["a=1,2".parse().unwrap(), "b=x,y,z".parse().unwrap()],
            2,
        )
        .unwrap();
        assert_eq!(g.runs(), 12);
        assert_eq!(g.values(0), ["1", "x"]);
        assert_eq!(g.values(1), ["1", "y"]);
        assert_eq!(g.values(5), ["2", "z"]);
        let e = Grid::new(
            vec!["a=1..1000".parse().unwrap(), "b=1..1000".parse().unwrap()],
            1,
        )
        .unwrap_err();
        assert!(e.contains("1000 x 1000"), "{e}");
        assert!(Grid::new(vec!["a=1".parse().unwrap(), "a=2".parse().unwrap()], 1).is_err());
        // The product is exact, however many replications.
        let e = Grid::new(vec!["a=1,2".parse().unwrap()], u64::MAX).unwrap_err();
        assert_eq!(
            e,
            "the grid has 2 x 18446744073709551615 replication(s) = 36893488147419103230 runs, more than 100000: use fewer values or split the study"
        );
    }
}
