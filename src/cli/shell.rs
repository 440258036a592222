//! `scalesim completions SHELL` and `scalesim man`: the shell completion scripts and the
//! manual pages, generated from the command line's own definitions (clap_complete,
//! clap_mangen), so they list every subcommand and flag there is.

use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_complete::Shell;
use scalesim::report;

use super::{Cli, CliResult, Failure, out};

#[derive(Debug, Args)]
#[command(after_help = "Install, for example:\n  \
    scalesim completions bash > ~/.local/share/bash-completion/completions/scalesim\n  \
    scalesim completions zsh > \"${fpath[1]}/_scalesim\"\n  \
    scalesim completions fish > ~/.config/fish/completions/scalesim.fish\n  \
    scalesim completions powershell >> $PROFILE")]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

#[derive(Debug, Args)]
#[command(after_help = "Read it with: scalesim man | man -l -\n\
    Install the pages: scalesim man --out ~/.local/share/man/man1")]
pub(crate) struct ManArgs {
    /// Write scalesim.1 and a page per subcommand (scalesim-run.1, ...) into DIR instead of
    /// printing scalesim.1.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
}

/// Prints the completion script for `a.shell`.
pub(crate) fn completions(a: &CompletionsArgs) -> CliResult {
    let mut text = Vec::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "scalesim", &mut text);
    out(&String::from_utf8_lossy(&text))
}

/// The man page of `cmd`, in roff.
fn page(cmd: clap::Command) -> Result<Vec<u8>, Failure> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut roff)?;
    Ok(roff)
}

/// Prints scalesim(1), or writes it and one page per subcommand into `--out`.
pub(crate) fn man(a: &ManArgs) -> CliResult {
    let mut cmd = Cli::command();
    cmd.build();
    let Some(dir) = &a.out else {
        return out(&String::from_utf8_lossy(&page(cmd)?));
    };
    std::fs::create_dir_all(dir)?;
    let mut written = vec![dir.join("scalesim.1")];
    report::write_atomic(&written[0], &page(cmd.clone())?)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("scalesim-{}", sub.get_name());
        let path = dir.join(format!("{name}.1"));
        report::write_atomic(&path, &page(sub.clone().name(name))?)?;
        written.push(path);
    }
    for p in written {
        println!("{}", p.display());
    }
    Ok(())
}
