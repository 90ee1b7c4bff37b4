//! The store: a directory holding the graphs of the plans, the registry
//! and the ontology.
//!
//! Two backends sit behind this module, one file each, chosen at build time
//! (the `cfg` on their `mod` lines below). The default, `memory`, keeps
//! each graph as a sorted N-Quads file (pure Rust, diffable) and loads them
//! into Oxigraph's in-memory store only when a query needs the store. With
//! the `rocksdb` feature, `rocksdb` keeps Oxigraph's RocksDB store.
//!
//! Beside the graphs, each write keeps the [`answers`] some fixed queries
//! give on each graph, so that the reads that need only those (report,
//! network, the CSV and GraphML exports, the summary) never load the store.
//! `policykg-store.json` ([`meta`]) records the backend, the format version,
//! each graph with its files and its source's content hash; it is written
//! last and atomically, so a write is all or nothing. A lock file keeps two
//! policykg processes from writing at once.

pub mod answers;
#[cfg(not(feature = "rocksdb"))]
mod memory;
pub mod meta;
#[cfg(feature = "rocksdb")]
mod rocksdb;

#[cfg(not(feature = "rocksdb"))]
use memory as backend;
#[cfg(feature = "rocksdb")]
use rocksdb as backend;

use answers::Answers;
use meta::{FileRef, GraphEntry, Meta};
use oxigraph::model::{NamedNode, Quad};
use oxigraph::store::{StorageError, Store};
use std::collections::BTreeMap;
use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The backend this build of policykg uses.
pub const BACKEND: &str = backend::NAME;

/// Version of the store layout this policykg writes and reads. Version 1
/// held one sorted snapshot of every quad, with the provenance as nodes.
pub const FORMAT_VERSION: u32 = 2;

const META_FILE: &str = "policykg-store.json";
const LOCK_FILE: &str = "lock";
/// The directory of the kept answers.
const ANSWERS_DIR: &str = "answers";
/// The directory of the graphs' N-Quads files (default backend).
const GRAPHS_DIR: &str = "graphs";
/// Written by `policykg serve` while it serves the store: its address and
/// process id, so that a command the server's lock turns away can say
/// where to read instead.
pub const SERVING_FILE: &str = "serving";

/// Why a store cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the lock.
    #[error("{}", in_use(path, server.as_deref()))]
    InUse {
        /// The store directory.
        path: PathBuf,
        /// What `policykg serve` wrote in [`SERVING_FILE`], if it is the
        /// holder: its address and process id.
        server: Option<String>,
    },
    /// Reading a store that does not exist.
    #[error("there is no store at {path}; run `policykg build --store {path}` first")]
    Missing {
        /// The store directory.
        path: PathBuf,
    },
    /// A directory with other files in it.
    #[error(
        "{path} is not a policykg store (it has files but no {META_FILE}); choose an empty or new --store directory"
    )]
    NotAStore {
        /// The directory.
        path: PathBuf,
    },
    /// Written by the other backend.
    #[error(
        "the store at {path} was written by the {found} backend, but this policykg uses the {BACKEND} backend; {hint}"
    )]
    WrongBackend {
        /// The store directory.
        path: PathBuf,
        /// The backend recorded in the store.
        found: String,
        /// How to fix it.
        hint: &'static str,
    },
    /// Written by an older policykg, in a layout this one does not read.
    #[error(
        "the store at {path} has format version {found}, written by an older policykg; this one reads version {FORMAT_VERSION}: build a new store from the plans (`policykg build PLANS… --store NEW_DIR`)"
    )]
    OlderFormat {
        /// The store directory.
        path: PathBuf,
        /// The version recorded.
        found: u32,
    },
    /// Written by a newer policykg.
    #[error(
        "the store at {path} has format version {found}, newer than this policykg reads ({FORMAT_VERSION}); upgrade policykg, or build a new store with `policykg build --store NEW_DIR`"
    )]
    NewerFormat {
        /// The store directory.
        path: PathBuf,
        /// The version recorded.
        found: u32,
    },
    /// A damaged file.
    #[error(
        "{path}: the store is damaged: {message}; rebuild it with `policykg build --store DIR` from the plans"
    )]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// The store directory.
        store: String,
        /// What is wrong.
        message: String,
    },
    /// A write that failed (full disk, read-only file system, permissions);
    /// nothing on disk changed.
    #[error("{path}: cannot write: {cause}; the store is unchanged")]
    WriteFailed {
        /// The file.
        path: PathBuf,
        /// The error (in the message, so not a `source`).
        cause: std::io::Error,
    },
    /// File-system error.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error (in the message, so not a `source`).
        cause: std::io::Error,
    },
    /// Oxigraph's storage error.
    #[error("storage error: {0}")]
    Storage(#[from] StorageError),
}

impl From<crate::fs::WriteError> for StoreError {
    fn from(e: crate::fs::WriteError) -> Self {
        Self::WriteFailed {
            path: e.path,
            cause: e.cause,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |cause| StoreError::Io {
        path: path.to_owned(),
        cause,
    }
}

/// How a command uses the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only; several readers may share the store.
    Read,
    /// Writes; nobody else may use the store meanwhile. Creates it if absent.
    Write,
}

/// What [`StoreDir::open`] created.
#[derive(Debug, Clone, Copy)]
struct Created {
    directory: bool,
}

/// One graph to write: its name, its quads (each once), and what is kept
/// beside it.
#[derive(Debug)]
pub struct GraphWrite<Q> {
    /// The graph's IRI.
    pub name: NamedNode,
    /// Its quads, or `None` to keep the quads it has and only replace its
    /// answers.
    pub quads: Option<Q>,
    /// The answers of the kept queries on this graph; `None` leaves the
    /// store without kept answers until they are written.
    pub answers: Option<Answers>,
    /// The hash of what it was built from (a document's file and reader).
    pub hash: Option<String>,
    /// The file it was built from, if any (see [`GraphEntry::source`]).
    pub source: Option<String>,
}

/// The kept answers files of every graph (the registry's first, then
/// each graph's in IRI order), read and split by query once; each query's
/// rows are parsed when asked for.
#[derive(Debug, Default)]
struct Loaded {
    files: Vec<(PathBuf, answers::Split)>,
}

/// An open store directory.
pub struct StoreDir {
    path: PathBuf,
    meta: Meta,
    backend: backend::Backend,
    answers: OnceLock<Result<Option<Loaded>, (PathBuf, String)>>,
    // What this value created when it opened: the directory itself, and the
    // store in it (so a build that fails before its first commit can leave
    // no empty store behind).
    created: Option<Created>,
    // Held for the lifetime of the value: the OS releases the lock on drop.
    // None for a store on a read-only file system, where no writer can be.
    _lock: Option<File>,
}

impl std::fmt::Debug for StoreDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreDir")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl StoreDir {
    /// Opens (or, for writing, creates) the store in `path`.
    ///
    /// # Errors
    ///
    /// The store is missing (for reading), locked, written by another
    /// backend or another version, or damaged.
    pub fn open(path: &Path, access: Access) -> Result<Self, StoreError> {
        let meta_path = path.join(META_FILE);
        let made_directory = !path.exists();
        if made_directory {
            if access == Access::Read {
                return Err(StoreError::Missing {
                    path: path.to_owned(),
                });
            }
            fs::create_dir_all(path).map_err(|cause| StoreError::WriteFailed {
                path: path.to_owned(),
                cause,
            })?;
        }
        let is_new = !meta_path.exists();
        if is_new {
            let has_files = fs::read_dir(path)
                .map_err(io(path))?
                .any(|e| e.is_ok_and(|e| e.file_name() != LOCK_FILE));
            if has_files {
                return Err(StoreError::NotAStore {
                    path: path.to_owned(),
                });
            }
            if access == Access::Read {
                return Err(StoreError::Missing {
                    path: path.to_owned(),
                });
            }
        }
        let lock = lock(path, access)?;
        let meta = if is_new {
            let meta = Meta::new(FORMAT_VERSION, BACKEND);
            crate::fs::write_atomically(&meta_path, meta.to_json().as_bytes())?;
            meta
        } else {
            read_meta(path, &meta_path)?
        };
        let backend = backend::Backend::open(path, access, &meta)?;
        Ok(Self {
            path: path.to_owned(),
            meta,
            backend,
            answers: OnceLock::new(),
            created: is_new.then_some(Created {
                directory: made_directory,
            }),
            _lock: lock,
        })
    }

    /// Whether `path` holds a store (its metadata file).
    #[must_use]
    pub fn exists(path: &Path) -> bool {
        path.join(META_FILE).exists()
    }

    /// Closes a store that this value created and nothing was committed
    /// to, and removes it: its files, and its directory if that was created
    /// too. A store that existed before is left as it is.
    ///
    /// # Errors
    ///
    /// File-system errors.
    pub fn discard_if_new(self) -> Result<(), StoreError> {
        let Some(created) = self.created else {
            return Ok(());
        };
        let path = self.path.clone();
        // Closes the backend and releases the lock first.
        drop(self);
        // The directory held nothing but perhaps a lock file when the store
        // was created (see `open`), so whatever is in it now is ours.
        for entry in fs::read_dir(&path).map_err(io(&path))? {
            let entry = entry.map_err(io(&path))?.path();
            let removed = if entry.is_dir() {
                fs::remove_dir_all(&entry)
            } else {
                fs::remove_file(&entry)
            };
            removed.map_err(io(&entry))?;
        }
        if created.directory {
            fs::remove_dir(&path).map_err(io(&path))?;
        }
        Ok(())
    }

    /// The Oxigraph store, for queries: on the default backend the graphs
    /// are loaded on the first call (the reads that the kept answers serve
    /// never make it).
    ///
    /// # Errors
    ///
    /// A damaged graph file, or storage errors.
    pub fn store(&self) -> Result<&Store, StoreError> {
        self.backend.store(&self.path, &self.meta)
    }

    /// The number of quads in the store, as recorded at the last write.
    #[must_use]
    pub fn triple_count(&self) -> usize {
        usize::try_from(self.meta.triples).unwrap_or(usize::MAX)
    }

    /// The named graphs, by IRI, with what the store records of each.
    #[must_use]
    pub fn graphs(&self) -> &BTreeMap<String, GraphEntry> {
        &self.meta.graphs
    }

    /// Whether the store holds this named graph.
    #[must_use]
    pub fn contains_graph(&self, graph: &NamedNode) -> bool {
        self.meta.graphs.contains_key(graph.as_str())
    }

    /// Whether the content hashes in [`StoreDir::graphs`] describe the
    /// store as it is (not after a RocksDB write that was cut off).
    #[must_use]
    pub fn hashes_current(&self) -> bool {
        self.meta.answers_current
    }

    /// One graph's quads as canonical N-Quads lines (`… .\n`), sorted: the
    /// graph's file on the default backend, read without loading the store.
    ///
    /// # Errors
    ///
    /// A damaged graph file, or storage errors.
    pub fn graph_lines(&self, graph: &NamedNode) -> Result<Vec<String>, StoreError> {
        self.backend.graph_lines(&self.path, &self.meta, graph)
    }

    /// The directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The kept answers of `query` (its exact text) over all graphs, when
    /// every graph has them: the rows of the registry graphs, then each
    /// graph's in IRI order (a `SELECT DISTINCT` query's rows once each).
    /// Each call parses the rows anew and hands them over.
    ///
    /// # Errors
    ///
    /// A damaged answers file.
    pub fn kept_answers(&self, query: &str) -> Result<Option<answers::Rows>, StoreError> {
        let loaded = self.answers.get_or_init(|| {
            self.load_answers().map_err(|e| match e {
                StoreError::Corrupt { path, message, .. } => (path, message),
                other => (self.path.join(ANSWERS_DIR), other.to_string()),
            })
        });
        let loaded = match loaded {
            Ok(Some(loaded)) => loaded,
            Ok(None) => return Ok(None),
            Err((path, message)) => {
                return Err(StoreError::Corrupt {
                    path: path.clone(),
                    store: self.path.display().to_string(),
                    message: message.clone(),
                });
            }
        };
        use rayon::prelude::*;
        let parsed: Vec<Option<answers::Rows>> = loaded
            .files
            .par_iter()
            .map(|(path, split)| {
                split.rows(query).map_err(|e| StoreError::Corrupt {
                    path: path.clone(),
                    store: self.path.display().to_string(),
                    message: e.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        let mut all: Option<answers::Rows> = None;
        for rows in parsed.into_iter().flatten() {
            match &mut all {
                None => all = Some(rows),
                Some(all) => all.rows.extend(rows.rows),
            }
        }
        if let Some(all) = &mut all
            && query.contains("SELECT DISTINCT")
        {
            let mut seen = std::collections::HashSet::new();
            let keep: Vec<bool> = all.rows.iter().map(|row| seen.insert(row)).collect();
            drop(seen);
            let mut keep = keep.into_iter();
            all.rows.retain(|_| keep.next().unwrap_or(true));
        }
        Ok(all)
    }

    fn load_answers(&self) -> Result<Option<Loaded>, StoreError> {
        if !self.meta.answers_complete() {
            return Ok(None);
        }
        let dir = self.path.join(ANSWERS_DIR);
        let files: Vec<&FileRef> = self
            .meta
            .base_answers
            .iter()
            .chain(self.meta.graphs.values().filter_map(|g| g.answers.as_ref()))
            .collect();
        use rayon::prelude::*;
        let files = files
            .par_iter()
            .map(|file| read_answers(&dir, file, &self.path))
            .collect::<Result<_, _>>()?;
        Ok(Some(Loaded { files }))
    }

    /// Replaces each named graph with the given one, all or nothing, and
    /// records the registry graphs' own answers (`base`). The graphs are
    /// taken one at a time, so a caller can make each one only when it is
    /// written. An `Err` from `graphs` stops the write: nothing is
    /// committed and that error is returned.
    ///
    /// # Errors
    ///
    /// The first error of `graphs`, or storage or file-system errors; the
    /// store on disk is then unchanged.
    pub fn replace_graphs<E: From<StoreError>, Q: IntoIterator<Item = Quad>>(
        &mut self,
        base: Option<Answers>,
        graphs: impl IntoIterator<Item = Result<GraphWrite<Q>, E>>,
    ) -> Result<(), E> {
        let answers_dir = self.path.join(ANSWERS_DIR);
        fs::create_dir_all(&answers_dir).map_err(|cause| StoreError::WriteFailed {
            path: answers_dir.clone(),
            cause,
        })?;
        let mut meta = self.meta.clone();
        meta.generation += 1;
        if let Some(base) = &base {
            meta.base_answers = Some(write_answers(&answers_dir, base)?);
        }
        let mut written: Vec<(String, GraphEntry)> = Vec::new();
        // The backends keep what they need of each graph; its source file
        // is the metadata's alone.
        let sources: std::cell::RefCell<BTreeMap<String, String>> = Default::default();
        let graphs = graphs.into_iter().map(|graph| {
            graph.map(|mut graph| {
                if let Some(source) = graph.source.take() {
                    sources
                        .borrow_mut()
                        .insert(graph.name.as_str().to_owned(), source);
                }
                graph
            })
        });
        let result = self.backend.write(
            &self.path,
            &self.meta,
            graphs,
            &mut |name, answers, hash, entry| {
                let kept = answers
                    .map(|a| write_answers(&answers_dir, a))
                    .transpose()?;
                entry.answers = kept;
                entry.hash = hash;
                if let Some(source) = sources.borrow_mut().remove(name.as_str()) {
                    entry.source = Some(source);
                }
                written.push((name.as_str().to_owned(), entry.clone()));
                Ok(())
            },
        );
        if let Err(e) = result {
            // Nothing refers to what was written: it goes (a full disk is
            // left as full as it was).
            self.remove_unreferenced();
            return Err(e);
        }
        // Every file the new metadata names is on disk before it is written.
        let graphs_dir = self.path.join(GRAPHS_DIR);
        let mut files: Vec<PathBuf> = Vec::new();
        files.extend(meta.base_answers.iter().map(|f| answers_dir.join(&f.name)));
        for (_, entry) in &written {
            files.extend(entry.answers.iter().map(|f| answers_dir.join(&f.name)));
            files.extend(entry.file.iter().map(|f| graphs_dir.join(&f.name)));
        }
        if let Err(e) = crate::fs::sync_files(&files, &[&answers_dir, &graphs_dir]) {
            self.remove_unreferenced();
            return Err(StoreError::from(e).into());
        }
        for (name, entry) in written {
            meta.graphs.insert(name, entry);
        }
        meta.triples = meta.graphs.values().map(|g| g.quads).sum();
        self.commit(meta)?;
        Ok(())
    }

    /// Removes named graphs, all or nothing.
    ///
    /// # Errors
    ///
    /// Storage or file-system errors.
    pub fn remove_graphs(&mut self, graphs: &[NamedNode]) -> Result<(), StoreError> {
        let mut meta = self.meta.clone();
        meta.generation += 1;
        self.backend.remove(&self.path, &self.meta, graphs)?;
        for g in graphs {
            meta.graphs.remove(g.as_str());
        }
        meta.triples = meta.graphs.values().map(|g| g.quads).sum();
        self.commit(meta)
    }

    /// Writes the metadata (the commit point) and removes the files no
    /// graph refers to any more.
    fn commit(&mut self, mut meta: Meta) -> Result<(), StoreError> {
        meta.answers_current = true;
        crate::fs::write_atomically(&self.path.join(META_FILE), meta.to_json().as_bytes())?;
        self.meta = meta;
        self.answers = OnceLock::new();
        self.remove_unreferenced();
        Ok(())
    }

    /// Removes the files the metadata does not refer to.
    fn remove_unreferenced(&self) {
        self.backend.committed(&self.path, &self.meta);
        let kept: std::collections::HashSet<&str> = self
            .meta
            .base_answers
            .iter()
            .chain(self.meta.graphs.values().filter_map(|g| g.answers.as_ref()))
            .map(|f| f.name.as_str())
            .collect();
        remove_other_files(&self.path.join(ANSWERS_DIR), &kept);
    }
}

/// What a backend calls as it writes each graph, with the graph's kept
/// answers and hash and its entry (its quad count and file filled in), for
/// the entry to record them.
pub(super) type OnGraph<'a> = dyn FnMut(
        &NamedNode,
        Option<&answers::Answers>,
        Option<String>,
        &mut GraphEntry,
    ) -> Result<(), StoreError>
    + 'a;

/// Marks the kept answers and hashes as not current before a backend write
/// that cannot be committed together with the metadata (RocksDB): if the
/// write is cut off after the backend committed, readers fall back to
/// SPARQL and the next build reads the hashes from the store.
#[cfg_attr(not(feature = "rocksdb"), allow(dead_code))]
fn mark_in_flight(dir: &Path, meta: &Meta) -> Result<(), StoreError> {
    let mut meta = meta.clone();
    meta.answers_current = false;
    crate::fs::write_atomically(&dir.join(META_FILE), meta.to_json().as_bytes())?;
    Ok(())
}

/// Removes the files of `dir` that are not in `kept` (files of older
/// writes, or of a write that was cut off); best effort.
fn remove_other_files(dir: &Path, kept: &std::collections::HashSet<&str>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !kept.contains(name.to_string_lossy().as_ref()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A name for a file from what it holds: the same content, the same name,
/// so an unchanged graph keeps its file.
fn content_name(parts: &[&[u8]], extension: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{extension}")
}

fn write_answers(dir: &Path, answers: &Answers) -> Result<FileRef, StoreError> {
    let json = serde_json::to_vec(answers).map_err(|e| StoreError::Io {
        path: dir.to_owned(),
        cause: std::io::Error::other(e),
    })?;
    let name = content_name(&[&json], "json");
    let path = dir.join(&name);
    let bytes = json.len() as u64;
    if !fs::metadata(&path).is_ok_and(|m| m.len() == bytes) {
        // Made durable before the commit refers to it (replace_graphs).
        crate::fs::write_unsynced_with(&path, |w| std::io::Write::write_all(w, &json))?;
    }
    Ok(FileRef { name, bytes })
}

fn read_answers(
    dir: &Path,
    file: &FileRef,
    store: &Path,
) -> Result<(PathBuf, answers::Split), StoreError> {
    let path = dir.join(&file.name);
    let corrupt = |message: String| StoreError::Corrupt {
        path: path.clone(),
        store: store.display().to_string(),
        message,
    };
    let bytes = fs::read(&path).map_err(|e| corrupt(e.to_string()))?;
    if bytes.len() as u64 != file.bytes {
        return Err(corrupt(format!(
            "it has {} bytes, the store recorded {}",
            bytes.len(),
            file.bytes
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| corrupt(e.to_string()))?;
    let split = answers::Split::of(text).map_err(|e| corrupt(e.to_string()))?;
    Ok((path, split))
}

/// Reads and checks the metadata: the version and the backend first, for
/// their own messages.
fn read_meta(dir: &Path, meta_path: &Path) -> Result<Meta, StoreError> {
    let text = fs::read_to_string(meta_path).map_err(io(meta_path))?;
    let corrupt = |message: &str| StoreError::Corrupt {
        path: meta_path.to_owned(),
        store: dir.display().to_string(),
        message: message.to_owned(),
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| corrupt(&format!("not JSON ({e})")))?;
    let version = value["version"]
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| corrupt("no format version"))?;
    if version > FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            path: dir.to_owned(),
            found: version,
        });
    }
    let backend = value["backend"]
        .as_str()
        .ok_or_else(|| corrupt("no backend"))?;
    if backend != BACKEND {
        return Err(StoreError::WrongBackend {
            path: dir.to_owned(),
            found: backend.to_owned(),
            hint: if backend == "rocksdb" {
                "use a policykg built with `--features rocksdb`, or another --store directory"
            } else {
                "use a policykg built without the `rocksdb` feature, or another --store directory"
            },
        });
    }
    if version < FORMAT_VERSION {
        return Err(StoreError::OlderFormat {
            path: dir.to_owned(),
            found: version,
        });
    }
    serde_json::from_value(value).map_err(|e| corrupt(&e.to_string()))
}

/// Whether a [`SERVING_FILE`] was left by a server that is gone (killed
/// before it could remove it): its process no longer exists. Only where
/// `/proc` tells; elsewhere the note is trusted.
fn stale(note: &str) -> bool {
    let proc = Path::new("/proc");
    let Some(pid) = note
        .rsplit("pid ")
        .next()
        .and_then(|p| p.trim().parse::<u32>().ok())
    else {
        return true;
    };
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

fn in_use(path: &Path, server: Option<&str>) -> String {
    match server {
        Some(server) => format!(
            "the store at {} is held by policykg serve ({server}); stop the server to change the store, or read through it with --endpoint",
            path.display()
        ),
        None => format!(
            "the store at {} is in use by another policykg process; wait for it to finish or use another --store directory",
            path.display()
        ),
    }
}

/// Takes the store's lock: exclusive for a writer, shared for readers.
fn lock(dir: &Path, access: Access) -> Result<Option<File>, StoreError> {
    let path = dir.join(LOCK_FILE);
    let opened = match access {
        Access::Write => File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path),
        // Readers need no write access: a store on read-only media (a CD,
        // a read-only mount) can still be queried.
        Access::Read => File::open(&path).or_else(|_| {
            File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
        }),
    };
    let file = match opened {
        Ok(file) => file,
        Err(e) if access == Access::Read && is_read_only(&e) => return Ok(None),
        Err(e) => {
            return Err(StoreError::WriteFailed {
                path: path.clone(),
                cause: e,
            });
        }
    };
    let locked = match access {
        Access::Read => file.try_lock_shared(),
        Access::Write => file.try_lock(),
    };
    match locked {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Err(StoreError::InUse {
            path: dir.to_owned(),
            server: fs::read_to_string(dir.join(SERVING_FILE))
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty() && !stale(s)),
        }),
        Err(TryLockError::Error(e)) => Err(io(&path)(e)),
    }
}

fn is_read_only(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
    )
}
