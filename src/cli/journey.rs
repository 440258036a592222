//! `scalesim journey`: every stage and its failure variants, run with one seed, told as
//! one HTML page (and Markdown) under `results/journey/`.
//!
//! Stages are the files `NN-name.yaml` of the scenario directory (two digits, a dash),
//! in name order; failure variants are the files `failures/NN-*.yaml` beside them, paired
//! with their stage by the number. Unless `--no-capacity`, each stage's max sustainable load
//! under the journey's objectives ([`scalesim::capacity::JOURNEY_SLOS`]) is searched too, and
//! leads the page. Runs and searches are tasks of one pool (see [`run_tasks`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Args;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use scalesim::Scenario;
use scalesim::capacity::{MaxLoadOptions, max_load_after};
use scalesim::diagram::Diagram;
use scalesim::report::compare::compare_table;
use scalesim::report::journey::{
    JourneyFailure, JourneyStage, StageCapacity, journey_json, write_journey,
};

use super::compare::{compare_run, run_report};
use super::paths::{OutDir, OutFile};
use super::progress::Progress;
use super::run::load;
use super::{CliResult, Failure, out};
use scalesim::report::compare::CompareRun;

#[derive(Debug, Args)]
pub(crate) struct JourneyArgs {
    /// Directory holding the stage files (NN-name.yaml) and their failure variants
    /// (failures/NN-name.yaml).
    #[arg(long, value_name = "DIR", default_value = "scenarios")]
    pub(crate) scenarios: PathBuf,
    /// Directory for index.html, journey.md and the charts.
    #[arg(long, value_name = "DIR", default_value = "results/journey")]
    pub(crate) out: OutDir,
    /// The seed every run uses. Default: the first stage's seed.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Leave out the capacity section: do not search each stage's max sustainable load
    /// (the search runs each stage many times).
    #[arg(long)]
    pub(crate) no_capacity: bool,
    /// Print no table and no progress bar (errors still go to stderr).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Also write journey.json's content (each stage's figures, cost, nines and single points
    /// of failure) to PATH (`-`: stdout, instead of the table).
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<OutFile>,
}

/// The two-digit stage number of a file named `NN-something.yaml`.
fn stage_number(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let b = name.as_bytes();
    (name.ends_with(".yaml")
        && b.len() > 8
        && b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && b[2] == b'-')
        .then(|| name[..2].to_string())
}

/// The `NN-*.yaml` files of `dir`, sorted by name; an empty list when `dir` does not exist
/// and `optional`.
fn numbered_files(dir: &Path, optional: bool) -> Result<Vec<PathBuf>, Failure> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if optional && e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Failure::BadInput(anyhow::Error::new(e).context(format!(
                "--scenarios: cannot read the directory `{}`",
                dir.display()
            ))));
        }
    };
    let mut files = Vec::new();
    for e in entries {
        let p = e
            .with_context(|| format!("cannot list `{}`", dir.display()))
            .map_err(Failure::BadInput)?
            .path();
        if p.is_file() && stage_number(&p).is_some() {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
}

pub(crate) fn run(a: &JourneyArgs) -> CliResult {
    // With the JSON on stdout, nothing else goes there.
    let quiet = a.quiet || a.json == Some(OutFile::Stdout);
    let stage_files = numbered_files(&a.scenarios, false)?;
    if stage_files.is_empty() {
        return Err(Failure::BadInput(anyhow!(
            "--scenarios: no stage files in `{}` (expected files named NN-name.yaml, e.g. 01-single-server.yaml)",
            a.scenarios.display()
        )));
    }
    let mut failure_files: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for f in numbered_files(&a.scenarios.join("failures"), true)? {
        let n = stage_number(&f).expect("filtered on the stage number");
        failure_files.entry(n).or_default().push(f);
    }
    for (n, files) in &failure_files {
        if !stage_files
            .iter()
            .any(|s| stage_number(s).as_deref() == Some(n))
        {
            for f in files {
                eprintln!(
                    "note: {} has no stage {n} to belong to; it is left out",
                    f.display()
                );
            }
        }
    }

    // Validate every file before running any.
    let mut jobs: Vec<(PathBuf, Scenario)> = Vec::new();
    let mut owner: Vec<Option<usize>> = Vec::new();
    let mut failed = false;
    let mut push =
        |path: &PathBuf, stage: Option<usize>, jobs: &mut Vec<(PathBuf, Scenario)>| match load(
            path,
            &[],
        ) {
            Ok(sc) => {
                jobs.push((path.clone(), sc));
                owner.push(stage);
                Ok(())
            }
            Err(Failure::Reported) => {
                failed = true;
                Ok(())
            }
            Err(e) => Err(e),
        };
    for (k, s) in stage_files.iter().enumerate() {
        push(s, None, &mut jobs)?;
        let n = stage_number(s).expect("filtered on the stage number");
        for f in failure_files.get(&n).into_iter().flatten() {
            push(f, Some(k), &mut jobs)?;
        }
    }
    if failed {
        return Err(Failure::Reported);
    }
    let seed = a.seed.unwrap_or(jobs[0].1.seed);

    // Every run and every capacity search is one task of one pool, biggest first (the
    // searches, later stages first, then the runs, later files first), so that neither the
    // longest search nor a tail of runs leaves a core idle. Each task is single-threaded and
    // seeded alike, so the results do not depend on the order or the number of threads.
    // A search starts from the stage's own run (its first probe, at the load as written), so
    // with the capacity section a stage is one task: its run, then the rest of its search.
    let stage_jobs: Vec<usize> = (0..jobs.len()).filter(|&i| owner[i].is_none()).collect();
    let mut tasks: Vec<Task> = Vec::new();
    if !a.no_capacity {
        tasks.extend(stage_jobs.iter().rev().map(|&i| Task::Capacity(i)));
    }
    tasks.extend(
        (0..jobs.len())
            .rev()
            .filter(|&i| a.no_capacity || owner[i].is_some())
            .map(Task::Run),
    );
    let mut o = MaxLoadOptions::journey();
    o.seed = Some(seed);
    let progress = Progress::new(tasks.len() as u64, "journey", quiet);
    let done = run_tasks(&tasks, |task| {
        let done = match *task {
            Task::Run(i) => {
                let (path, sc) = &jobs[i];
                Done::Run(Box::new(compare_run(path, sc, run_report(path, sc, seed)?)))
            }
            Task::Capacity(i) => {
                let (path, sc) = &jobs[i];
                let report = run_report(path, sc, seed)?;
                let run = compare_run(path, sc, report.clone());
                let m = max_load_after(sc, &o, report, |_| {})
                    .map_err(|e| super::run_failure(path, &e))?;
                Done::Capacity(Box::new(run), StageCapacity::of(&m))
            }
        };
        progress.inc();
        Ok(done)
    });
    progress.finish();
    let mut runs: Vec<Option<Result<CompareRun, Failure>>> =
        (0..jobs.len()).map(|_| None).collect();
    let mut found: Vec<Option<Result<StageCapacity, Failure>>> =
        (0..jobs.len()).map(|_| None).collect();
    for (task, d) in tasks.iter().zip(done) {
        // `None`: not started, because another task failed; that failure is reported.
        match (*task, d) {
            (Task::Run(i), d) => runs[i] = d.map(|r| r.map(Done::into_run)),
            (Task::Capacity(i), Some(Ok(Done::Capacity(run, capacity)))) => {
                runs[i] = Some(Ok(*run));
                found[i] = Some(Ok(capacity));
            }
            (Task::Capacity(i), d) => found[i] = d.map(|r| r.map(Done::into_capacity)),
        }
    }
    // The first failure in input order (runs, then searches), whatever the threads did. A
    // task is left unstarted only after another failed, so with no failure all are here.
    let mut run_list: Vec<CompareRun> = Vec::with_capacity(jobs.len());
    for r in runs.into_iter().flatten() {
        run_list.push(r?);
    }
    let mut by_job: Vec<Option<StageCapacity>> = Vec::with_capacity(jobs.len());
    for r in found {
        by_job.push(r.transpose()?);
    }
    assert_eq!(
        run_list.len(),
        jobs.len(),
        "a run left unstarted without a failure"
    );
    let runs = run_list;
    let mut capacities: Vec<Option<StageCapacity>> =
        stage_jobs.iter().rev().map(|&i| by_job[i].take()).collect();

    let mut stages: Vec<JourneyStage> = Vec::new();
    for ((run, (path, sc)), stage) in runs.into_iter().zip(&jobs).zip(owner) {
        match stage {
            None => stages.push(JourneyStage {
                run,
                diagram: Diagram::of(sc),
                failures: Vec::new(),
                capacity: capacities.pop().flatten(),
            }),
            Some(_) => {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let last = stages.last_mut().expect("a failure follows its stage");
                last.failures.push(JourneyFailure { run, stem });
            }
        }
    }
    write_journey(&stages, seed, &a.out.0)?;
    if let Some(json) = &a.json {
        json.write(&journey_json(&stages))?;
    }
    if !quiet {
        let runs: Vec<_> = stages.iter().map(|s| s.run.clone()).collect();
        out(&compare_table(&runs, seed))?;
        let variants: usize = stages.iter().map(|s| s.failures.len()).sum();
        out(&format!(
            "{variants} failure variant{} run too.\njourney: {}\n",
            if variants == 1 { "" } else { "s" },
            a.out.0.join("index.html").display()
        ))?;
    }
    Ok(())
}

/// One unit of the journey's work.
#[derive(Clone, Copy, Debug)]
enum Task {
    /// Run job `i` (a failure variant; a stage too with `--no-capacity`).
    Run(usize),
    /// Run stage job `i`, then search its max sustainable load from that run.
    Capacity(usize),
}

/// A finished task.
enum Done {
    Run(Box<CompareRun>),
    Capacity(Box<CompareRun>, StageCapacity),
}

impl Done {
    fn into_run(self) -> CompareRun {
        match self {
            Done::Run(r) => *r,
            Done::Capacity(..) => unreachable!("a run task gives a run"),
        }
    }

    fn into_capacity(self) -> StageCapacity {
        match self {
            Done::Capacity(_, c) => c,
            Done::Run(_) => unreachable!("a search task gives a capacity"),
        }
    }
}

/// Runs `work` on every task, on every thread of the current pool, each thread taking the
/// next task in list order as it comes free. Results are in task order; once a task fails,
/// no further task starts (those left are `None`).
fn run_tasks<T: Sync, R: Send>(
    tasks: &[T],
    work: impl Fn(&T) -> Result<R, Failure> + Sync,
) -> Vec<Option<Result<R, Failure>>> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let slots: Vec<Mutex<Option<Result<R, Failure>>>> =
        tasks.iter().map(|_| Mutex::new(None)).collect();
    rayon::scope(|s| {
        for _ in 0..rayon::current_num_threads().min(tasks.len()) {
            s.spawn(|_| {
                while !failed.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(task) = tasks.get(i) else { break };
                    let r = work(task);
                    if r.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_give_results_in_order_and_stop_after_a_failure() {
        let tasks: Vec<u32> = (0..200).collect();
        let done = run_tasks(&tasks, |&t| Ok(t * 2));
        let got: Vec<u32> = done.into_iter().map(|r| r.unwrap().ok().unwrap()).collect();
        assert_eq!(got, (0..200).map(|t| t * 2).collect::<Vec<_>>());

        // On one thread, nothing after the failing task starts.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let done = pool.install(|| {
            run_tasks(&tasks, |&t| {
                if t == 5 {
                    Err(Failure::BadInput(anyhow!("task {t} failed")))
                } else {
                    Ok(t)
                }
            })
        });
        assert!(done[..5].iter().all(|r| matches!(r, Some(Ok(_)))));
        assert!(
            matches!(&done[5], Some(Err(Failure::BadInput(e))) if e.to_string() == "task 5 failed")
        );
        assert!(done[6..].iter().all(Option::is_none));
    }

    #[test]
    fn stage_files_are_two_digits_a_dash_and_yaml() {
        let n = |s: &str| stage_number(Path::new(s));
        assert_eq!(n("scenarios/08-multi-dc.yaml").as_deref(), Some("08"));
        assert_eq!(n("01-a.yaml").as_deref(), Some("01"));
        assert_eq!(n("1-single.yaml"), None);
        assert_eq!(n("01single.yaml"), None);
        assert_eq!(n("01-.yaml"), None);
        assert_eq!(n("01-a.yml"), None);
        assert_eq!(n("notes.yaml"), None);
    }
}
