//! `scalesim diagram`: the topology of a scenario as Mermaid or Graphviz DOT text.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use scalesim::diagram::Diagram;
use scalesim::scenario::Override;

use super::run::load;
use super::{CliResult, out};

/// The text format of the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A Mermaid `flowchart LR` (renders on GitHub and in many Markdown viewers).
    Mermaid,
    /// A Graphviz `digraph` (`dot -Tsvg`).
    Dot,
}

#[derive(Debug, Args)]
pub(crate) struct DiagramArgs {
    /// Scenario file (YAML).
    #[arg(value_name = "SCENARIO")]
    pub(crate) file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    pub(crate) format: Format,
    /// Overrides to apply before drawing, as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) sets: Vec<Override>,
}

pub(crate) fn run(a: &DiagramArgs) -> CliResult {
    let sc = load(&a.file, &a.sets)?;
    let t = Diagram::of(&sc);
    out(&match a.format {
        Format::Mermaid => t.mermaid(),
        Format::Dot => t.dot(),
    })
}
