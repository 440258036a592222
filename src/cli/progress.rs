//! The one progress bar of the command line: on stderr, and hidden when stderr is not a
//! terminal or the command was asked to be quiet.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar over a known number of runs.
pub(crate) struct Progress(ProgressBar);

impl Progress {
    /// A bar over `len` steps, labelled `what`; hidden when `quiet` or when stderr is not
    /// a terminal.
    pub(crate) fn new(len: u64, what: &str, quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(ProgressBar::hidden());
        }
        let bar = ProgressBar::new(len);
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} runs, {elapsed}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        Progress(bar)
    }

    /// One step done (safe from any thread).
    pub(crate) fn inc(&self) {
        self.0.inc(1);
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        self.0.finish_and_clear();
    }
}
