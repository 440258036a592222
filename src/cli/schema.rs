//! `scalesim schema`: the JSON Schema of the scenario language (draft 2020-12), generated from
//! the types the parser reads a scenario into (`scalesim::scenario::schema`), for editors and
//! validators.

use clap::Args;

use super::{CliResult, out};

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    scalesim schema > scenario.schema.json\n\
    Editors that use yaml-language-server (VS Code's YAML extension, ...) complete and check\n\
    the keys of a scenario that opens with:\n  \
    # yaml-language-server: $schema=path/to/scenario.schema.json")]
pub(crate) struct SchemaArgs {}

/// Prints the schema as pretty JSON.
pub(crate) fn schema(_: &SchemaArgs) -> CliResult {
    out(&scalesim::scenario::schema::schema_text())
}
