//! Reading input files in bounded memory: [`read_text`] reads a whole file as UTF-8 text, but
//! never more than a limit. Every file scalesim reads as text goes through it: scenario files
//! (limit [`crate::scenario::MAX_FILE_BYTES`]) and sweep CSVs (limit
//! [`crate::sweep::MAX_CSV_BYTES`]), so that `/dev/zero`, a FIFO that never ends or a file
//! given by mistake costs at most the limit, not all memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Why [`read_text`] gave no text.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read. The message is the system's; callers add the file.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The file holds more than the limit.
    #[error(
        "{path}: larger than {size}, the largest {what} scalesim reads",
        path = .path.display(),
        size = size_text(*.limit)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, bytes.
        limit: usize,
        /// What the file was read as (`scenario file`, `sweep CSV`).
        what: &'static str,
    },
    /// The file is not UTF-8 text.
    #[error(
        "{path}: not UTF-8 text: the byte at offset {offset} (0x{byte:02x}) is not valid UTF-8",
        path = .path.display()
    )]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The offset of the first byte that is not valid UTF-8, from 0.
        offset: usize,
        /// That byte.
        byte: u8,
    },
}

/// Reads `path` whole as UTF-8 text, reading at most `limit` + 1 bytes: a file with more
/// than `limit` bytes is [`ReadError::TooLarge`] (`what` names the kind of file in its
/// message), one that is not UTF-8 is [`ReadError::NotUtf8`], naming the first bad byte.
pub fn read_text(path: &Path, limit: usize, what: &'static str) -> Result<String, ReadError> {
    let file = File::open(path)?;
    // The size is only a hint: a device or a pipe reports 0 and may never end.
    let hint = file
        .metadata()
        .map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX));
    read_text_from(file, hint, path, limit, what)
}

/// [`read_text`] of standard input; messages name it `path`.
pub fn read_stdin_text(path: &Path, limit: usize, what: &'static str) -> Result<String, ReadError> {
    read_text_from(io::stdin().lock(), 0, path, limit, what)
}

/// Reads `reader` whole as UTF-8 text, as [`read_text`] does; `hint` is its size if known.
fn read_text_from(
    reader: impl Read,
    hint: usize,
    path: &Path,
    limit: usize,
    what: &'static str,
) -> Result<String, ReadError> {
    let cap = limit.saturating_add(1);
    let mut bytes = Vec::with_capacity(hint.min(cap));
    reader.take(cap as u64).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
            what,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        ReadError::NotUtf8 {
            path: path.to_path_buf(),
            offset,
            byte: e.as_bytes()[offset],
        }
    })
}

/// A size in bytes as a person writes it: `4 MiB`, `64 KiB`, `1000 bytes`.
pub fn size_text(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.yaml");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    #[test]
    fn a_file_at_the_limit_is_read_and_one_byte_more_is_not() {
        let (_dir, path) = file_with(b"abcd");
        assert_eq!(read_text(&path, 4, "test file").unwrap(), "abcd");
        let err = read_text(&path, 3, "test file").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: larger than 3 bytes, the largest test file scalesim reads",
                path.display()
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_stops_at_the_limit() {
        let err = read_text(Path::new("/dev/zero"), 4 * 1024 * 1024, "scenario file").unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/zero: larger than 4 MiB, the largest scenario file scalesim reads"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_named_by_offset() {
        let (_dir, path) = file_with(b"name: x\n\xff rest");
        let err = read_text(&path, 100, "test file").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: not UTF-8 text: the byte at offset 8 (0xff) is not valid UTF-8",
                path.display()
            )
        );
        // A multi-byte sequence cut short at the end of the file.
        let (_dir, path) = file_with("é".as_bytes().split_at(1).0);
        let err = read_text(&path, 100, "test file").unwrap_err();
        assert!(
            err.to_string()
                .ends_with("the byte at offset 0 (0xc3) is not valid UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let err = read_text(Path::new("no/such/file"), 10, "test file").unwrap_err();
        assert!(
            matches!(&err, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound),
            "{err:?}"
        );
    }

    #[test]
    fn sizes_are_written_in_the_largest_whole_unit() {
        assert_eq!(size_text(4 * 1024 * 1024), "4 MiB");
        assert_eq!(size_text(256 * 1024 * 1024), "256 MiB");
        assert_eq!(size_text(64 * 1024), "64 KiB");
        assert_eq!(size_text(1000), "1000 bytes");
        assert_eq!(size_text(0), "0 bytes");
    }
}
