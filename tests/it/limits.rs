//! Inputs read in bounded memory and counts that cannot grow without bound, through the
//! binary: scenario files larger than `MAX_FILE_BYTES` or not UTF-8, sweep CSVs larger than
//! `MAX_CSV_BYTES` or not UTF-8, and run counts above `MAX_RUNS`. Every case exits 1 with one
//! whole message.

use scalesim::scenario::MAX_FILE_BYTES;

use crate::{fails, ok, scalesim, temp_with};

const SCENARIO: &str = "\
name: t
duration: 2s
traffic: {rate: 10}
entry: web
components:
  web: {kind: server, workers: 2, service: {exp: 1ms}}
";

/// The scenario padded with a comment to `len` bytes.
fn padded(len: usize) -> Vec<u8> {
    let mut text = format!("{SCENARIO}# ").into_bytes();
    text.resize(len - 1, b'x');
    text.push(b'\n');
    text
}

/// A directory with `s.yaml`, `at.yaml` (exactly the limit), `big.yaml` (one byte more) and
/// `stages/01-big.yaml` (the same), and `bad.yaml`, not UTF-8 at offset 8.
fn setup() -> tempfile::TempDir {
    let dir = temp_with(&[("s.yaml", SCENARIO)]);
    let p = dir.path();
    std::fs::write(p.join("at.yaml"), padded(MAX_FILE_BYTES)).unwrap();
    std::fs::write(p.join("big.yaml"), padded(MAX_FILE_BYTES + 1)).unwrap();
    std::fs::create_dir(p.join("stages")).unwrap();
    std::fs::write(p.join("stages/01-big.yaml"), padded(MAX_FILE_BYTES + 1)).unwrap();
    std::fs::write(p.join("bad.yaml"), b"name: t\n\xc3( rest\n").unwrap();
    dir
}

#[test]
fn scenario_files_larger_than_the_limit_are_refused_by_every_command() {
    let dir = setup();
    let too_large = |file: &str| {
        format!("Error: {file}: larger than 4 MiB, the largest scenario file scalesim reads\n")
    };
    let slo = ["--slo", "p99<1s"];
    let cases: Vec<Vec<&str>> = vec![
        vec!["validate", "big.yaml"],
        vec!["validate", "s.yaml", "big.yaml"],
        vec!["run", "big.yaml"],
        vec!["compare", "s.yaml", "big.yaml"],
        vec!["diagram", "big.yaml"],
        vec!["sweep", "big.yaml", "--vary", "web.workers=1,2"],
        vec![
            "capacity",
            "big.yaml",
            slo[0],
            slo[1],
            "--vary",
            "web.workers=1,2",
        ],
        vec!["capacity", "big.yaml", slo[0], slo[1], "--max-load"],
    ];
    for args in cases {
        let err = fails(&scalesim(dir.path(), &args));
        assert_eq!(err, too_large("big.yaml"), "{args:?}");
    }
    let err = fails(&scalesim(dir.path(), &["journey", "--scenarios", "stages"]));
    assert_eq!(err, too_large("stages/01-big.yaml"));
    assert!(!dir.path().join("results").exists());
    // A file of exactly the limit is read.
    let out = ok(&scalesim(dir.path(), &["validate", "at.yaml"]));
    assert_eq!(out, "at.yaml: ok (t: 1 component, 1 request class)\n");
}

#[cfg(unix)]
#[test]
fn an_endless_device_as_a_scenario_is_read_up_to_the_limit() {
    let dir = setup();
    let err = fails(&scalesim(dir.path(), &["validate", "/dev/zero"]));
    assert_eq!(
        err,
        "Error: /dev/zero: larger than 4 MiB, the largest scenario file scalesim reads\n"
    );
}

#[test]
fn scenario_files_that_are_not_utf8_are_refused_naming_the_byte() {
    let dir = setup();
    let want = "Error: bad.yaml: not UTF-8 text: the byte at offset 8 (0xc3) is not valid UTF-8\n";
    for args in [
        vec!["validate", "bad.yaml"],
        vec!["run", "bad.yaml"],
        vec!["sweep", "bad.yaml", "--vary", "web.workers=1,2"],
    ] {
        assert_eq!(fails(&scalesim(dir.path(), &args)), want, "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn merge_reads_at_most_the_largest_sweep_csv() {
    let dir = setup();
    let err = fails(&scalesim(
        dir.path(),
        &["merge", "/dev/zero", "-o", "m.csv"],
    ));
    assert_eq!(
        err,
        "Error: /dev/zero: larger than 256 MiB, the largest sweep CSV scalesim reads\n"
    );
}

#[test]
fn sweep_csvs_that_are_not_utf8_are_refused_naming_the_byte() {
    let dir = setup();
    std::fs::write(dir.path().join("bad.csv"), b"run,\xff\n").unwrap();
    let err = fails(&scalesim(dir.path(), &["merge", "bad.csv", "-o", "m.csv"]));
    assert_eq!(
        err,
        "Error: bad.csv: not UTF-8 text: the byte at offset 4 (0xff) is not valid UTF-8\n"
    );
    let err = fails(&scalesim(
        dir.path(),
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "web.workers=1,2",
            "--csv",
            "bad.csv",
            "--resume",
            "-q",
        ],
    ));
    assert_eq!(
        err,
        "Error: bad.csv: not UTF-8 text: the byte at offset 4 (0xff) is not valid UTF-8; --resume cannot keep its rows: use another --csv or remove the file\n"
    );
    assert!(!dir.path().join("m.csv").exists());
}

/// clap's message for a value of `flag` that its parser refused with `why`.
fn invalid(value: &str, flag: &str, why: &str) -> String {
    format!(
        "error: invalid value '{value}' for '{flag}': {why}\n\nFor more information, try '--help'.\n"
    )
}

#[test]
fn run_counts_above_the_largest_sweep_are_refused() {
    let dir = setup();
    let max = u64::MAX.to_string();
    for runs in [max.as_str(), "100001", "0"] {
        let err = fails(&scalesim(
            dir.path(),
            &["merge", "x.csv", "-o", "m.csv", "--runs", runs],
        ));
        assert_eq!(
            err,
            invalid(
                runs,
                "--runs <N>",
                &format!(
                    "expected a whole number of runs from 1 to 100000 (the most a sweep may have), found `{runs}`"
                )
            )
        );
    }
    let share = format!("1/{max}");
    let err = fails(&scalesim(
        dir.path(),
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "web.workers=1,2",
            "--partition",
            &share,
        ],
    ));
    assert_eq!(
        err,
        invalid(
            &share,
            "--partition <K/N>",
            &format!(
                "expected at most 100000 shares (the most runs a sweep may have), found {max} in `{share}`"
            )
        )
    );
    let err = fails(&scalesim(
        dir.path(),
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "web.workers=1,2",
            "--replications",
            &max,
        ],
    ));
    assert_eq!(
        err,
        format!(
            "Error: the grid has 2 x {max} replication(s) = 36893488147419103230 runs, more than 100000: use fewer values or split the study\n"
        )
    );
    // Sizes written in the CSVs themselves.
    let header = "run,web.workers,seed,replication,throughput_rps,goodput_rps,availability,error_rate,mean_ms,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,offered,completed,failed,bottleneck,bottleneck_utilization\n";
    let row = |i: &str| format!("{i},1,7,0,1,1,1,0,1,1,1,1,1,1,1,1,0,web,0.5\n");
    std::fs::write(
        dir.path().join("p.csv"),
        format!(
            "# scalesim sweep of {max} runs, partition 1/2\n{header}{}",
            row("0")
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("far.csv"), format!("{header}{}", row(&max))).unwrap();
    let err = fails(&scalesim(dir.path(), &["merge", "p.csv", "-o", "m.csv"]));
    assert_eq!(
        err,
        format!(
            "Error: p.csv:1: records a sweep of {max} runs, more than a sweep may run (100000)\n"
        )
    );
    let err = fails(&scalesim(
        dir.path(),
        &["merge", "far.csv", "-o", "m.csv", "--allow-missing"],
    ));
    assert_eq!(
        err,
        format!(
            "Error: far.csv:2: run {max} cannot be in a sweep (a sweep has at most 100000 runs, numbered from 0)\n"
        )
    );
    assert!(!dir.path().join("m.csv").exists());
}
