//! Command-line interface: clap definitions, the commands, the mapping of failures to exit
//! codes, and what a signal does (`signals`). All terminal and file output of the binary
//! happens here and in `scalesim::report`.

mod capacity;
mod cheapest;
mod compare;
mod diagram;
mod journey;
mod max_load;
mod paths;
mod progress;
mod run;
mod schema;
mod shell;
mod signals;
mod sweep;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// How a command failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad scenario or arguments: exit 1.
    BadInput(anyhow::Error),
    /// Anything else (a full disk, a chart that could not be drawn): exit 2.
    Internal(anyhow::Error),
    /// Already reported on stderr (scenario problems): exit 1.
    Reported,
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Internal(e.into())
    }
}

impl From<scalesim::report::ReportError> for Failure {
    /// An output path that cannot be written (a directory, a missing parent that cannot be
    /// created, no permission) is bad input; anything else is internal.
    fn from(e: scalesim::report::ReportError) -> Self {
        if e.is_bad_path() {
            Failure::BadInput(e.into())
        } else {
            Failure::Internal(e.into())
        }
    }
}

pub(crate) type CliResult = Result<(), Failure>;

/// A run of `path` that stopped at a run-time bound on its memory (an overloaded system,
/// timers kept for long): bad input, exit 1, the message prefixed with the file.
pub(crate) fn run_failure(path: &std::path::Path, e: &scalesim::RunError) -> Failure {
    Failure::BadInput(anyhow::anyhow!("{}: {e}", path.display()))
}

/// A discrete-event simulator of the journey from one server to millions of users.
#[derive(Debug, Parser)]
#[command(name = "scalesim", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Threads for the commands that run several scenarios or runs at once (compare, journey,
    /// sweep, capacity, run --replications); default: $RAYON_NUM_THREADS, else every core.
    /// The numbers do not depend on it.
    #[arg(short = 'j', long = "jobs", global = true, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) jobs: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run scenarios: print a summary table and write JSON, CSV and charts.
    #[command(after_help = "Examples:
  scalesim run scenarios/03-load-balancer.yaml
  scalesim run scenarios/03-load-balancer.yaml --set web.count=6 --seed 7 --json - --no-wall-clock
  scalesim run scenarios/05-cache.yaml --replications 10
  scalesim run scenarios/failures/retry-storm.yaml --trace t.json --trace-format chrome
  sed 's/count: 4/count: 6/' scenarios/03-load-balancer.yaml | scalesim run -")]
    Run(run::RunArgs),
    /// Check scenarios without running them; print every problem.
    #[command(after_help = "Examples:
  scalesim validate scenarios/*.yaml scenarios/failures/*.yaml
  scalesim validate mine.yaml --set traffic.rate=9000 --json -")]
    Validate(run::ValidateArgs),
    /// Run several scenarios with one seed; print them side by side, write CSV, JSON and
    /// overlaid charts.
    #[command(after_help = "Examples:
  scalesim compare scenarios/0*.yaml
  scalesim compare scenarios/02-app-db-separation.yaml scenarios/03-load-balancer.yaml --seed 7 --json -")]
    Compare(compare::CompareArgs),
    /// Print a scenario's topology as Mermaid or Graphviz DOT.
    #[command(after_help = "Examples:
  scalesim diagram scenarios/05-cache.yaml
  scalesim diagram scenarios/08-multi-datacenter.yaml --format dot | dot -Tsvg > dc.svg")]
    Diagram(diagram::DiagramArgs),
    /// Run every stage and its failure variants; write one HTML page telling the story.
    #[command(after_help = "Examples:
  scalesim journey                       # results/journey/index.html
  scalesim journey --no-capacity --seed 7 --out /tmp/j --quiet
  scalesim journey --json - --no-capacity")]
    Journey(journey::JourneyArgs),
    /// Run a scenario over a grid of parameter values; write a CSV row per run and a chart.
    #[command(after_help = "Examples:
  scalesim sweep scenarios/03-load-balancer.yaml --vary web.count=1..8 --replications 5
  scalesim sweep scenarios/05-cache.yaml --vary cache.capacity=1000,10000,100000 --metric availability
  scalesim sweep X.yaml --vary traffic.rate=1000..20000:1000 --partition 3/8 --csv parts/3.csv --resume")]
    Sweep(sweep::SweepArgs),
    /// Join the CSVs of a partitioned sweep into the CSV one machine would have written.
    #[command(after_help = "Examples:
  scalesim merge parts/*.csv -o all.csv")]
    Merge(sweep::MergeArgs),
    /// Find the smallest value of one parameter that meets service-level objectives,
    /// (--cheapest) the cheapest combination of several, or (--max-load) the largest load
    /// the scenario sustains and what limits it.
    #[command(after_help = "Examples:
  scalesim capacity scenarios/03-load-balancer.yaml --slo 'p99<200ms' --vary web.count=1..64
  scalesim capacity scenarios/04-database-replication.yaml --max-load --slo 'p99<200ms' --slo 'availability>=99.9%'
  scalesim capacity scenarios/01-single-server.yaml --cheapest --slo 'p99<200ms' --vary app.instance=m7g.2xlarge,m7g.4xlarge,m7g.8xlarge")]
    Capacity(capacity::CapacityArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(shell::CompletionsArgs),
    /// Print the manual page, or write one per subcommand with --out.
    Man(shell::ManArgs),
    /// Print the JSON Schema of scenario files, for editors and validators.
    Schema(schema::SchemaArgs),
}

/// Parses the command line, runs the command, returns the exit code.
pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(n) = cli.jobs {
        // The global pool is built once, here, before anything runs: this cannot fail.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build_global();
    }
    // Ctrl-C and kill remove the temporaries of the writes in progress, then exit 130 or 143.
    signals::install();
    // A panic is a bug in scalesim, not bad input: report it as an internal error (exit 2).
    let result = std::panic::catch_unwind(|| match &cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => run::validate(a),
        Command::Compare(a) => compare::run(a),
        Command::Diagram(a) => diagram::run(a),
        Command::Journey(a) => journey::run(a),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Merge(a) => sweep::merge(a),
        Command::Capacity(a) => capacity::capacity(a),
        Command::Completions(a) => shell::completions(a),
        Command::Man(a) => shell::man(a),
        Command::Schema(a) => schema::schema(a),
    })
    .unwrap_or_else(|_| {
        Err(Failure::Internal(anyhow::anyhow!(
            "internal error (a bug in scalesim): the run panicked"
        )))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Reported) => ExitCode::from(1),
        Err(Failure::BadInput(e)) => {
            let _ = writeln!(io::stderr(), "Error: {e:#}");
            ExitCode::from(1)
        }
        Err(Failure::Internal(e)) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(io::stderr(), "Error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Writes to stdout; a closed pipe ends the program quietly (exit 0).
pub(crate) fn out(text: &str) -> CliResult {
    let mut o = io::stdout().lock();
    match o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(e.into()),
    }
}
