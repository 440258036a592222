//! Output paths as flags take them, checked while the command line is parsed, before anything
//! runs: a flag that names one file ([`OutFile`]: `--json`, `--csv`, `--timeseries`,
//! `--trace`, `merge -o`) and a flag that names a directory ([`OutDir`]: `--out`).
//!
//! The checks are the ones that need no write: an empty path, a directory where a file is
//! expected (or a file where a directory is), a path under an existing file. What only a write
//! can tell (no permission, a read-only file system) is still bad input, reported when the
//! write fails (see `Failure`'s `From<ReportError>`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A single-file output: `-` for standard output, or a file path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OutFile {
    /// `-`: standard output.
    Stdout,
    /// A file, replaced whole (see `scalesim::report::write_atomic`).
    File(PathBuf),
}

impl OutFile {
    /// Writes `text` there: printed on standard output, or the file replaced whole.
    pub(crate) fn write(&self, text: &str) -> super::CliResult {
        match self {
            OutFile::Stdout => super::out(text),
            OutFile::File(p) => Ok(scalesim::report::write_atomic(p, text.as_bytes())?),
        }
    }

    /// The file, or `None` for standard output.
    pub(crate) fn file(&self) -> Option<&Path> {
        match self {
            OutFile::Stdout => None,
            OutFile::File(p) => Some(p),
        }
    }
}

impl fmt::Display for OutFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutFile::Stdout => f.write_str("-"),
            OutFile::File(p) => write!(f, "{}", p.display()),
        }
    }
}

impl FromStr for OutFile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err("empty path; give a file path, or `-` for standard output".into());
        }
        if s == "-" {
            return Ok(OutFile::Stdout);
        }
        let path = PathBuf::from(s);
        if path.is_dir() {
            return Err(format!("`{s}` is a directory; expected a file path"));
        }
        under_a_directory(&path, s)?;
        Ok(OutFile::File(path))
    }
}

/// An output directory, created when the outputs are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OutDir(pub(crate) PathBuf);

impl FromStr for OutDir {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err("empty path; give a directory".into());
        }
        let path = PathBuf::from(s);
        if path.exists() && !path.is_dir() {
            return Err(format!("`{s}` is a file; expected a directory"));
        }
        under_a_directory(&path, s)?;
        Ok(OutDir(path))
    }
}

/// Checks that the nearest existing ancestor of `path` is a directory, so that the missing
/// ones can be created.
fn under_a_directory(path: &Path, s: &str) -> Result<(), String> {
    let existing = path
        .ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty())
        .find(|a| a.symlink_metadata().is_ok());
    match existing {
        Some(a) if !a.is_dir() => Err(format!(
            "`{s}`: `{}` is a file, so nothing can be created under it",
            a.display()
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_dirs_and_standard_output() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.txt");
        std::fs::write(&file, "x").unwrap();
        let d = dir.path().display().to_string();
        let f = file.display().to_string();
        assert_eq!("-".parse::<OutFile>(), Ok(OutFile::Stdout));
        assert_eq!(
            "".parse::<OutFile>(),
            Err("empty path; give a file path, or `-` for standard output".into())
        );
        assert_eq!(
            d.parse::<OutFile>(),
            Err(format!("`{d}` is a directory; expected a file path"))
        );
        assert_eq!(
            format!("{f}/a/b.json").parse::<OutFile>(),
            Err(format!(
                "`{f}/a/b.json`: `{f}` is a file, so nothing can be created under it"
            ))
        );
        assert!(format!("{d}/new/a.json").parse::<OutFile>().is_ok());
        assert_eq!(
            f.parse::<OutDir>(),
            Err(format!("`{f}` is a file; expected a directory"))
        );
        assert_eq!(
            "".parse::<OutDir>(),
            Err("empty path; give a directory".into())
        );
        assert!(d.parse::<OutDir>().is_ok());
    }
}
