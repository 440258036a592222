//! Joining partition CSVs into the CSV one machine would have written: strict reading,
//! matching headers and recorded sizes, no run twice, the missing runs and absent shares.

use std::collections::BTreeMap;

use super::csv::{SweepTable, read_table};
use super::{MAX_CSV_BYTES, MAX_RUNS, SweepError};
use crate::input::size_text;

/// `2 of 6 runs are missing (run 2, 5)`: the runs in `missing` (the first 20 of them) out of
/// `expected`.
pub fn missing_text(missing: &[u64], expected: u64) -> String {
    let shown: Vec<String> = missing.iter().take(20).map(u64::to_string).collect();
    format!(
        "{} of {expected} runs are missing (run {}{})",
        missing.len(),
        shown.join(", "),
        if missing.len() > 20 { ", ..." } else { "" }
    )
}

/// What [`merge`] joined.
#[derive(Debug)]
pub struct Merged {
    /// The rows of every input (with no share: the merge is the whole sweep).
    pub table: SweepTable,
    /// The number of runs of the whole sweep.
    pub expected: u64,
    /// The runs in `0..expected` that no input holds.
    pub missing: Vec<u64>,
}

/// Joins partial sweep CSVs (`sources`: name and text) into the CSV one machine would have
/// written: [`Merger::add`] for each source, then [`Merger::finish`] with `runs` and
/// `allow_missing`.
pub fn merge(
    sources: &[(String, String)],
    runs: Option<u64>,
    allow_missing: bool,
) -> Result<Merged, SweepError> {
    let mut merger = Merger::default();
    for (name, text) in sources {
        merger.add(name, text)?;
    }
    merger.finish(runs, allow_missing)
}

/// Joins partial sweep CSVs one at a time, so that a caller reading files holds one file's
/// text at once: [`Merger::add`] each, then [`Merger::finish`]. Headers must match; a run
/// index may appear in one file only; the merged rows must fit in [`MAX_CSV_BYTES`].
#[derive(Debug, Default)]
pub struct Merger {
    /// The inputs' names, in the order added, for messages.
    names: Vec<String>,
    /// The rows so far, with the first input's parameters.
    merged: Option<SweepTable>,
    /// The input each run came from.
    from: BTreeMap<u64, usize>,
    /// The size of the sweep a partition CSV records (runs, shares) and the first input
    /// that recorded it.
    recorded: Option<(u64, u64, usize)>,
    /// The shares the partition CSVs hold.
    shares_seen: std::collections::BTreeSet<u64>,
    /// Whether some input records no size (a whole sweep's CSV, or an older partition CSV).
    unrecorded: bool,
    /// The bytes of the rows so far.
    bytes: usize,
}

impl Merger {
    /// Adds the sweep CSV `text`; `name` names it in messages.
    pub fn add(&mut self, name: &str, text: &str) -> Result<(), SweepError> {
        let k = self.names.len();
        self.names.push(name.to_string());
        let t = read_table(text, name)?;
        match t.share {
            Some(share) => {
                let (runs, n) = (share.runs, share.partition.n);
                match self.recorded {
                    None => self.recorded = Some((runs, n, k)),
                    Some((r, m, first)) if (r, m) != (runs, n) => {
                        return Err(SweepError::Input(format!(
                            "{name}: records a sweep of {runs} runs in {n} shares, but {} records {r} runs in {m} shares: these are not parts of one sweep",
                            self.names[first]
                        )));
                    }
                    Some(_) => {}
                }
                self.shares_seen.insert(share.partition.k);
            }
            None => self.unrecorded = true,
        }
        self.bytes = self
            .bytes
            .saturating_add(t.rows.values().map(|r| r.line.len()).sum());
        if self.bytes > MAX_CSV_BYTES {
            return Err(SweepError::Input(format!(
                "{name}: with it the merged rows are larger than {}, the largest sweep CSV scalesim reads",
                size_text(MAX_CSV_BYTES)
            )));
        }
        match &mut self.merged {
            None => {
                self.from.extend(t.rows.keys().map(|&i| (i, k)));
                self.merged = Some(t);
            }
            Some(m) => {
                if m.params != t.params {
                    return Err(SweepError::Input(format!(
                        "{name}: its columns ({}) differ from those of {} ({}): these are not parts of one sweep",
                        t.params.join(", "),
                        self.names[0],
                        m.params.join(", ")
                    )));
                }
                for (i, row) in t.rows {
                    if let Some(&other) = self.from.get(&i) {
                        return Err(SweepError::Input(format!(
                            "run {i} is in both {} and {name}",
                            self.names[other]
                        )));
                    }
                    self.from.insert(i, k);
                    m.rows.insert(i, row);
                }
            }
        }
        Ok(())
    }

    /// The merge of the inputs added. The expected runs are `0..runs` when given, else the
    /// size the partition CSVs record ([`share_line`](super::share_line); they must agree), else, for files that
    /// record none, inferred from the rows: the product of the number of distinct values of
    /// each parameter times the replications, or the largest index + 1 if that is larger.
    /// Each is at most [`MAX_RUNS`]. Missing runs are an error unless `allow_missing`; they
    /// are returned.
    pub fn finish(self, runs: Option<u64>, allow_missing: bool) -> Result<Merged, SweepError> {
        let Merger {
            names,
            merged,
            recorded,
            shares_seen,
            unrecorded,
            ..
        } = self;
        if let Some(n) = runs
            && n > MAX_RUNS
        {
            return Err(SweepError::Input(format!(
                "--runs {n}: more runs than a sweep may have ({MAX_RUNS})"
            )));
        }
        let mut table = merged.ok_or_else(|| SweepError::Input("merge: no input files".into()))?;
        table.share = None;
        let last = table.rows.last_key_value().map(|(&i, _)| i);
        let expected = match (runs, recorded) {
            (Some(n), Some((r, _, first))) if n != r => {
                return Err(SweepError::Input(format!(
                    "--runs {n}: {} records a sweep of {r} runs",
                    names[first]
                )));
            }
            (Some(n), _) => n,
            (None, Some((r, _, _))) => r,
            (None, None) => {
                let replications = table
                    .rows
                    .values()
                    .map(|r| r.replication + 1)
                    .max()
                    .unwrap_or(0);
                let mut product = replications;
                let mut sizes = Vec::new();
                for c in 0..table.params.len() {
                    let distinct: std::collections::BTreeSet<&str> =
                        table.rows.values().map(|r| r.values[c].as_str()).collect();
                    product = product.saturating_mul(distinct.len() as u64);
                    sizes.push(distinct.len().to_string());
                }
                if product > MAX_RUNS {
                    return Err(SweepError::Input(format!(
                        "the inputs' rows make a grid of {} value(s) x {replications} replication(s) = {product} runs, more than a sweep may have ({MAX_RUNS}); give the sweep's size with --runs",
                        sizes.join(" x ")
                    )));
                }
                product.max(last.map_or(0, |i| i + 1))
            }
        };
        if let Some(last) = last
            && last >= expected
        {
            return Err(SweepError::Input(match runs {
                Some(n) => format!("--runs {n}: the inputs hold run {last}, which is beyond it"),
                None => format!(
                    "the inputs hold run {last}, beyond the {expected} runs their sweep records"
                ),
            }));
        }
        let missing: Vec<u64> = (0..expected)
            .filter(|i| !table.rows.contains_key(i))
            .collect();
        if !missing.is_empty() && !allow_missing {
            // Name the absent shares when every input says which share it is.
            let absent: Vec<u64> = match recorded {
                Some((_, n, _)) if !unrecorded => {
                    (1..=n).filter(|k| !shares_seen.contains(k)).collect()
                }
                _ => Vec::new(),
            };
            let n = recorded.map_or(0, |(_, n, _)| n);
            let mut shown: Vec<String> =
                absent.iter().take(20).map(|k| format!("{k}/{n}")).collect();
            if absent.len() > 20 {
                shown.push("...".into());
            }
            let hint = match absent.len() {
                0 => "merge the missing part too".to_string(),
                1 => format!("share {} is not among the inputs: merge it too", shown[0]),
                _ => format!(
                    "shares {} are not among the inputs: merge them too",
                    shown.join(", ")
                ),
            };
            return Err(SweepError::Input(format!(
                "{}; {hint}, or pass --allow-missing",
                missing_text(&missing, expected)
            )));
        }
        Ok(Merged {
            table,
            expected,
            missing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::headline::Headline;
    use crate::sweep::{csv_header, csv_line, csv_row};

    #[test]
    fn csv_round_trip_and_merge() {
        let params = vec!["web.count".to_string()];
        let h = Headline {
            throughput_rps: 10.5,
            availability: 1.0,
            p99_ms: Some(3.25),
            bottleneck: Some("web".into()),
            bottleneck_utilization: Some(0.5),
            ..Default::default()
        };
        let mut a = csv_line(&csv_header(&params));
        let mut b = a.clone();
        a.push_str(&csv_row(0, &["1"], 7, 0, &h));
        b.push_str(&csv_row(1, &["2"], 9, 0, &h));
        let t = read_table(&a, "a").unwrap();
        assert_eq!(
            t.rows[&0].figures[SweepTable::figure_index("p99_ms").unwrap()],
            Some(3.25)
        );
        let m = merge(
            &[("a".into(), a.clone()), ("b".into(), b.clone())],
            None,
            false,
        )
        .unwrap();
        assert!(m.missing.is_empty());
        assert_eq!(m.table.rows.len(), 2);
        let e = merge(
            &[("a".into(), a.clone()), ("a2".into(), a.clone())],
            None,
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("run 0 is in both a and a2"), "{e}");
        let m = merge(&[("b".into(), b.clone())], Some(3), true).unwrap();
        assert_eq!(m.missing, [0, 2]);
        assert!(merge(&[("b".into(), b.clone())], Some(1), true).is_err());
        let e = merge(&[("b".into(), b)], None, false).unwrap_err();
        assert!(
            e.to_string().contains("1 of 2 runs are missing (run 0)"),
            "{e}"
        );
        let torn = format!("{a}1,2,9");
        assert!(read_table(&torn, "t").is_err());
    }

    /// A sweep CSV over `web.count`: an optional first line, the header, a row per
    /// `(run, value, replication)`.
    fn csv_of(first: &str, rows: &[(u64, &str, u64)]) -> String {
        let h = Headline {
            availability: 1.0,
            ..Default::default()
        };
        let mut s = first.to_string();
        s.push_str(&csv_line(&csv_header(&["web.count".to_string()])));
        for &(i, v, r) in rows {
            s.push_str(&csv_row(i, &[v], 7, r, &h));
        }
        s
    }

    fn merge_err(sources: &[(&str, String)], runs: Option<u64>) -> String {
        let sources: Vec<(String, String)> = sources
            .iter()
            .map(|(n, t)| (n.to_string(), t.clone()))
            .collect();
        merge(&sources, runs, true).unwrap_err().to_string()
    }

    #[test]
    fn merge_counts_are_capped_at_the_largest_sweep() {
        let one = csv_of("", &[(0, "1", 0)]);
        assert_eq!(
            merge_err(&[("a.csv", one.clone())], Some(u64::MAX)),
            "--runs 18446744073709551615: more runs than a sweep may have (100000)"
        );
        assert_eq!(
            merge(&[("a.csv".into(), one.clone())], Some(MAX_RUNS), true)
                .unwrap()
                .missing
                .len() as u64,
            MAX_RUNS - 1
        );
        // The size a partition CSV records.
        let huge = csv_of(
            "# scalesim sweep of 18446744073709551615 runs, partition 1/2\n",
            &[(0, "1", 0)],
        );
        assert_eq!(
            merge_err(&[("p.csv", huge)], None),
            "p.csv:1: records a sweep of 18446744073709551615 runs, more than a sweep may run (100000)"
        );
        let many_shares = csv_of(
            "# scalesim sweep of 4 runs, partition 1/18446744073709551615\n",
            &[(0, "1", 0)],
        );
        assert!(
            merge_err(&[("p.csv", many_shares)], None).starts_with("p.csv:1: not a sweep's size"),
        );
        // A run index beyond any sweep, which would make the inferred size huge.
        let far = csv_of("", &[(u64::MAX, "1", 0)]);
        assert_eq!(
            merge_err(&[("far.csv", far)], None),
            "far.csv:2: run 18446744073709551615 cannot be in a sweep (a sweep has at most 100000 runs, numbered from 0)"
        );
        // A grid inferred from the rows that no sweep can have.
        let wide = csv_of("", &[(0, "1", 0), (1, "2", 99_999)]);
        assert_eq!(
            merge_err(&[("w.csv", wide)], None),
            "the inputs' rows make a grid of 2 value(s) x 100000 replication(s) = 200000 runs, more than a sweep may have (100000); give the sweep's size with --runs"
        );
    }

    #[test]
    fn absent_shares_are_listed_up_to_twenty() {
        let part = csv_of(
            "# scalesim sweep of 100000 runs, partition 1/100000\n",
            &[(0, "1", 0)],
        );
        let e = merge(&[("p.csv".into(), part)], None, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with(
                "shares 2/100000, 3/100000, 4/100000, 5/100000, 6/100000, 7/100000, 8/100000, 9/100000, 10/100000, 11/100000, 12/100000, 13/100000, 14/100000, 15/100000, 16/100000, 17/100000, 18/100000, 19/100000, 20/100000, 21/100000, ... are not among the inputs: merge them too, or pass --allow-missing"
            ),
            "{e}"
        );
    }

    #[test]
    fn merged_rows_must_fit_in_the_largest_csv() {
        let mut m = Merger::default();
        m.add("a.csv", &csv_of("", &[(0, "1", 0)])).unwrap();
        // Pretend the rows so far are nearly the limit.
        m.bytes = MAX_CSV_BYTES - 10;
        let e = m.add("b.csv", &csv_of("", &[(1, "2", 0)])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "b.csv: with it the merged rows are larger than 256 MiB, the largest sweep CSV scalesim reads"
        );
    }
}
