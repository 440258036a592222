//! Interruption, through the binary: SIGINT and SIGTERM remove the temporaries of the writes
//! in progress and exit 130 and 143; the files already written stay whole; a signal ignored
//! at start stays ignored; an interrupted sweep keeps its rows for `--resume`.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::{ok, scalesim, temp_with};

/// A run that simulates about 2,000 requests per simulated second: `--set duration=...`
/// makes it as long as a test needs.
const SCENARIO: &str = "\
name: long
duration: 600s
traffic: {rate: 2000}
entry: web
components:
  web: {kind: server, workers: 4, service: {exp: 1ms}}
";

/// The binary with `args`, started in `dir`, with `env` set, its output discarded.
fn start(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scalesim"));
    cmd.current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.spawn().expect("start scalesim")
}

/// Sends `signal` (`INT`, `TERM`) to `child` with kill(1).
fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill(1) is needed for this test");
    assert!(status.success(), "kill -{signal} failed");
}

/// Waits until `child` catches SIGTERM (its handler is installed): on Linux, until
/// `/proc/PID/status` says so; elsewhere, a second.
fn wait_until_caught(child: &mut Child) {
    if !cfg!(target_os = "linux") {
        std::thread::sleep(Duration::from_secs(1));
        return;
    }
    let status = format!("/proc/{}/status", child.id());
    let started = Instant::now();
    loop {
        let caught = std::fs::read_to_string(&status)
            .ok()
            .and_then(|s| {
                let hex = s
                    .lines()
                    .find_map(|l| l.strip_prefix("SigCgt:"))?
                    .trim()
                    .to_string();
                u64::from_str_radix(&hex, 16).ok()
            })
            .unwrap_or(0);
        // SIGTERM is signal 15: bit 14.
        if caught & (1 << 14) != 0 {
            return;
        }
        assert!(child.try_wait().unwrap().is_none(), "scalesim ended");
        assert!(started.elapsed() < Duration::from_secs(60), "no handler");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits for `child` to end, at most `limit`; kills it and fails the test past that.
fn wait(child: &mut Child, limit: Duration) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("scalesim did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The temporaries (`.tmp` in the name) in `dir`; none for a missing directory.
fn temporaries(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect()
}

#[test]
fn ctrl_c_while_the_outputs_are_written_removes_the_temporary_and_exits_130() {
    let dir = temp_with(&[("s.yaml", SCENARIO)]);
    let out = dir.path().join("o");
    let tmpdir = dir.path().join("tmp");
    std::fs::create_dir(&tmpdir).unwrap();
    // The outputs take a fraction of a second to write; a poll every 100 us sees a temporary
    // almost always. When the run ended first, try again.
    for _attempt in 0..10 {
        let _ = std::fs::remove_dir_all(&out);
        let mut child = start(
            dir.path(),
            &["run", "s.yaml", "--out", "o", "-q"],
            &[("TMPDIR", tmpdir.as_os_str())],
        );
        let seen = loop {
            if !temporaries(&out).is_empty() {
                break true;
            }
            if child.try_wait().expect("wait").is_some() {
                break false;
            }
            std::thread::sleep(Duration::from_micros(100));
        };
        if !seen {
            continue;
        }
        send(&child, "INT");
        let status = wait(&mut child, Duration::from_secs(30));
        assert_eq!(status.code(), Some(130), "{status:?}");
        assert_eq!(temporaries(&out), Vec::<String>::new());
        assert_eq!(temporaries(&tmpdir), Vec::<String>::new());
        // What was written before the signal is whole.
        if let Ok(text) = std::fs::read_to_string(out.join("summary.json")) {
            serde_json::from_str::<serde_json::Value>(&text).expect("a whole summary.json");
        }
        return;
    }
    panic!("no temporary was seen in 10 runs");
}

#[test]
fn sigterm_while_writing_to_a_fifo_removes_the_temporary_and_exits_143() {
    let dir = temp_with(&[("s.yaml", SCENARIO)]);
    let fifo = dir.path().join("pipe.json");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(
        made.is_ok_and(|s| s.success()),
        "mkfifo is needed for this test"
    );
    let tmpdir = dir.path().join("tmp");
    std::fs::create_dir(&tmpdir).unwrap();
    // The JSON goes through a temporary in TMPDIR, then into the FIFO, which nobody reads:
    // the binary waits there with the temporary in place.
    let mut child = start(
        dir.path(),
        &["run", "s.yaml", "--out", "o", "--json", "pipe.json", "-q"],
        &[("TMPDIR", tmpdir.as_os_str())],
    );
    let start_wait = Instant::now();
    while temporaries(&tmpdir).is_empty() {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "scalesim ended before writing the FIFO"
        );
        assert!(
            start_wait.elapsed() < Duration::from_secs(120),
            "no temporary"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let names = temporaries(&tmpdir);
    assert!(
        names.len() == 1 && names[0].starts_with("scalesim.") && names[0].ends_with(".tmp.json"),
        "{names:?}"
    );
    send(&child, "TERM");
    let status = wait(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert_eq!(temporaries(&tmpdir), Vec::<String>::new());
    // The FIFO is still a FIFO, and the outputs written before are all there.
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    let mut written: Vec<String> = std::fs::read_dir(dir.path().join("o"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut want = scalesim::report::RUN_OUTPUT_FILES
        .map(String::from)
        .to_vec();
    want.sort();
    assert_eq!(written, want);
}

#[test]
fn a_signal_during_the_simulation_exits_at_once_and_writes_nothing() {
    let dir = temp_with(&[("s.yaml", SCENARIO)]);
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let mut child = start(
            dir.path(),
            &[
                "run",
                "s.yaml",
                "--set",
                "duration=100000s",
                "--out",
                "o",
                "-q",
            ],
            &[],
        );
        wait_until_caught(&mut child);
        std::thread::sleep(Duration::from_millis(100));
        send(&child, signal);
        let status = wait(&mut child, Duration::from_secs(10));
        assert_eq!(status.code(), Some(code), "{signal}: {status:?}");
        assert!(!dir.path().join("o").exists(), "{signal}");
    }
}

/// `nohup` and the background jobs of a script start a program with SIGINT ignored; it must
/// stay ignored. Linux only: elsewhere the binary cannot tell.
#[cfg(target_os = "linux")]
#[test]
fn a_sigint_ignored_at_start_stays_ignored() {
    let dir = temp_with(&[("s.yaml", SCENARIO)]);
    let mut child = Command::new("sh")
        .current_dir(dir.path())
        .args(["-c", "trap '' INT; exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_scalesim"))
        .args([
            "run",
            "s.yaml",
            "--set",
            "duration=100000s",
            "--out",
            "o",
            "-q",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh");
    wait_until_caught(&mut child);
    send(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "SIGINT stopped it");
    send(&child, "TERM");
    let status = wait(&mut child, Duration::from_secs(10));
    assert_eq!(status.code(), Some(143), "{status:?}");
}

#[test]
fn an_interrupted_sweep_keeps_its_rows_and_resumes() {
    let dir = temp_with(&[("s.yaml", SCENARIO)]);
    let csv = dir.path().join("sweep.csv");
    let args = [
        "sweep",
        "s.yaml",
        "--vary",
        "web.workers=4,5,6,7,8,9",
        "--csv",
        "sweep.csv",
        "-q",
    ];
    // One run at a time, each a fraction of a second.
    let mut child = start(dir.path(), &args, &[("RAYON_NUM_THREADS", OsStr::new("1"))]);
    // Wait for the header and a first row.
    let started = Instant::now();
    while std::fs::read_to_string(&csv).map_or(0, |t| t.lines().count()) < 2 {
        assert!(child.try_wait().unwrap().is_none(), "the sweep ended first");
        assert!(started.elapsed() < Duration::from_secs(120), "no row");
        std::thread::sleep(Duration::from_millis(5));
    }
    send(&child, "INT");
    let status = wait(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
    let mut resume = args.to_vec();
    resume.retain(|a| *a != "-q");
    resume.push("--resume");
    let out = ok(&scalesim(dir.path(), &resume));
    assert!(out.contains(", kept "), "{out}");
    assert!(!out.contains("kept 0"), "{out}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 7, "{text}");
}
