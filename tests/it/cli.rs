//! The command line end to end: `run` outputs, flags, determinism through the binary.

use crate::{assert_outputs, fails, ok, root, scalesim};

fn stage(name: &str) -> String {
    root()
        .join("scenarios")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn run_prints_a_table_and_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = scalesim(
        dir.path(),
        &[
            "run",
            &stage("03-load-balancer.yaml"),
            "--set",
            "duration=15s",
            "--set",
            "warmup=3s",
        ],
    );
    let table = ok(&out);
    for needle in [
        "03 load balancer",
        "offered",
        "availability",
        "throughput",
        "p99.9",
        "errors",
        "component",
        "db",
        "bottleneck",
        "outputs: results/03-load-balancer/",
    ] {
        assert!(table.contains(needle), "table lacks `{needle}`:\n{table}");
    }
    let res = dir.path().join("results/03-load-balancer");
    assert_outputs(
        &res,
        &[
            "summary.json",
            "summary.csv",
            "timeseries.csv",
            "latency.png",
            "latency.svg",
            "timeseries.png",
            "timeseries.svg",
            "components.png",
            "components.svg",
        ],
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(res.join("summary.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "seed",
        "duration_s",
        "warmup_s",
        "requests",
        "throughput_rps",
        "latency_ms",
        "errors",
        "classes",
        "components",
        "engine",
    ] {
        assert!(json.get(key).is_some(), "summary.json lacks {key}");
    }
    let png = std::fs::read(res.join("latency.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&res)
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.starts_with('.').then_some(n)
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn every_flag_of_run_works() {
    let dir = tempfile::tempdir().unwrap();
    let out = scalesim(
        dir.path(),
        &[
            "run",
            &stage("03-load-balancer.yaml"),
            "--seed",
            "9",
            "--set",
            "web.count=6",
            "--set",
            "traffic.rate=3000",
            "--set",
            "duration=10s",
            "--set",
            "warmup=2s",
            "--json",
            "-",
            "--csv",
            "out.csv",
            "--timeseries",
            "ts.csv",
            "--out",
            "DIR",
            "--quiet",
        ],
    );
    ok(&out);
    // `--json -` prints only JSON on stdout.
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is exactly one JSON document");
    assert_eq!(json["seed"], 9);
    assert_eq!(json["components"]["web"]["instances"], 6);
    let offered = json["requests"]["offered"].as_u64().unwrap();
    assert!(
        (offered as f64 - 24_000.0).abs() < 1_000.0,
        "rate 3000 for 8 s: {offered}"
    );
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(csv.starts_with("scope,name,metric,value\n"), "{csv}");
    let ts = std::fs::read_to_string(dir.path().join("ts.csv")).unwrap();
    // The run-level columns first (goodput beside throughput); the per-component groups follow.
    assert!(ts.starts_with("t_s,offered,completed,failed,throughput_rps,goodput_rps,error_rate,p50_ms,p99_ms,util_dns,util_lb,util_web,util_db,inst_dns,inst_lb,inst_web,inst_db,arrivals_dns,"), "{ts}");
    assert!(
        ts.lines()
            .next()
            .unwrap()
            .ends_with(",queue_dns,queue_lb,queue_web,queue_db"),
        "{ts}"
    );
    assert_eq!(ts.lines().count(), 1 + 10, "one row per 1 s window");
    assert!(dir.path().join("DIR/summary.json").exists());
    assert!(
        !dir.path().join("results").exists(),
        "--out replaces results/<stem>"
    );
}

#[test]
fn same_seed_gives_byte_identical_json_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let args = |seed: &'static str| {
        vec![
            "run",
            "X",
            "--json",
            "-",
            "--no-wall-clock",
            "--seed",
            seed,
            "--set",
            "duration=10s",
            "--set",
            "warmup=1s",
            "--out",
            "o",
        ]
    };
    let f = stage("02-app-db-separation.yaml");
    let run = |seed| {
        let mut a = args(seed);
        a[1] = &f;
        scalesim(dir.path(), &a).stdout
    };
    let (a, b, c) = (run("4"), run("4"), run("5"));
    assert!(!a.is_empty());
    assert_eq!(a, b, "same seed, same bytes");
    assert_ne!(a, c, "another seed, other numbers");
}

#[test]
fn several_scenarios_in_one_run_and_their_limits() {
    let dir = tempfile::tempdir().unwrap();
    let out = scalesim(
        dir.path(),
        &[
            "run",
            &stage("01-single-server.yaml"),
            &stage("02-app-db-separation.yaml"),
            "--set",
            "duration=5s",
            "--set",
            "warmup=1s",
            "-q",
        ],
    );
    ok(&out);
    assert!(out.stdout.is_empty(), "--quiet prints nothing");
    assert!(
        dir.path()
            .join("results/01-single-server/summary.json")
            .exists()
    );
    assert!(
        dir.path()
            .join("results/02-app-db-separation/summary.json")
            .exists()
    );
    let out = scalesim(
        dir.path(),
        &[
            "run",
            &stage("01-single-server.yaml"),
            &stage("02-app-db-separation.yaml"),
            "--json",
            "x.json",
        ],
    );
    assert!(fails(&out).contains("take a single scenario"));
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let files: Vec<String> = crate::all_scenarios()
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let out = scalesim(&root(), &args);
    ok(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        files.len()
    );
}

#[test]
fn summary_of_a_small_seeded_run() {
    // The deterministic core, pinned: any change to the engine, the model or the report shows here.
    let sc = crate::load(
        "scenarios/02-app-db-separation.yaml",
        &["duration=3s", "warmup=1s", "traffic.rate=200"],
    );
    let r = crate::run_seed(&sc, 1);
    insta::assert_snapshot!("summary_02_small", scalesim::report::json::to_json(&r));
}

#[test]
fn traces_are_json_lines_and_change_no_figure() {
    let dir = tempfile::tempdir().unwrap();
    let f = stage("05-cache.yaml");
    let base = [
        "run",
        f.as_str(),
        "--set",
        "duration=10s",
        "--set",
        "warmup=1s",
        "--no-wall-clock",
        "--json",
        "-",
        "--out",
        "o",
    ];
    let plain = scalesim(dir.path(), &base);
    let mut traced_args = base.to_vec();
    traced_args.extend(["--trace", "t.jsonl", "--trace-sample", "0.01"]);
    let traced = scalesim(dir.path(), &traced_args);
    ok(&traced);
    assert_eq!(
        plain.stdout, traced.stdout,
        "sampling draws from its own stream"
    );
    let text = std::fs::read_to_string(dir.path().join("t.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(
        (150..=350).contains(&lines.len()),
        "about 1% of ~25,000 requests: {}",
        lines.len()
    );
    for l in &lines {
        let spans = l["spans"].as_array().unwrap();
        if l["outcome"] == "ok" {
            assert!(!spans.is_empty(), "{l}");
            let last = spans.last().unwrap();
            assert!(
                last["component"] == "lb" || last["component"] == "web",
                "the entry's span ends last: {l}"
            );
        }
        for s in spans {
            assert!(
                s["wait_ms"].as_f64().unwrap() >= 0.0 && s["service_ms"].as_f64().unwrap() >= 0.0
            );
            assert!(s["end_ms"].as_f64().unwrap() >= s["arrive_ms"].as_f64().unwrap());
        }
    }
    let bad = scalesim(
        dir.path(),
        &["run", f.as_str(), "--trace", "x", "--trace-sample", "2"],
    );
    fails(&bad);
}

#[cfg(unix)]
#[test]
fn devices_as_output_paths_are_written_through_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let out = scalesim(
        dir.path(),
        &[
            "run",
            &stage("01-single-server.yaml"),
            "--set",
            "duration=5s",
            "--set",
            "warmup=1s",
            "--csv",
            "/dev/stdout",
            "--timeseries",
            "/dev/null",
            "--out",
            "DIR",
            "--quiet",
        ],
    );
    ok(&out);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("scope,name,metric,value\n"),
        "the summary CSV goes to standard output: {stdout}"
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device(),
        "/dev/null must stay a device"
    );
}

/// A one-second, one-server scenario in a fresh directory, as `t.yaml`.
fn tiny() -> tempfile::TempDir {
    crate::temp_with(&[(
        "t.yaml",
        "name: t\nduration: 1s\ntraffic: {rate: 100}\nentry: web\ncomponents:\n  \
         web: {kind: server, workers: 1, service: {const: 1ms}}\n",
    )])
}

/// The whole stderr of a clap error for an invalid value.
fn invalid(value: &str, flag: &str, why: &str) -> String {
    format!(
        "error: invalid value '{value}' for '{flag}': {why}\n\nFor more information, try '--help'.\n"
    )
}

#[test]
fn trace_sample_is_checked_while_parsing() {
    let dir = tiny();
    for bad in ["nan", "inf", "2", "0", "-0.5", "half"] {
        let arg = format!("--trace-sample={bad}");
        let err = fails(&scalesim(
            dir.path(),
            &["run", "t.yaml", "--trace", "t.jsonl", &arg],
        ));
        assert_eq!(
            err,
            invalid(
                bad,
                "--trace-sample <P>",
                &format!(
                    "expected a share of requests greater than 0 and at most 1, found `{bad}`"
                )
            )
        );
    }
    let err = fails(&scalesim(
        dir.path(),
        &["run", "t.yaml", "--trace-sample=0.5"],
    ));
    assert_eq!(
        err,
        "error: the following required arguments were not provided:\n  --trace <PATH>\n\n\
         Usage: scalesim run --trace <PATH> --trace-sample <P> <SCENARIO>...\n\n\
         For more information, try '--help'.\n"
    );
    assert!(!dir.path().join("results").exists(), "nothing ran");
}

#[test]
fn output_paths_are_checked_before_running() {
    let dir = tiny();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    std::fs::write(dir.path().join("f"), "x").unwrap();
    let empty = "empty path; give a file path, or `-` for standard output";
    let cases: &[(&[&str], String)] = &[
        (
            &["run", "t.yaml", "--json", ""],
            invalid("", "--json <PATH>", empty),
        ),
        (
            &["run", "t.yaml", "--csv", ""],
            invalid("", "--csv <PATH>", empty),
        ),
        (
            &["run", "t.yaml", "--timeseries", "d"],
            invalid(
                "d",
                "--timeseries <PATH>",
                "`d` is a directory; expected a file path",
            ),
        ),
        (
            &["run", "t.yaml", "--trace", "f/t.jsonl"],
            invalid(
                "f/t.jsonl",
                "--trace <PATH>",
                "`f/t.jsonl`: `f` is a file, so nothing can be created under it",
            ),
        ),
        (
            &["run", "t.yaml", "--out", "f"],
            invalid("f", "--out <DIR>", "`f` is a file; expected a directory"),
        ),
        (
            &["run", "t.yaml", "--out", ""],
            invalid("", "--out <DIR>", "empty path; give a directory"),
        ),
        (
            &[
                "capacity",
                "t.yaml",
                "--max-load",
                "--slo",
                "p99<10ms",
                "--json",
                "",
            ],
            invalid("", "--json <PATH>", empty),
        ),
        (
            &["sweep", "t.yaml", "--vary", "web.workers=1,2", "--csv", "d"],
            invalid(
                "d",
                "--csv <PATH>",
                "`d` is a directory; expected a file path",
            ),
        ),
        (
            &["merge", "x.csv", "-o", ""],
            invalid("", "--output <PATH>", empty),
        ),
        (
            &["compare", "t.yaml", "--out", "f"],
            invalid("f", "--out <DIR>", "`f` is a file; expected a directory"),
        ),
        (
            &["journey", "--out", "f/j"],
            invalid(
                "f/j",
                "--out <DIR>",
                "`f/j`: `f` is a file, so nothing can be created under it",
            ),
        ),
    ];
    for (args, want) in cases {
        assert_eq!(&fails(&scalesim(dir.path(), args)), want, "{args:?}");
    }
    assert!(!dir.path().join("results").exists(), "nothing ran");
}

#[test]
fn an_output_that_cannot_be_written_is_bad_input_naming_the_target() {
    let dir = tiny();
    // `summary.json` is a directory inside the output directory: found only when writing.
    std::fs::create_dir_all(dir.path().join("o/summary.json")).unwrap();
    let err = fails(&scalesim(
        dir.path(),
        &["run", "t.yaml", "--out", "o", "-q"],
    ));
    assert_eq!(
        err,
        "Error: o/summary.json: is a directory; expected a file path\n"
    );
    #[cfg(target_os = "linux")]
    {
        // Nothing can be created in /proc, whoever runs the test.
        let err = fails(&scalesim(
            dir.path(),
            &[
                "run",
                "t.yaml",
                "--out",
                "o2",
                "-q",
                "--json",
                "/proc/x.json",
            ],
        ));
        assert_eq!(
            err,
            "Error: /proc/x.json: could not create the file: No such file or directory (os error 2)\n"
        );
    }
    let names: Vec<String> = std::fs::read_dir(dir.path().join("o"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["summary.json"], "no temporary file is left");
}

#[test]
fn a_dash_means_standard_output_for_every_single_file_output() {
    let dir = tiny();
    let run = |flag: &str| {
        ok(&scalesim(
            dir.path(),
            &["run", "t.yaml", "--out", "o", "--no-wall-clock", flag, "-"],
        ))
    };
    let json = run("--json");
    assert!(json.starts_with("{\n"), "{json}");
    assert_eq!(
        json,
        std::fs::read_to_string(dir.path().join("o/summary.json")).unwrap()
    );
    assert_eq!(
        run("--csv"),
        std::fs::read_to_string(dir.path().join("o/summary.csv")).unwrap()
    );
    assert_eq!(
        run("--timeseries"),
        std::fs::read_to_string(dir.path().join("o/timeseries.csv")).unwrap()
    );
    let trace = ok(&scalesim(
        dir.path(),
        &[
            "run",
            "t.yaml",
            "--out",
            "o",
            "--trace",
            "-",
            "--trace-sample",
            "1",
        ],
    ));
    // Every request of about 100 (Poisson arrivals at 100/s for 1 s), one JSON line each.
    assert!((50..=150).contains(&trace.lines().count()), "{trace}");
    assert!(trace.lines().all(|l| l.starts_with('{')), "{trace}");
    assert!(!dir.path().join("-").exists(), "no file named `-`");

    let err = fails(&scalesim(
        dir.path(),
        &["run", "t.yaml", "--json", "-", "--csv", "-"],
    ));
    assert_eq!(
        err,
        "Error: --json and --csv both name `-` (standard output), which can carry only one of them; give the others a file path\n"
    );
    let err = fails(&scalesim(
        dir.path(),
        &[
            "run",
            "t.yaml",
            "--csv",
            "-",
            "--timeseries",
            "-",
            "--trace",
            "-",
        ],
    ));
    assert_eq!(
        err,
        "Error: --csv, --timeseries and --trace all name `-` (standard output), which can carry only one of them; give the others a file path\n"
    );
    let err = fails(&scalesim(
        dir.path(),
        &["sweep", "t.yaml", "--vary", "web.workers=1,2", "--csv", "-"],
    ));
    assert_eq!(
        err,
        "Error: --csv -: a sweep appends each row to its CSV as the run finishes and can resume from it, so it needs a file; give a file path and read it, or `scalesim merge FILE -o -` it to standard output\n"
    );
    ok(&scalesim(
        dir.path(),
        &[
            "sweep",
            "t.yaml",
            "--vary",
            "web.workers=1,2",
            "--csv",
            "s.csv",
            "-q",
        ],
    ));
    let merged = ok(&scalesim(dir.path(), &["merge", "s.csv", "-o", "-"]));
    assert_eq!(
        merged,
        std::fs::read_to_string(dir.path().join("s.csv")).unwrap()
    );
}

#[test]
fn completions_for_every_shell_know_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let subcommands = [
        "run",
        "validate",
        "compare",
        "capacity",
        "completions",
        "man",
    ];
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = ok(&scalesim(dir.path(), &["completions", shell]));
        for sub in subcommands {
            assert!(text.contains(sub), "{shell}: no `{sub}` in the completions");
        }
        assert!(text.contains("trace-format"), "{shell}: flags missing");
    }
    // The bash script parses.
    if let Ok(status) = std::process::Command::new("bash")
        .args([
            "-n",
            "-c",
            &ok(&scalesim(dir.path(), &["completions", "bash"])),
        ])
        .status()
    {
        assert!(status.success(), "bash -n rejects the completion script");
    }
    fails(&scalesim(dir.path(), &["completions", "tcsh"]));
}

#[test]
fn man_prints_the_page_and_writes_one_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let page = ok(&scalesim(dir.path(), &["man"]));
    assert!(page.contains(".TH scalesim 1"), "{page}");
    assert!(page.contains("capacity"));
    let listed = ok(&scalesim(dir.path(), &["man", "--out", "man1"]));
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(listed.lines().count(), names.len());
    for want in [
        "scalesim.1",
        "scalesim-run.1",
        "scalesim-capacity.1",
        "scalesim-man.1",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    let run = std::fs::read_to_string(dir.path().join("man1/scalesim-run.1")).unwrap();
    assert!(
        run.contains(".TH scalesim-run 1") && run.contains("trace\\-format"),
        "{run}"
    );
}

#[test]
fn a_scenario_can_come_from_standard_input_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = root().join("scenarios/01-single-server.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let args = [
        "--set",
        "duration=10s",
        "--set",
        "warmup=1s",
        "--json",
        "-",
        "--no-wall-clock",
    ];
    let from_file = ok(&scalesim(
        dir.path(),
        &[&["run", file.to_str().unwrap()][..], &args[..]].concat(),
    ));
    let piped = assert_cmd::cargo::cargo_bin_cmd!("scalesim")
        .current_dir(dir.path())
        .args([&["run", "-"][..], &args[..]].concat())
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(ok(&piped), from_file);
    assert!(dir.path().join("results/stdin/summary.json").exists());
    // Problems are named after <stdin>.
    let bad = assert_cmd::cargo::cargo_bin_cmd!("scalesim")
        .current_dir(dir.path())
        .args(["validate", "-"])
        .write_stdin(text.replace("workers: 8", "workers: many"))
        .output()
        .unwrap();
    let err = fails(&bad);
    assert!(err.starts_with("<stdin>:"), "{err}");
    assert!(err.contains("<stdin>: 1 problem found"), "{err}");
    // Twice is refused.
    let twice = assert_cmd::cargo::cargo_bin_cmd!("scalesim")
        .current_dir(dir.path())
        .args(["compare", "-", "-", "--quiet"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(fails(&twice).contains("can be read only once"));
}

#[test]
fn jobs_changes_the_threads_not_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        root().join("scenarios/01-single-server.yaml"),
        root().join("scenarios/02-app-db-separation.yaml"),
    ];
    let mut outputs = Vec::new();
    for jobs in ["1", "2"] {
        let out = format!("out{jobs}");
        ok(&scalesim(
            dir.path(),
            &[
                "compare",
                files[0].to_str().unwrap(),
                files[1].to_str().unwrap(),
                "--set",
                "duration=10s",
                "--set",
                "warmup=1s",
                "--quiet",
                "--out",
                &out,
                "-j",
                jobs,
            ],
        ));
        outputs.push(std::fs::read_to_string(dir.path().join(out).join("compare.csv")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    fails(&scalesim(
        dir.path(),
        &["-j", "0", "validate", files[0].to_str().unwrap()],
    ));
}

#[test]
fn json_on_standard_output_for_validate_compare_sweep_and_journey() {
    let stage = |n: u32| {
        format!(
            "name: s{n}\nduration: 10s\nwarmup: 1s\ntraffic: {{rate: 100}}\nentry: app\n\
             components:\n  app: {{kind: server, count: {n}, workers: 4, service: {{exp: 10ms}}}}\n"
        )
    };
    let (one, two) = (stage(1), stage(2));
    let dir = crate::temp_with(&[
        ("st/01-one.yaml", &one),
        ("st/02-two.yaml", &two),
        ("bad.yaml", &one.replace("count: 1", "count: x")),
    ]);
    let json = |out: &str| -> serde_json::Value {
        serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
    };
    // validate: the verdict, with the problems' places; exit 1 when a file has problems.
    let v = json(&ok(&scalesim(
        dir.path(),
        &["validate", "st/01-one.yaml", "--json", "-"],
    )));
    assert_eq!(v["ok"], true);
    assert_eq!(v["files"][0]["name"], "s1");
    let out = scalesim(
        dir.path(),
        &["validate", "st/01-one.yaml", "bad.yaml", "--json", "-"],
    );
    fails(&out);
    let v = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(v["ok"], false);
    assert_eq!(
        v["files"][1]["problems"][0]["field"],
        "components.app.count"
    );
    assert_eq!(v["files"][1]["problems"][0]["line"], 7);
    // compare: compare.json's content.
    let c = ok(&scalesim(
        dir.path(),
        &[
            "compare",
            "st/01-one.yaml",
            "st/02-two.yaml",
            "--out",
            "cmp",
            "--json",
            "-",
        ],
    ));
    assert_eq!(
        c,
        std::fs::read_to_string(dir.path().join("cmp/compare.json")).unwrap()
    );
    assert_eq!(json(&c)["stages"].as_array().unwrap().len(), 2);
    // sweep: the summary.
    let s = json(&ok(&scalesim(
        dir.path(),
        &[
            "sweep",
            "st/01-one.yaml",
            "--vary",
            "app.count=1,2",
            "--out",
            "sw",
            "--json",
            "-",
        ],
    )));
    assert_eq!(s["runs"], 2);
    assert_eq!(s["means"][1]["values"]["app.count"], "2");
    assert!(dir.path().join(s["csv"].as_str().unwrap()).exists());
    // journey: journey.json's content.
    let j = ok(&scalesim(
        dir.path(),
        &[
            "journey",
            "--scenarios",
            "st",
            "--out",
            "j",
            "--no-capacity",
            "--json",
            "-",
        ],
    ));
    assert_eq!(
        j,
        std::fs::read_to_string(dir.path().join("j/journey.json")).unwrap()
    );
}
