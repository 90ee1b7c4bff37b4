//! Writing files so that a reader sees the old one or the new one, never
//! half: a temporary file beside it, fsync, rename, fsync of the directory.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A write that failed (full disk, read-only file system, permissions);
/// the file is unchanged and no temporary file is left.
#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot write: {cause}")]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// The error.
    pub cause: std::io::Error,
}

/// Writes `bytes` to `path` atomically.
///
/// # Errors
///
/// File-system errors; `path` is then unchanged.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomically_with(path, |w| w.write_all(bytes))
}

/// [`write_atomically`] with the contents produced by `write`.
///
/// # Errors
///
/// File-system errors; `path` is then unchanged.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp"));
    let written = (|| {
        let file = File::create(&tmp)?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        write(&mut writer)?;
        let file = writer
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(cause) = written {
        // A full disk leaves a partial temporary file: remove it, keep the
        // old file.
        let _ = fs::remove_file(&tmp);
        return Err(WriteError {
            path: path.to_owned(),
            cause,
        });
    }
    sync_dir(dir);
    Ok(())
}

/// Writes a file that nothing refers to until a later commit, which first
/// makes it durable with [`sync_files`]: straight to its name (no
/// temporary file, no wait for the disk), so hundreds of files cost one
/// round of flushes instead of two waits and an extra file each. For
/// files named by their content: one cut off by a crash is shorter than
/// the metadata says and is written again, never read.
///
/// # Errors
///
/// File-system errors; `path` is then unchanged.
pub fn write_unsynced_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let written = (|| {
        let file = File::create(path)?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        write(&mut writer)?;
        writer
            .into_inner()
            .map(drop)
            .map_err(std::io::IntoInnerError::into_error)
    })();
    if let Err(cause) = written {
        // A full disk leaves a partial file: remove it.
        let _ = fs::remove_file(path);
        return Err(WriteError {
            path: path.to_owned(),
            cause,
        });
    }
    Ok(())
}

/// Makes `files` and the entries of `dirs` durable, the files' flushes
/// overlapping (the disk and the journal take them together): the step
/// before a commit that refers to files written by
/// [`write_unsynced_with`].
///
/// # Errors
///
/// The first file that cannot be flushed.
pub fn sync_files(files: &[PathBuf], dirs: &[&Path]) -> Result<(), WriteError> {
    use rayon::prelude::*;
    files.par_iter().with_min_len(8).try_for_each(|path| {
        File::open(path)
            .and_then(|f| f.sync_all())
            .map_err(|cause| WriteError {
                path: path.clone(),
                cause,
            })
    })?;
    for dir in dirs {
        sync_dir(dir);
    }
    Ok(())
}

/// Makes the renames in `dir` durable, where the platform allows it.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
