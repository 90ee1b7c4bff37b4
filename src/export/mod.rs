//! Exports for analysts' tools: CSV (Excel, Gephi's spreadsheet import),
//! GraphML (Gephi, networkx, igraph, yEd, Cytoscape), Graphviz DOT and RDF
//! in every syntax Oxigraph writes. One module per format: [`csv`],
//! [`graphml`] and [`dot`] render the network to bytes, [`rdf`] streams the
//! store graph by graph into a writer; [`Output`] checks the target before
//! any work and replaces a file atomically.

pub mod csv;
pub mod dot;
pub mod graphml;
pub mod rdf;
pub mod web_annotation;

use crate::fs::write_atomically;
use crate::store::StoreError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The kind of an assignment's item.
fn kind_of(a: &crate::network::Assignment) -> crate::vocab::ItemKind {
    if a.key_task {
        crate::vocab::ItemKind::KeyTask
    } else {
        crate::vocab::ItemKind::Safeguard
    }
}

/// Where an export goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Standard output (`--out -`).
    Stdout,
    /// A file, replaced atomically.
    File(PathBuf),
}

/// An output that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The directory to write in does not exist.
    #[error("--out {path}: the directory {dir} does not exist; create it or choose another path")]
    NoDirectory {
        /// The requested path.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
    },
    /// The path is a directory where a file was expected.
    #[error("--out {path}: this is a directory; give a file name")]
    IsDirectory {
        /// The requested path.
        path: PathBuf,
    },
    /// Writing failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing to stdout failed.
    #[error("cannot write the export")]
    Io(#[from] std::io::Error),
}

impl Output {
    /// `-` is standard output; anything else a file path.
    #[must_use]
    pub fn parse(text: &Path) -> Self {
        if text.as_os_str() == "-" {
            Self::Stdout
        } else {
            Self::File(text.to_owned())
        }
    }

    /// Fails early when the file cannot be written: its directory is
    /// missing, or it is a directory.
    ///
    /// # Errors
    ///
    /// See [`OutputError`].
    pub fn check(&self) -> Result<(), OutputError> {
        let Self::File(path) = self else {
            return Ok(());
        };
        if path.is_dir() {
            return Err(OutputError::IsDirectory { path: path.clone() });
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(OutputError::NoDirectory {
                path: path.clone(),
                dir: dir.to_owned(),
            });
        }
        Ok(())
    }

    /// Writes what `write` produces as it produces it, replacing a file
    /// atomically.
    ///
    /// # Errors
    ///
    /// Write errors; a file is then unchanged.
    pub fn write_with(
        &self,
        out: &mut dyn Write,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        match self {
            Self::Stdout => Ok(write(out)?),
            Self::File(path) => {
                Ok(crate::fs::write_atomically_with(path, |w| write(w))
                    .map_err(StoreError::from)?)
            }
        }
    }

    /// Writes `bytes`, replacing a file atomically.
    ///
    /// # Errors
    ///
    /// Write errors.
    pub fn write(&self, bytes: &[u8], stdout: &mut dyn Write) -> Result<(), OutputError> {
        match self {
            Self::Stdout => Ok(stdout.write_all(bytes)?),
            Self::File(path) => Ok(write_atomically(path, bytes).map_err(StoreError::from)?),
        }
    }

    /// The file extension, if any (lower case).
    #[must_use]
    pub fn extension(&self) -> Option<String> {
        match self {
            Self::Stdout => None,
            Self::File(p) => p.extension().map(|e| e.to_string_lossy().to_lowercase()),
        }
    }
}

/// Escapes text for XML and drops characters XML 1.0 cannot carry (most
/// control characters), which real extracted text sometimes contains.
#[must_use]
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A compact, readable node id from an IRI: the part after our id base
/// (`unit/厦门市/工业和信息化局`).
#[must_use]
pub fn node_id(iri: &str) -> String {
    iri.strip_prefix(crate::vocab::ID_BASE)
        .unwrap_or(iri)
        .to_owned()
}
