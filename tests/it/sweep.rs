//! `sweep`, `merge`, `capacity` and `run --replications` through the binary: value syntax,
//! the CSV (snapshot, thread count, partitions, resume), a capacity answer known from
//! theory, and confidence intervals over replications.

use std::fs;
use std::path::Path;

use crate::{fails, ok, scalesim, scalesim_env, temp_with};

/// M/M/1 instances behind a random balancer: each of `c` instances sees Poisson arrivals at
/// 600/c per second and serves in exp(10 ms), so its response time is exponential with rate
/// 100 - 600/c per second and p99 = ln(100) / (100 - 600/c): 322 ms for c = 7, 184 ms for
/// c = 8 (and 138 ms for c = 9).
const MM1S: &str = r#"name: "M/M/1 instances behind a random balancer"
seed: 3
duration: 60s
warmup: 5s
traffic:
  rate: 600
network:
  hop: {const: 0s}
entry: lb
components:
  lb: {kind: load_balancer, policy: random, to: web, latency: {const: 0s}}
  web:
    kind: server
    count: 1
    workers: 1
    service: {exp: 10ms}
"#;

/// A temporary directory holding the scenario as `s.yaml`.
fn setup() -> tempfile::TempDir {
    temp_with(&[("s.yaml", MM1S)])
}

/// A small grid: 2 rates x 2 instance counts x 2 replications = 8 runs of 4 s.
const GRID: [&str; 11] = [
    "--vary",
    "traffic.rate=300,500",
    "--vary",
    "web.count=4..5",
    "--replications",
    "2",
    "--set",
    "duration=4s",
    "--set",
    "warmup=1s",
    "-q",
];

fn sweep_to(dir: &Path, csv: &str, extra: &[&str], threads: Option<&str>) -> String {
    let mut args = vec!["sweep", "s.yaml", "--csv", csv];
    args.extend(GRID);
    args.extend(extra);
    let env: Vec<(&str, &str)> = threads
        .map(|t| ("RAYON_NUM_THREADS", t))
        .into_iter()
        .collect();
    ok(&scalesim_env(dir, &args, &env));
    fs::read_to_string(dir.join(csv)).unwrap()
}

/// The values of column `col` of a CSV's rows (after a partition's size line and the header).
fn column(csv: &str, col: usize) -> Vec<String> {
    csv.lines()
        .skip_while(|l| l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').nth(col).unwrap().to_string())
        .collect()
}

#[test]
fn values_lists_ranges_decimals_and_units() {
    let dir = setup();
    let base = ["--set", "duration=1s", "--set", "warmup=0s", "-q"];
    let cases: [(&str, &[&str]); 4] = [
        (
            "traffic.rate=100.1..100.3:0.1",
            &["100.1", "100.2", "100.3"],
        ),
        ("duration=1s..3s:1s", &["1s", "2s", "3s"]),
        ("web.count=1,3,2", &["1", "3", "2"]),
        (
            "traffic.rate=0.5..1.5:0.25",
            &["0.5", "0.75", "1", "1.25", "1.5"],
        ),
    ];
    for (vary, want) in cases {
        let mut args = vec!["sweep", "s.yaml", "--csv", "v.csv", "--vary", vary];
        // `duration` is the varied value in one case: do not override it there.
        let skip = usize::from(vary.starts_with("duration")) * 2;
        args.extend(&base[skip..]);
        ok(&scalesim(dir.path(), &args));
        let csv = fs::read_to_string(dir.path().join("v.csv")).unwrap();
        assert_eq!(column(&csv, 1), want, "{vary}");
    }
    let out = scalesim(
        dir.path(),
        &[
            "sweep",
            "s.yaml",
            "--csv",
            "v.csv",
            "--vary",
            "web.service={uniform: [5ms, 8ms]},{exp: 8ms}",
            "--set",
            "duration=1s",
            "--set",
            "warmup=0s",
            "-q",
        ],
    );
    ok(&out);
    let csv = fs::read_to_string(dir.path().join("v.csv")).unwrap();
    // Commas inside braces do not split the list; a value with a comma is quoted.
    assert!(csv.contains("\n0,\"{uniform: [5ms, 8ms]}\",3,"), "{csv}");
    assert!(csv.contains("\n1,{exp: 8ms},"), "{csv}");
}

#[test]
fn bad_values_and_paths_are_rejected() {
    let dir = setup();
    let cases: [(&[&str], &str); 9] = [
        (
            &["--vary", "traffic.rate=500..100:100"],
            "is empty: its end is below its start",
        ),
        (
            &["--vary", "traffic.rate=100..500:0"],
            "must be greater than zero",
        ),
        (
            &["--vary", "traffic.rate=100..500:-100"],
            "must be greater than zero",
        ),
        (&["--vary", "duration=1s..5ms:1ms"], "mixes units"),
        (&["--vary", "traffic.rate=1,,2"], "is empty"),
        (
            &[
                "--vary",
                "traffic.rate=1..1000",
                "--vary",
                "web.count=1..1000",
            ],
            "the grid has 1000 x 1000 x 1 replication(s) = 1000000 runs, more than 100000",
        ),
        (
            &["--vary", "web.workerz=1,2"],
            "with --vary web.workerz=1:\ns.yaml: components.web.workerz: unknown field `workerz`; did you mean `workers`?",
        ),
        (
            &["--vary", "web.count=2,0"],
            "with --vary web.count=0:\ns.yaml: components.web.count: expected a whole number of instances >= 1, found 0",
        ),
        (
            &["--vary", "web.count=1", "--partition", "0/4"],
            "expected K/N with 1 <= K <= N",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["sweep", "s.yaml"];
        all.extend(args);
        let err = fails(&scalesim(dir.path(), &all));
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert!(
        !dir.path().join("results").exists(),
        "a rejected sweep wrote files"
    );
}

#[test]
fn sweep_csv_snapshot_and_chart() {
    let dir = setup();
    let csv = sweep_to(dir.path(), "out/grid.csv", &[], None);
    insta::assert_snapshot!("sweep_csv", csv);
    for f in ["out/grid-p99_ms.png", "out/grid-p99_ms.svg"] {
        assert!(
            fs::metadata(dir.path().join(f)).unwrap().len() > 1000,
            "{f}"
        );
    }
    // Without --csv: results/sweep-<stem>/sweep.csv, the chart beside it.
    let mut args = vec!["sweep", "s.yaml"];
    args.extend(GRID);
    ok(&scalesim(dir.path(), &args));
    let res = dir.path().join("results/sweep-s");
    assert_eq!(fs::read_to_string(res.join("sweep.csv")).unwrap(), csv);
    assert!(res.join("sweep-p99_ms.png").exists() && res.join("sweep-p99_ms.svg").exists());
}

#[test]
fn same_csv_on_one_thread_and_many() {
    let dir = setup();
    let one = sweep_to(dir.path(), "one.csv", &[], Some("1"));
    let many = sweep_to(dir.path(), "many.csv", &[], Some("4"));
    assert_eq!(one, many);
}

#[test]
fn merged_partitions_equal_the_single_machine_csv() {
    let dir = setup();
    let full = sweep_to(dir.path(), "full.csv", &[], None);
    let mut parts = Vec::new();
    for k in 1..=3 {
        let (p, share) = (format!("parts/{k}.csv"), format!("{k}/3"));
        let part = sweep_to(dir.path(), &p, &["--partition", &share], None);
        // Only this share's run indices.
        for run in column(&part, 0) {
            assert_eq!(run.parse::<u64>().unwrap() % 3, k - 1, "{share}");
        }
        parts.push(p);
    }
    let mut args = vec!["merge", "-o", "all.csv", "--no-chart"];
    args.extend(parts.iter().map(String::as_str));
    assert!(ok(&scalesim(dir.path(), &args)).starts_with("merged 3 files"));
    assert_eq!(
        fs::read_to_string(dir.path().join("all.csv")).unwrap(),
        full
    );
    // --quiet: the same file, nothing printed.
    args[2] = "quiet.csv";
    args.push("--quiet");
    assert_eq!(ok(&scalesim(dir.path(), &args)), "");
    assert_eq!(
        fs::read_to_string(dir.path().join("quiet.csv")).unwrap(),
        full
    );

    // A missing share is an error that names the missing runs, unless allowed.
    let err = fails(&scalesim(
        dir.path(),
        &["merge", "-o", "two.csv", "parts/1.csv", "parts/3.csv"],
    ));
    assert!(
        err.contains("3 of 8 runs are missing (run 1, 4, 7)"),
        "{err}"
    );
    ok(&scalesim(
        dir.path(),
        &[
            "merge",
            "-o",
            "two.csv",
            "--allow-missing",
            "--no-chart",
            "parts/1.csv",
            "parts/3.csv",
        ],
    ));
    // The same share twice is a duplicate.
    let err = fails(&scalesim(
        dir.path(),
        &["merge", "-o", "dup.csv", "parts/1.csv", "parts/1.csv"],
    ));
    assert!(err.contains("run 0 is in both"), "{err}");
}

#[test]
fn a_partition_records_the_sweep_size_so_merge_names_every_missing_run() {
    let dir = setup();
    // 2 values x 3 replications = 6 runs in 3 shares: share 3/3 holds runs 2 and 5.
    let grid = [
        "--vary",
        "web.count=4,5",
        "--replications",
        "3",
        "--set",
        "duration=2s",
        "--set",
        "warmup=1s",
        "-q",
    ];
    for k in 1..=3 {
        let (csv, share) = (format!("p{k}.csv"), format!("{k}/3"));
        let mut args = vec!["sweep", "s.yaml", "--csv", &csv, "--partition", &share];
        args.extend(grid);
        ok(&scalesim(dir.path(), &args));
    }
    let p1 = fs::read_to_string(dir.path().join("p1.csv")).unwrap();
    assert!(
        p1.starts_with("# scalesim sweep of 6 runs, partition 1/3\nrun,web.count,seed,"),
        "{p1}"
    );
    let err = fails(&scalesim(
        dir.path(),
        &["merge", "-o", "m.csv", "p1.csv", "p2.csv"],
    ));
    assert_eq!(
        err,
        "Error: 2 of 6 runs are missing (run 2, 5); share 3/3 is not among the inputs: merge it too, or pass --allow-missing\n"
    );
    let out = scalesim(
        dir.path(),
        &[
            "merge",
            "-o",
            "m.csv",
            "--allow-missing",
            "--no-chart",
            "p1.csv",
            "p2.csv",
        ],
    );
    ok(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "warning: 2 of 6 runs are missing (run 2, 5); merged without them (--allow-missing)\n"
    );
    // The merge is a whole sweep's CSV: no size line.
    let merged = fs::read_to_string(dir.path().join("m.csv")).unwrap();
    assert!(merged.starts_with("run,"), "{merged}");
    let err = fails(&scalesim(
        dir.path(),
        &["merge", "-o", "m.csv", "--runs", "8", "p1.csv", "p2.csv"],
    ));
    assert_eq!(err, "Error: --runs 8: p1.csv records a sweep of 6 runs\n");

    // A part of another sweep (2 shares) does not join these.
    let mut args = vec!["sweep", "s.yaml", "--csv", "q.csv", "--partition", "1/2"];
    args.extend(grid);
    ok(&scalesim(dir.path(), &args));
    let err = fails(&scalesim(
        dir.path(),
        &["merge", "-o", "m.csv", "p2.csv", "q.csv"],
    ));
    assert_eq!(
        err,
        "Error: q.csv: records a sweep of 6 runs in 2 shares, but p2.csv records 6 runs in 3 shares: these are not parts of one sweep\n"
    );

    // Parts written before the size line was recorded still merge, the size inferred.
    for k in 1..=3 {
        let text = fs::read_to_string(dir.path().join(format!("p{k}.csv"))).unwrap();
        let old = text.split_once('\n').unwrap().1;
        fs::write(dir.path().join(format!("old{k}.csv")), old).unwrap();
    }
    ok(&scalesim(
        dir.path(),
        &[
            "merge",
            "-o",
            "all.csv",
            "--no-chart",
            "old1.csv",
            "old2.csv",
            "old3.csv",
        ],
    ));
    ok(&scalesim(
        dir.path(),
        &[
            "merge",
            "-o",
            "all2.csv",
            "--no-chart",
            "p1.csv",
            "p2.csv",
            "p3.csv",
        ],
    ));
    assert_eq!(
        fs::read_to_string(dir.path().join("all.csv")).unwrap(),
        fs::read_to_string(dir.path().join("all2.csv")).unwrap()
    );
    // A partition resumes from its own file, size line included.
    let mut args = vec![
        "sweep",
        "s.yaml",
        "--csv",
        "p1.csv",
        "--partition",
        "1/3",
        "--resume",
    ];
    args.extend(&grid[..grid.len() - 1]);
    let summary = ok(&scalesim(dir.path(), &args));
    assert!(summary.contains("ran 0, kept 2"), "{summary}");
    assert_eq!(fs::read_to_string(dir.path().join("p1.csv")).unwrap(), p1);
}

#[test]
fn resume_after_an_interrupted_sweep() {
    let dir = setup();
    let full = sweep_to(dir.path(), "full.csv", &[], None);
    // A stopped sweep: the header, three finished rows and half of a fourth.
    let lines: Vec<&str> = full.split_inclusive('\n').collect();
    let torn = format!("{}{}", lines[..4].concat(), &lines[4][..lines[4].len() / 2]);
    fs::write(dir.path().join("stopped.csv"), &torn).unwrap();
    let mut args = vec!["sweep", "s.yaml", "--csv", "stopped.csv", "--resume"];
    args.extend(&GRID[..GRID.len() - 1]);
    let summary = ok(&scalesim(dir.path(), &args));
    assert!(
        summary.contains("ran 5, kept 3, dropped 1 incomplete line(s)"),
        "{summary}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("stopped.csv")).unwrap(),
        full
    );
}

#[test]
fn resume_drops_rows_with_impossible_figures_and_runs_them_again() {
    let dir = setup();
    let full = sweep_to(dir.path(), "full.csv", &[], None);
    let header: Vec<&str> = full.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut lines: Vec<String> = full.lines().map(str::to_string).collect();
    let mut set = |line: usize, name: &str, value: &str| {
        let mut cells: Vec<String> = lines[line].split(',').map(str::to_string).collect();
        cells[col(name)] = value.to_string();
        lines[line] = cells.join(",");
    };
    set(2, "p99_ms", "NaN");
    set(4, "offered", "-5");
    set(6, "availability", "1.5");
    fs::write(dir.path().join("bad.csv"), lines.join("\n") + "\n").unwrap();
    let mut args = vec!["sweep", "s.yaml", "--csv", "bad.csv", "--resume"];
    args.extend(&GRID[..GRID.len() - 1]);
    let out = scalesim(dir.path(), &args);
    let summary = ok(&out);
    assert!(summary.contains("ran 3, kept 5"), "{summary}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "warning: bad.csv:3: run 1: p99_ms is NaN, not a finite number; the row is dropped and the run done again\n\
         warning: bad.csv:5: run 3: offered is -5, negative; the row is dropped and the run done again\n\
         warning: bad.csv:7: run 5: availability is 1.5, a share above 1; the row is dropped and the run done again\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("bad.csv")).unwrap(),
        full
    );
}

#[test]
fn capacity_finds_the_theoretical_answer_and_the_limit() {
    let dir = setup();
    let out = ok(&scalesim(
        dir.path(),
        &[
            "capacity",
            "s.yaml",
            "--slo",
            "p99<250ms",
            "--vary",
            "web.count=1..16",
        ],
    ));
    assert!(
        out.contains("answer: web.count=8 is the smallest value that meets every objective (web.count=7 fails, limited by web at 8"),
        "{out}"
    );
    // Binary search: far fewer probes than values.
    assert!(out.matches("probe ").count() <= 6, "{out}");

    let out = ok(&scalesim(
        dir.path(),
        &[
            "capacity",
            "s.yaml",
            "--slo",
            "p99<20ms",
            "--vary",
            "web.count=1..4",
        ],
    ));
    assert!(
        out.contains("answer: none — even web.count=4, the largest value, fails; limited by web at 100.0% utilization"),
        "{out}"
    );
    for (slo, needle) in [
        ("p98<1ms", "unknown metric `p98`"),
        ("p99=1ms", "expected <metric><op><value>[unit]"),
        ("availability>99", "is a share"),
        ("p99<3kg", "expected a unit ms, s or us"),
    ] {
        let err = fails(&scalesim(
            dir.path(),
            &[
                "capacity",
                "s.yaml",
                "--slo",
                slo,
                "--vary",
                "web.count=1..4",
            ],
        ));
        assert!(err.contains(needle), "{slo}: {err}");
    }
}

#[test]
fn replications_are_reproducible_and_narrow_with_more_runs() {
    let dir = setup();
    let json = |r: &str| -> serde_json::Value {
        let out = ok(&scalesim(
            dir.path(),
            &[
                "run",
                "s.yaml",
                "--set",
                "web.count=8",
                "--set",
                "duration=10s",
                "--json",
                "-",
                "--no-wall-clock",
                "--replications",
                r,
            ],
        ));
        serde_json::from_str(&out).unwrap()
    };
    let a = json("3");
    assert_eq!(a, json("3"), "same seed, same JSON");
    let reps = &a["replications"];
    assert_eq!(reps["n"], 3);
    assert_eq!(reps["seeds"][0], 3, "replication 1 uses the base seed");
    assert_eq!(a["seed"], 3);
    let hw = |v: &serde_json::Value| {
        v["replications"]["figures"]["mean_ms"]["half_width"]
            .as_f64()
            .unwrap()
    };
    let b = json("12");
    assert!(
        hw(&b) < hw(&a),
        "R=12: {} not below R=3: {}",
        hw(&b),
        hw(&a)
    );
    // R = 1 is a plain run.
    let one = json("1");
    assert!(one.get("replications").is_none());
    assert_eq!(one["requests"], a["requests"]);
}

#[test]
fn capacity_values_must_ascend_when_they_are_numbers() {
    let dir = setup();
    let capacity = |vary: &str| {
        scalesim(
            dir.path(),
            &[
                "capacity",
                "s.yaml",
                "--slo",
                "p99<200ms",
                "--vary",
                vary,
                "--set",
                "duration=2s",
                "--set",
                "warmup=1s",
            ],
        )
    };
    assert_eq!(
        fails(&capacity("web.count=8,2,4")),
        "Error: --vary web.count: the values to search must ascend (smallest first), but 8 comes before 2\n"
    );
    assert_eq!(
        fails(&capacity("traffic.timeout=500ms,250ms")),
        "Error: --vary traffic.timeout: the values to search must ascend (smallest first), but 500ms comes before 250ms\n"
    );
    // Words have no order to check: they are searched in the order given, the last first.
    let out = ok(&capacity("lb.policy=round_robin,random"));
    let probes: Vec<&str> = out.lines().filter(|l| l.starts_with("probe ")).collect();
    assert!(probes[0].starts_with("probe lb.policy=random:"), "{out}");
}
