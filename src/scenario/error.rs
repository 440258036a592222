//! Scenario errors: every problem names the file, line and column (where known), the field
//! path, what was found and what was expected.

use std::fmt;

/// One thing wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Field path, like `components.web.workers`; empty for the file as a whole.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What was found and what was expected.
    pub message: String,
}

/// Everything wrong with a scenario; never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file name (or `<string>`, or `--set` for overrides) used in messages.
    pub source: String,
    /// Every problem found, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl fmt::Display for ScenarioError {
    /// One line per problem: `file:line:col: path: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match (p.line, p.column) {
                (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {p}", self.source)?,
                _ => write!(f, "{}: {p}", self.source)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}
