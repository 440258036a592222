//! Partitions (`--partition K/N`, round-robin over run indices) and the first line of a
//! partition CSV ([`share_line`]), which records the size of the whole sweep and the share.

use std::fmt;
use std::str::FromStr;

use super::MAX_RUNS;

/// `--partition K/N`: this machine runs the run indices `i` with `i % N == K - 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// 1-based share number.
    pub k: u64,
    /// Number of shares.
    pub n: u64,
}

impl FromStr for Partition {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (like 2/8), found `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        if n > MAX_RUNS {
            return Err(format!(
                "expected at most {MAX_RUNS} shares (the most runs a sweep may have), found {n} in `{s}`"
            ));
        }
        Ok(Partition { k, n })
    }
}

impl Partition {
    /// Whether run `index` belongs to this share.
    pub fn contains(&self, index: u64) -> bool {
        index % self.n == self.k - 1
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// What a partition CSV records about its sweep: the number of runs of the whole sweep and
/// the share it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    /// Runs of the whole sweep (every partition).
    pub runs: u64,
    /// The share this file holds.
    pub partition: Partition,
}

pub(super) const SHARE_PREFIX: &str = "# scalesim sweep of ";

/// The first line of a partition CSV, before the header: `# scalesim sweep of 6 runs,
/// partition 1/3`. CSV readers that skip `#` comments (pandas' `comment="#"`) read past it;
/// [`read_table`](super::read_table) reads it so that `merge` knows the sweep's size.
pub fn share_line(share: Share) -> String {
    format!(
        "{SHARE_PREFIX}{} runs, partition {}\n",
        share.runs, share.partition
    )
}

pub(super) fn parse_share_line(line: &str) -> Option<Share> {
    let rest = line.trim_end().strip_prefix(SHARE_PREFIX)?;
    let (runs, partition) = rest.split_once(" runs, partition ")?;
    Some(Share {
        runs: runs.parse().ok()?,
        partition: partition.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions() {
        let p: Partition = "2/3".parse().unwrap();
        assert!(p.contains(1) && p.contains(4) && !p.contains(0));
        for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn partitions_have_at_most_as_many_shares_as_a_sweep_has_runs() {
        assert_eq!(
            "1/100000".parse::<Partition>().unwrap(),
            Partition { k: 1, n: 100_000 }
        );
        assert_eq!(
            "1/18446744073709551615".parse::<Partition>().unwrap_err(),
            "expected at most 100000 shares (the most runs a sweep may have), found 18446744073709551615 in `1/18446744073709551615`"
        );
    }
}
