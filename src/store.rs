//! The store: a directory holding an embedded Oxigraph store.
//!
//! Two backends sit behind this one module. The default keeps Oxigraph's
//! in-memory store and persists it as a canonical, sorted N-Quads snapshot
//! (pure Rust, diffable, written atomically). With the `rocksdb` feature the
//! directory holds Oxigraph's RocksDB store instead. A small metadata file
//! records which backend wrote the directory and its format version, and a
//! lock file keeps two policykg processes from writing at once.

use oxigraph::model::{NamedNode, Quad};
use oxigraph::store::{StorageError, Store};
use std::fs::{self, File, TryLockError};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The backend this build of policykg uses.
#[cfg(not(feature = "rocksdb"))]
pub const BACKEND: &str = "memory";
/// The backend this build of policykg uses.
#[cfg(feature = "rocksdb")]
pub const BACKEND: &str = "rocksdb";

/// Version of the store layout this policykg writes and reads.
pub const FORMAT_VERSION: u32 = 1;

const META_FILE: &str = "policykg-store.json";
const LOCK_FILE: &str = "lock";
/// Written by `policykg serve` while it serves the store: its address and
/// process id, so that a command the server's lock turns away can say
/// where to read instead.
pub const SERVING_FILE: &str = "serving";
#[cfg(not(feature = "rocksdb"))]
const SNAPSHOT_FILE: &str = "snapshot.nq";
#[cfg(feature = "rocksdb")]
const ROCKSDB_DIR: &str = "rocksdb";
/// Memory the RocksDB bulk loader may use for its sorted runs (Oxigraph's
/// default is 2 GB a thread).
#[cfg(feature = "rocksdb")]
const BULK_LOAD_MEGABYTES: usize = 64;

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

/// An open store directory.
pub struct StoreDir {
    path: PathBuf,
    store: Store,
    // The number of quads, when known without walking the store: counted
    // while loading the snapshot, or recorded by the last RocksDB write.
    triples: Option<usize>,
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
    /// backend or a newer version, or damaged.
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
        let recorded = if is_new {
            write_atomically(&meta_path, meta_json(None).as_bytes())?;
            None
        } else {
            check_meta(path, &meta_path)?
        };
        let (store, loaded) = open_backend(path, access)?;
        Ok(Self {
            path: path.to_owned(),
            store,
            triples: loaded.or(recorded),
            created: is_new.then_some(Created {
                directory: made_directory,
            }),
            _lock: lock,
        })
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

    /// The Oxigraph store, for queries.
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The number of quads in the store. Known without walking the store
    /// when it was loaded from a snapshot or its count was recorded at the
    /// last write (`Store::len` visits every quad: seconds for millions).
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub fn triple_count(&self) -> Result<usize, StoreError> {
        match self.triples {
            Some(n) => Ok(n),
            None => Ok(self.store.len()?),
        }
    }

    /// The directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces each named graph with the given quads, all or nothing, and
    /// persists the result. The graphs are taken one at a time, so a caller
    /// can make each one only when it is written. An `Err` from `graphs`
    /// stops the write: nothing is committed and that error is returned.
    ///
    /// # Errors
    ///
    /// The first error of `graphs`, or storage or file-system errors; the
    /// store on disk is then unchanged.
    pub fn replace_graphs<E: From<StoreError>, Q: IntoIterator<Item = Quad>>(
        &mut self,
        graphs: impl IntoIterator<Item = Result<(NamedNode, Q), E>>,
    ) -> Result<(), E> {
        #[cfg(feature = "rocksdb")]
        if self.store.is_empty().map_err(StoreError::from)? {
            return self.bulk_load(graphs);
        }
        const INSERT_BATCH: usize = 1 << 14;
        let mut transaction = self.store.start_transaction().map_err(StoreError::from)?;
        let mut batch = Vec::with_capacity(INSERT_BATCH);
        for graph in graphs {
            let (graph, quads) = graph?;
            transaction.clear_graph(&graph).map_err(StoreError::from)?;
            transaction.insert_named_graph(&graph);
            // Inserted a batch at a time and dropped together: dropping
            // each quad between inserts fragments the allocator's memory
            // and made a build 15 % slower.
            let mut quads = quads.into_iter();
            loop {
                batch.extend(quads.by_ref().take(INSERT_BATCH));
                if batch.is_empty() {
                    break;
                }
                for quad in &batch {
                    transaction.insert(quad);
                }
                batch.clear();
            }
        }
        transaction.commit().map_err(StoreError::from)?;
        Ok(self.persist()?)
    }

    /// Fills an empty RocksDB store with Oxigraph's bulk loader, which
    /// writes sorted files and adds them at commit (all or nothing) instead
    /// of holding every insert of a transaction in memory: the first build
    /// of a large corpus is several times faster and its memory stays flat.
    ///
    /// All graphs go to the loader as one stream of quads, which it cuts
    /// into batches of its own size: handing it each document apart would
    /// make a batch, and a set of sorted files, per document.
    #[cfg(feature = "rocksdb")]
    fn bulk_load<E: From<StoreError>, Q: IntoIterator<Item = Quad>>(
        &mut self,
        graphs: impl IntoIterator<Item = Result<(NamedNode, Q), E>>,
    ) -> Result<(), E> {
        let mut loader = self
            .store
            .bulk_loader()
            .with_max_memory_size_in_megabytes(BULK_LOAD_MEGABYTES);
        let (mut empty, mut triples, mut failed) = (Vec::new(), 0, None);
        let quads = graphs
            .into_iter()
            .map_while(|graph| graph.map_err(|e| failed = Some(e)).ok())
            .flat_map(|(graph, quads)| {
                let mut quads = quads.into_iter().peekable();
                if quads.peek().is_none() {
                    empty.push(graph);
                }
                quads
            })
            // Callers give each quad of a graph once (see `rdf::parts`),
            // graphs are distinct and the store was empty: the count is
            // the store's size.
            .inspect(|_| triples += 1);
        loader.load_quads(quads).map_err(StoreError::from)?;
        if let Some(e) = failed {
            // Dropped without commit: the loader removes its files.
            return Err(e);
        }
        loader.commit().map_err(StoreError::from)?;
        // The loader leaves its sorted files as they were ingested, many
        // of them overlapping on the first level, and every read would
        // look into each: compacting them once makes reads several times
        // faster.
        self.store.optimize().map_err(StoreError::from)?;
        if !empty.is_empty() {
            // The bulk loader only knows quads; an empty graph is named here.
            let mut transaction = self.store.start_transaction().map_err(StoreError::from)?;
            for graph in &empty {
                transaction.insert_named_graph(graph);
            }
            transaction.commit().map_err(StoreError::from)?;
        }
        Ok(self.persist_counted(Some(triples))?)
    }

    /// Removes named graphs, all or nothing, and persists the result.
    ///
    /// # Errors
    ///
    /// Storage or file-system errors.
    pub fn remove_graphs(&mut self, graphs: &[NamedNode]) -> Result<(), StoreError> {
        let mut transaction = self.store.start_transaction()?;
        for graph in graphs {
            transaction.remove_named_graph(graph)?;
        }
        transaction.commit()?;
        self.persist()
    }

    /// The whole store as canonical N-Quads: one quad per line, sorted, so
    /// equal stores give equal bytes.
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub fn canonical_nquads(&self) -> Result<Vec<String>, StoreError> {
        use rayon::prelude::*;
        // Formatting is most of the cost of writing a snapshot: quads are
        // taken from the store in chunks and formatted on every core, then
        // sorted in parallel (the order is total, so the bytes are the same).
        const CHUNK: usize = 1 << 16;
        let mut lines = Vec::new();
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut quads = self.store.iter();
        loop {
            chunk.clear();
            for quad in quads.by_ref().take(CHUNK) {
                chunk.push(quad?);
            }
            if chunk.is_empty() {
                break;
            }
            lines.par_extend(chunk.par_iter().map(|q| format!("{q} .\n")));
        }
        lines.par_sort_unstable();
        Ok(lines)
    }

    #[cfg(not(feature = "rocksdb"))]
    fn persist(&mut self) -> Result<(), StoreError> {
        let lines = self.canonical_nquads()?;
        self.triples = Some(lines.len());
        // Streamed line by line: the snapshot is never held twice in memory.
        write_atomically_with(&self.path.join(SNAPSHOT_FILE), |w| {
            lines
                .iter()
                .try_for_each(|line| w.write_all(line.as_bytes()))
        })
    }

    #[cfg(feature = "rocksdb")]
    fn persist(&mut self) -> Result<(), StoreError> {
        self.persist_counted(None)
    }

    /// Flushes and records the number of quads, `known` or counted here,
    /// so that reading commands need not walk the store; the count is only
    /// shown, never used to read data.
    #[cfg(feature = "rocksdb")]
    fn persist_counted(&mut self, known: Option<usize>) -> Result<(), StoreError> {
        self.store.flush()?;
        let triples = match known {
            Some(n) => n,
            None => self.store.len()?,
        };
        self.triples = Some(triples);
        write_atomically(
            &self.path.join(META_FILE),
            meta_json(Some(triples)).as_bytes(),
        )
    }
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

fn meta_json(triples: Option<usize>) -> String {
    let count = triples.map_or_else(String::new, |n| format!(",\"triples\":{n}"));
    format!(
        "{{\"format\":\"policykg-store\",\"version\":{FORMAT_VERSION},\"backend\":\"{BACKEND}\"{count}}}\n"
    )
}

/// Checks the metadata; returns the quad count it records, if any.
fn check_meta(dir: &Path, meta_path: &Path) -> Result<Option<usize>, StoreError> {
    let text = fs::read_to_string(meta_path).map_err(io(meta_path))?;
    let corrupt = |message: &str| StoreError::Corrupt {
        path: meta_path.to_owned(),
        store: dir.display().to_string(),
        message: message.to_owned(),
    };
    let meta: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| corrupt(&format!("not JSON ({e})")))?;
    let version = meta["version"]
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| corrupt("no format version"))?;
    if version > FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            path: dir.to_owned(),
            found: version,
        });
    }
    let backend = meta["backend"]
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
    Ok(meta["triples"]
        .as_u64()
        .and_then(|n| usize::try_from(n).ok()))
}

/// The store, and its number of quads when that was counted on the way.
#[cfg(not(feature = "rocksdb"))]
fn open_backend(dir: &Path, _access: Access) -> Result<(Store, Option<usize>), StoreError> {
    use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
    use std::io::BufReader;
    use std::sync::mpsc;
    const BATCH: usize = 100_000;
    let store = Store::new()?;
    let snapshot = dir.join(SNAPSHOT_FILE);
    if !snapshot.exists() {
        return Ok((store, Some(0)));
    }
    let file = File::open(&snapshot).map_err(io(&snapshot))?;
    let corrupt = |message: String| StoreError::Corrupt {
        path: snapshot.clone(),
        store: dir.display().to_string(),
        message,
    };
    // Parsing the N-Quads and inserting them into the store cost about the
    // same: one thread parses while this one inserts, which opens a large
    // store in about half the time of doing both in turn.
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<Vec<Quad>>(2);
        let parser = scope.spawn(move || -> Result<usize, RdfParseError> {
            // Our own canonical output: IRIs were checked when the store was
            // built, so the snapshot is read without re-validating each one
            // (syntax errors are still caught).
            let quads = RdfParser::from_format(RdfFormat::NQuads)
                .lenient()
                .for_reader(BufReader::with_capacity(1 << 20, file));
            // The snapshot is sorted, so a repeated quad (possible only in
            // an edited file) follows its twin: counting the quads that
            // differ from the one before gives the store's size.
            let (mut count, mut previous) = (0, None::<Quad>);
            let mut batch: Vec<Quad> = Vec::with_capacity(BATCH);
            for quad in quads {
                let quad = quad?;
                if batch.last().or(previous.as_ref()) != Some(&quad) {
                    count += 1;
                }
                batch.push(quad);
                if batch.len() == BATCH {
                    previous = batch.last().cloned();
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if sender.send(full).is_err() {
                        // The inserting side stopped on an error of its own.
                        return Ok(count);
                    }
                }
            }
            // A closed channel means the other side already failed.
            let _ = sender.send(batch);
            Ok(count)
        });
        let mut loader = store.bulk_loader();
        let mut inserted = Ok(());
        for batch in receiver {
            inserted = loader.load_quads(batch);
            if inserted.is_err() {
                break;
            }
        }
        let count = match parser.join() {
            Ok(Ok(count)) => count,
            Ok(Err(e)) => return Err(corrupt(e.to_string())),
            Err(_) => return Err(corrupt("the snapshot reader stopped".to_owned())),
        };
        inserted?;
        loader.commit()?;
        Ok((store, Some(count)))
    })
}

/// The store; its size is recorded in the metadata, not counted here.
#[cfg(feature = "rocksdb")]
fn open_backend(dir: &Path, access: Access) -> Result<(Store, Option<usize>), StoreError> {
    // Our lock file already excludes other writers; RocksDB's own lock
    // stays as a second guard. Readers open read-only so that several can
    // share the store.
    let path = dir.join(ROCKSDB_DIR);
    let store = match access {
        Access::Write => Store::open(path)?,
        Access::Read if !path.exists() => Store::new()?,
        Access::Read => Store::open_read_only(path)?,
    };
    Ok((store, None))
}

/// Writes `bytes` to `path` so that a reader sees the old file or the new
/// one, never half: temporary file, fsync, rename, fsync of the directory.
///
/// # Errors
///
/// File-system errors; `path` is then unchanged.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
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
) -> Result<(), StoreError> {
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
        return Err(StoreError::WriteFailed {
            path: path.to_owned(),
            cause,
        });
    }
    if let Ok(d) = File::open(dir) {
        // Directory fsync makes the rename durable; not all platforms allow it.
        let _ = d.sync_all();
    }
    Ok(())
}
