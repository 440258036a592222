//! Files written whole: [`write_atomic`] puts the bytes in a temporary file in the target's
//! directory, syncs it, then renames it over the target. A reader therefore sees either the
//! old file or the new one, never half of one, and a stopped run leaves no partial output.
//! Every writer of the crate (the run's outputs, the charts, a sweep's CSV, the journey)
//! writes through it, and [`ReportError`] is their error.
//!
//! Temporaries do not outlive their process: the ones being written are listed, so that the
//! binary removes them when a signal stops it ([`stop_writes`]); and every write first removes
//! the temporaries for the same target that processes no longer running left behind (killed,
//! crashed, the machine lost power; see [`write_atomic`]).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use thiserror::Error;

/// What went wrong while writing a run's outputs. Every message names the file.
#[derive(Debug, Error)]
pub enum ReportError {
    /// A file-system operation failed.
    #[error("{path}: could not {action}", path = .path.display())]
    Io {
        /// The file or directory the operation was about.
        path: PathBuf,
        /// What was being done, as a verb phrase (`create the directory`, ...).
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The target path has no file name (it is `/` or ends in `..`).
    #[error("{path}: not a file path (it has no file name)", path = .path.display())]
    NotAFile {
        /// The path given.
        path: PathBuf,
    },
    /// The target path is an existing directory, where a file is expected.
    #[error("{path}: is a directory; expected a file path", path = .path.display())]
    IsDirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The chart library failed while drawing.
    #[error("{path}: could not draw the chart: {message}", path = .path.display())]
    Chart {
        /// The chart file being drawn.
        path: PathBuf,
        /// The chart library's message.
        message: String,
    },
    /// The bundled font could not be loaded (the build embedded a damaged file).
    #[error("{path}: the bundled font could not be parsed", path = .path.display())]
    Font {
        /// The font file, relative to the crate root.
        path: PathBuf,
    },
}

impl ReportError {
    /// Whether the error is the target path's fault rather than scalesim's: a path that names a
    /// directory or no file at all, a parent directory that cannot be created, no permission, a
    /// read-only file system. Such errors are bad input (exit code 1); the others (a full
    /// disk, a chart that could not be drawn) are internal (exit code 2).
    pub fn is_bad_path(&self) -> bool {
        use io::ErrorKind as K;
        match self {
            ReportError::NotAFile { .. } | ReportError::IsDirectory { .. } => true,
            ReportError::Io { source, .. } => matches!(
                source.kind(),
                K::PermissionDenied
                    | K::NotFound
                    | K::AlreadyExists
                    | K::NotADirectory
                    | K::IsADirectory
                    | K::DirectoryNotEmpty
                    | K::ReadOnlyFilesystem
                    | K::InvalidFilename
                    | K::InvalidInput
            ),
            ReportError::Chart { .. } | ReportError::Font { .. } => false,
        }
    }

    /// The error with `tmp` (a temporary file's path) replaced by `target` (the file the user
    /// asked for), so that messages name the file the user knows.
    fn naming(self, tmp: &Path, target: &Path) -> Self {
        match self {
            ReportError::Io {
                path,
                action,
                source,
            } if path == tmp => ReportError::Io {
                path: target.to_path_buf(),
                action,
                source,
            },
            ReportError::Chart { path, message } if path == tmp => ReportError::Chart {
                path: target.to_path_buf(),
                message,
            },
            e => e,
        }
    }

    fn io(path: &Path, action: &'static str) -> impl FnOnce(io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| ReportError::Io {
            path,
            action,
            source,
        }
    }
}

/// Writes `bytes` to `path` atomically: parent directories are created, the bytes go to a
/// temporary file in the same directory (`.NAME.PID-N.tmp`, with `path`'s extension after
/// it), which is synced and then renamed over `path`.
///
/// On error the temporary file is removed and `path` is left as it was; the error names
/// `path`, never the temporary file. Before writing, the temporaries for `path` left by
/// processes that are no longer running are removed (see [`is_stale`] for the rule). An
/// existing directory at `path` is an error
/// ([`ReportError::IsDirectory`]). A symbolic link is
/// followed (the file it points to is replaced); a target that is a device or a pipe, such as
/// `/dev/null` or `/dev/stdout`, is written through instead of replaced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    write_atomic_with(path, |tmp| {
        let mut file = File::create(tmp).map_err(ReportError::io(tmp, "create the file"))?;
        file.write_all(bytes)
            .map_err(ReportError::io(tmp, "write the file"))?;
        Ok(())
    })
}

/// The general form of [`write_atomic`]: `fill` writes the whole file at the temporary path it
/// is given (which ends in the target's extension, for writers that pick a format by
/// extension); this function then syncs it and renames it over `path`.
pub(crate) fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&Path) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    // A device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO) must not be renamed over: that
    // would put a regular file in its place. Those are written through instead.
    let target = fs::metadata(path);
    if let Ok(meta) = &target {
        if meta.is_dir() {
            return Err(ReportError::IsDirectory {
                path: path.to_path_buf(),
            });
        }
        if !meta.is_file() {
            return write_through(path, fill);
        }
    }
    // A symbolic link to a file is followed: the file is replaced and the link stays.
    let resolved;
    let path = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() && target.is_ok() => {
            resolved = fs::canonicalize(path).map_err(ReportError::io(path, "follow the link"))?;
            resolved.as_path()
        }
        _ => path,
    };
    let file_name = path.file_name().ok_or_else(|| ReportError::NotAFile {
        path: path.to_path_buf(),
    })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(ReportError::io(path, "create its directory"))?;

    // Hidden, and in the same directory, so the rename cannot cross file systems.
    let stem = format!(".{}", file_name.to_string_lossy());
    remove_stale(dir, &stem);
    let tmp = Temporary::create(temp_path(dir, &stem, path), path)?;

    let result = fill(&tmp.path).and_then(|()| {
        File::options()
            .write(true)
            .open(&tmp.path)
            .and_then(|f| f.sync_all())
            .map_err(ReportError::io(&tmp.path, "sync the file"))?;
        fs::rename(&tmp.path, path).map_err(ReportError::io(path, "replace the file"))
    });
    match result {
        Ok(()) => {
            tmp.renamed();
            sync_dir(dir);
            Ok(())
        }
        // Dropping `tmp` removes the file; the original error is the one worth reporting.
        Err(e) => Err(e.naming(&tmp.path, path)),
    }
}

/// [`write_atomic_with`] for a target that is not a regular file (a device, a FIFO): `fill`
/// writes a temporary file in the system's temporary directory, whose bytes are then copied
/// into `path` as one stream. There is nothing to rename, so the write is not atomic; a
/// reader of a pipe sees the bytes in order and the device stays a device.
fn write_through(
    path: &Path,
    fill: impl FnOnce(&Path) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let dir = std::env::temp_dir();
    remove_stale(&dir, THROUGH_STEM);
    let tmp = Temporary::create(temp_path(&dir, THROUGH_STEM, path), path)?;
    let result = fill(&tmp.path).and_then(|()| {
        let mut src = File::open(&tmp.path).map_err(ReportError::io(&tmp.path, "read the file"))?;
        let mut dst = File::options()
            .write(true)
            .open(path)
            .map_err(ReportError::io(path, "open the file for writing"))?;
        io::copy(&mut src, &mut dst).map_err(ReportError::io(path, "write the file"))?;
        dst.flush().map_err(ReportError::io(path, "write the file"))
    });
    // Dropping `tmp` removes the file.
    result.map_err(|e| e.naming(&tmp.path, path))
}

/// The stem of the temporaries of [`write_through`], in the system's temporary directory.
const THROUGH_STEM: &str = "scalesim";

/// The temporaries this process is writing, so that [`stop_writes`] can remove them.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> MutexGuard<'static, Vec<PathBuf>> {
    // The list stays consistent whatever panicked while holding it: every change is one push
    // or one removal.
    IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A temporary file being written: created (empty) and listed in [`IN_FLIGHT`] together,
/// unlisted when dropped, and removed then unless [`Temporary::renamed`] said it is gone.
struct Temporary {
    path: PathBuf,
    renamed: bool,
}

impl Temporary {
    /// Creates the file at `path` and lists it; errors name `target`, the file the temporary
    /// is for. Both happen under the list's lock, so a temporary this process created is
    /// listed while it exists, and none is created after [`stop_writes`] has removed what it
    /// found. (A writer that opens its temporary by path again, as the bitmap backend does,
    /// may create it anew in the moment between `stop_writes` and the exit; the next write
    /// to that target removes it, its process being gone.)
    fn create(path: PathBuf, target: &Path) -> Result<Temporary, ReportError> {
        let mut list = in_flight();
        File::create(&path).map_err(ReportError::io(target, "create the file"))?;
        list.push(path.clone());
        Ok(Temporary {
            path,
            renamed: false,
        })
    }

    /// The file was renamed over its target: nothing is left to remove.
    fn renamed(mut self) {
        self.renamed = true;
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        let mut list = in_flight();
        if !self.renamed {
            // Best effort: an error is already being reported, or the file is gone.
            let _ = fs::remove_file(&self.path);
        }
        if let Some(i) = list.iter().position(|p| *p == self.path) {
            list.swap_remove(i);
        }
    }
}

/// What [`stop_writes`] returns: while it lives, no write of this process creates, renames or
/// removes a temporary file (each waits for it).
#[must_use = "the writes resume when this is dropped"]
pub struct WritesStopped {
    _list: MutexGuard<'static, Vec<PathBuf>>,
    /// The temporaries removed.
    pub removed: usize,
}

/// Removes every temporary file this process is writing and holds every write back, for a
/// process that is about to exit (on SIGINT or SIGTERM): call it, then exit while the
/// returned value lives. A write that was filling a file when it was removed fails to rename
/// it and then waits; one about to start waits. The targets are left as they were.
pub fn stop_writes() -> WritesStopped {
    let list = in_flight();
    let removed = list.iter().filter(|p| fs::remove_file(p).is_ok()).count();
    WritesStopped {
        _list: list,
        removed,
    }
}

/// How old a temporary must be to count as stale where it cannot be told whether the process
/// that wrote it is running (see [`is_stale`]).
pub const STALE_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Removes the files in `dir` named like the temporaries [`temp_path`] makes with `stem`
/// (`<stem>.<pid>-<n>.tmp`, with or without an extension after it) that [`is_stale`] says are
/// stale. Best effort: a file that cannot be listed or removed stays.
fn remove_stale(dir: &Path, stem: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| temp_pid(n, stem)) else {
            continue;
        };
        let path = entry.path();
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok());
        if pid == std::process::id() {
            // This process's own: stale only if it is not being written (a process that
            // had this id before left it).
            let list = in_flight();
            if !list.contains(&path) {
                let _ = fs::remove_file(&path);
            }
        } else if is_stale(process_running(pid), age) {
            let _ = fs::remove_file(&path);
        }
    }
}

/// The process id in a temporary's file name `<stem>.<pid>-<n>.tmp[.<ext>]`; `None` for any
/// other name.
fn temp_pid(name: &str, stem: &str) -> Option<u32> {
    let rest = name.strip_prefix(stem)?.strip_prefix('.')?;
    let (ids, after) = rest.split_once(".tmp")?;
    if !(after.is_empty() || after.starts_with('.') && !after[1..].contains('/')) {
        return None;
    }
    let (pid, n) = ids.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(n) {
        return None;
    }
    pid.parse().ok()
}

/// Whether a temporary of another process is stale: its process is not running (`running`
/// is `Some(false)`); or, where that cannot be told (`None`: no `/proc`, as on macOS or
/// Windows), the file was last changed more than [`STALE_AGE`] ago. A temporary whose process
/// is running is never stale.
pub fn is_stale(running: Option<bool>, age: Option<Duration>) -> bool {
    match running {
        Some(running) => !running,
        None => age.is_some_and(|a| a > STALE_AGE),
    }
}

/// Whether process `pid` is running on this machine: `Some` where `/proc` lists processes
/// (Linux), `None` where it cannot be told without unsafe code.
fn process_running(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if cfg!(target_os = "linux") && proc.join("self").exists() {
        Some(proc.join(pid.to_string()).exists())
    } else {
        None
    }
}

/// A temporary file's path in `dir`: `<stem>.<pid>-<n>.tmp`, unique within the process (the
/// counter) and across processes (the pid), ending in `target`'s extension for writers that
/// pick a format by extension.
fn temp_path(dir: &Path, stem: &str, target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut name = format!("{stem}.{}-{n}.tmp", std::process::id());
    if let Some(ext) = target.extension() {
        name.push('.');
        name.push_str(&ext.to_string_lossy());
    }
    dir.join(name)
}

/// Makes the rename durable where the platform allows it. Best effort: the file is already in
/// place, and some file systems refuse to sync a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The temporary files left in `dir`, sorted.
    pub(crate) fn leftovers(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        fs::write(&path, "old contents that are longer than the new ones").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
    }

    #[test]
    fn atomic_write_creates_parent_directories() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/c.csv");
        write_atomic(&path, b"x\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"x\n");
    }

    #[test]
    fn failed_write_names_the_file_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        // The target is an existing non-empty directory: the rename must fail.
        let path = dir.path().join("occupied");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), "x").unwrap();
        let err = write_atomic(&path, b"data").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}: is a directory; expected a file path", path.display())
        );
        assert!(err.is_bad_path());
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_stays_a_device() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        assert!(
            fs::metadata(null).is_ok_and(|m| m.file_type().is_char_device()),
            "/dev/null is not a character device on this machine: something replaced it"
        );
        write_atomic(null, b"discarded").unwrap();
        assert!(fs::metadata(null).unwrap().file_type().is_char_device());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_through_in_one_stream() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "mkfifo is needed for this test"
        );
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                File::open(&fifo)
                    .unwrap()
                    .read_to_string(&mut text)
                    .unwrap();
                text
            })
        };
        write_atomic(&fifo, b"a,b\n1,2\n").unwrap();
        assert_eq!(reader.join().unwrap(), "a,b\n1,2\n");
        assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn a_path_without_file_name_is_rejected() {
        let err = write_atomic(Path::new("no-such-dir/.."), b"x").unwrap_err();
        assert!(matches!(err, ReportError::NotAFile { .. }), "{err}");
    }

    #[test]
    fn temporary_names_give_their_process_id() {
        let stem = ".out.json";
        assert_eq!(temp_pid(".out.json.123-4.tmp.json", stem), Some(123));
        assert_eq!(temp_pid(".out.json.123-4.tmp", stem), Some(123));
        assert_eq!(temp_pid("scalesim.9-0.tmp.png", "scalesim"), Some(9));
        for other in [
            ".out.json",
            ".out.json.tmp",
            ".out.json.123.tmp.json",
            ".out.json.-4.tmp.json",
            ".out.json.12a-4.tmp.json",
            ".out.json.123-4.tmpx",
            ".out.jsonx.123-4.tmp.json",
            ".other.json.123-4.tmp.json",
            "out.json.123-4.tmp.json",
        ] {
            assert_eq!(temp_pid(other, stem), None, "{other}");
        }
    }

    #[test]
    fn a_temporary_is_stale_when_its_process_is_gone_or_else_when_old() {
        let day = Some(STALE_AGE);
        let more = Some(STALE_AGE + Duration::from_secs(1));
        assert!(is_stale(Some(false), Some(Duration::ZERO)));
        assert!(is_stale(Some(false), None));
        assert!(!is_stale(Some(true), more));
        assert!(!is_stale(None, day));
        assert!(!is_stale(None, None));
        assert!(is_stale(None, more));
    }

    /// The id of a process that has ended: a child that ran and was waited for.
    #[cfg(target_os = "linux")]
    fn gone_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!Path::new(&format!("/proc/{pid}")).exists());
        pid
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_write_removes_the_temporaries_that_ended_processes_left_for_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let gone = gone_pid();
        let me = std::process::id();
        let names = [
            format!(".out.json.{gone}-0.tmp.json"),
            format!(".out.json.{gone}-7.tmp"),
            // An earlier process with this process's id: not being written, so stale.
            format!(".out.json.{me}-999999.tmp.json"),
            // Process 1 is running: kept.
            ".out.json.1-0.tmp.json".to_string(),
            // Another target's, and files that are not temporaries: kept.
            format!(".other.json.{gone}-0.tmp.json"),
            format!("out.json.{gone}-0.tmp.json"),
            format!(".out.json.{gone}.tmp.json"),
        ];
        for n in &names {
            fs::write(dir.path().join(n), "partial").unwrap();
        }
        write_atomic(&dir.path().join("out.json"), b"{}").unwrap();
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut want = vec![
            ".out.json.1-0.tmp.json".to_string(),
            format!(".other.json.{gone}-0.tmp.json"),
            format!("out.json.{gone}-0.tmp.json"),
            format!(".out.json.{gone}.tmp.json"),
            "out.json".to_string(),
        ];
        want.sort();
        assert_eq!(left, want);
    }

    #[test]
    fn a_temporary_is_listed_while_it_exists() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.csv");
        let path = temp_path(dir.path(), ".t.csv", &target);
        let tmp = Temporary::create(path.clone(), &target).unwrap();
        assert!(path.exists());
        assert!(in_flight().contains(&path));
        drop(tmp);
        assert!(!path.exists());
        assert!(!in_flight().contains(&path));
        // Renamed: nothing to remove, and unlisted.
        let tmp = Temporary::create(path.clone(), &target).unwrap();
        fs::rename(&path, &target).unwrap();
        tmp.renamed();
        assert!(target.exists());
        assert!(!in_flight().contains(&path));
    }
}
