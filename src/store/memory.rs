//! The default backend: each graph a sorted N-Quads file in `graphs/`,
//! named by its content, loaded into Oxigraph's in-memory store only when a
//! query needs it. A write formats and sorts only the graphs it replaces and
//! never loads the others; the metadata, written last, says which files make
//! the store.

use super::meta::{FileRef, GraphEntry, Meta};
use super::{Access, GRAPHS_DIR, GraphWrite, OnGraph, StoreError, content_name, io};
use oxigraph::model::{NamedNode, Quad};
use oxigraph::store::Store;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

/// This backend's name in the metadata.
pub const NAME: &str = "memory";

/// The graphs, loaded on demand.
pub struct Backend {
    store: OnceLock<Result<Store, StoreError>>,
}

impl Backend {
    /// Opens the store; a writer first checks that every graph file is
    /// there, whole (a build never overwrites what it could not read).
    pub fn open(dir: &Path, access: Access, meta: &Meta) -> Result<Self, StoreError> {
        if access == Access::Write {
            for entry in meta.graphs.values() {
                if let Some(file) = &entry.file {
                    check_length(dir, file)?;
                }
            }
        }
        Ok(Self {
            store: OnceLock::new(),
        })
    }

    /// The in-memory store with every graph, loaded on the first call.
    pub fn store(&self, dir: &Path, meta: &Meta) -> Result<&Store, StoreError> {
        match self.store.get_or_init(|| load(dir, meta)) {
            Ok(store) => Ok(store),
            Err(e) => Err(copy_error(e)),
        }
    }

    /// One graph's lines, from its file.
    pub fn graph_lines(
        &self,
        dir: &Path,
        meta: &Meta,
        graph: &NamedNode,
    ) -> Result<Vec<String>, StoreError> {
        let Some(file) = meta
            .graphs
            .get(graph.as_str())
            .and_then(|g| g.file.as_ref())
        else {
            return Ok(Vec::new());
        };
        check_length(dir, file)?;
        let path = dir.join(GRAPHS_DIR).join(&file.name);
        let text = fs::read_to_string(&path).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            store: dir.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(text.split_inclusive('\n').map(str::to_owned).collect())
    }

    /// Writes the graphs' files; `on_graph` records each graph's answers
    /// and hash in its entry.
    pub fn write<E: From<StoreError>, Q: IntoIterator<Item = Quad>>(
        &mut self,
        dir: &Path,
        old: &Meta,
        graphs: impl IntoIterator<Item = Result<GraphWrite<Q>, E>>,
        on_graph: &mut OnGraph<'_>,
    ) -> Result<(), E> {
        let graphs_dir = dir.join(GRAPHS_DIR);
        fs::create_dir_all(&graphs_dir).map_err(|cause| StoreError::WriteFailed {
            path: graphs_dir.clone(),
            cause,
        })?;
        for graph in graphs {
            let graph = graph?;
            let mut entry = match graph.quads {
                Some(quads) => write_graph(&graphs_dir, &graph.name, graph.hash.as_deref(), quads)?,
                None => old.kept(&graph.name),
            };
            on_graph(&graph.name, graph.answers.as_ref(), graph.hash, &mut entry)?;
        }
        self.store = OnceLock::new();
        Ok(())
    }

    /// Nothing to do but forget the loaded store: the metadata drops them.
    pub fn remove(
        &mut self,
        _dir: &Path,
        _old: &Meta,
        _graphs: &[NamedNode],
    ) -> Result<(), StoreError> {
        self.store = OnceLock::new();
        Ok(())
    }

    /// Removes the graph files no graph refers to any more.
    pub fn committed(&self, dir: &Path, meta: &Meta) {
        let kept: std::collections::HashSet<&str> = meta
            .graphs
            .values()
            .filter_map(|g| g.file.as_ref())
            .map(|f| f.name.as_str())
            .collect();
        super::remove_other_files(&dir.join(GRAPHS_DIR), &kept);
    }
}

/// One graph's quads as canonical N-Quads: one quad per line, sorted, each
/// once, so that equal graphs give equal bytes. Named by the graph and what
/// it was built from (a document's hash) or else by its bytes.
fn write_graph(
    dir: &Path,
    name: &NamedNode,
    hash: Option<&str>,
    quads: impl IntoIterator<Item = Quad>,
) -> Result<GraphEntry, StoreError> {
    use rayon::prelude::*;
    // Formatting is most of the cost: quads are taken in chunks and
    // formatted on every core, then sorted in parallel (the order is total,
    // so the bytes are the same).
    const CHUNK: usize = 1 << 14;
    let mut lines: Vec<String> = Vec::new();
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut quads = quads.into_iter();
    loop {
        chunk.clear();
        chunk.extend(quads.by_ref().take(CHUNK));
        if chunk.is_empty() {
            break;
        }
        if chunk.len() < 512 {
            lines.extend(chunk.iter().map(|q| format!("{q} .\n")));
        } else {
            lines.par_extend(chunk.par_iter().map(|q| format!("{q} .\n")));
        }
    }
    if lines.len() > 4096 {
        lines.par_sort_unstable();
    } else {
        lines.sort_unstable();
    }
    lines.dedup();
    let bytes: usize = lines.iter().map(String::len).sum();
    let file = match hash {
        Some(hash) => content_name(&[name.as_str().as_bytes(), hash.as_bytes()], "nq"),
        None => {
            use sha2::{Digest, Sha256};
            let mut hasher = Sha256::new();
            for line in &lines {
                hasher.update(line.as_bytes());
            }
            content_name(&[name.as_str().as_bytes(), &hasher.finalize()], "nq")
        }
    };
    let path = dir.join(&file);
    if !fs::metadata(&path).is_ok_and(|m| m.len() == bytes as u64) {
        use std::io::Write;
        // Made durable, with the others of the write, before the commit
        // refers to it (StoreDir::replace_graphs).
        crate::fs::write_unsynced_with(&path, |w| {
            lines
                .iter()
                .try_for_each(|line| w.write_all(line.as_bytes()))
        })?;
    }
    Ok(GraphEntry {
        quads: lines.len() as u64,
        hash: None,
        source: None,
        file: Some(FileRef {
            name: file,
            bytes: bytes as u64,
        }),
        answers: None,
    })
}

fn check_length(dir: &Path, file: &FileRef) -> Result<(), StoreError> {
    let path = dir.join(GRAPHS_DIR).join(&file.name);
    let found = fs::metadata(&path).map_err(io(&path))?.len();
    if found == file.bytes {
        return Ok(());
    }
    Err(StoreError::Corrupt {
        store: dir.display().to_string(),
        message: format!("it has {found} bytes, the store recorded {}", file.bytes),
        path,
    })
}

/// Every graph file into one in-memory store: files are parsed on every
/// core while this thread inserts.
fn load(dir: &Path, meta: &Meta) -> Result<Store, StoreError> {
    use oxigraph::io::{RdfFormat, RdfParser};
    use rayon::prelude::*;
    use std::io::BufReader;
    use std::sync::mpsc;
    let store = Store::new()?;
    let files: Vec<&FileRef> = meta
        .graphs
        .values()
        .filter_map(|g| g.file.as_ref())
        .collect();
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<Result<Vec<Quad>, StoreError>>(4);
        scope.spawn(move || {
            files.par_iter().for_each_with(sender, |sender, file| {
                let path = dir.join(GRAPHS_DIR).join(&file.name);
                let parsed = (|| {
                    check_length(dir, file)?;
                    let reader = fs::File::open(&path).map_err(io(&path))?;
                    // Our own canonical output: IRIs were checked when the
                    // graph was built, so they are not validated again
                    // (syntax errors are still caught).
                    RdfParser::from_format(RdfFormat::NQuads)
                        .lenient()
                        .for_reader(BufReader::with_capacity(1 << 16, reader))
                        .collect::<Result<Vec<Quad>, _>>()
                        .map_err(|e| StoreError::Corrupt {
                            path: path.clone(),
                            store: dir.display().to_string(),
                            message: e.to_string(),
                        })
                })();
                // A closed channel means the loader already failed.
                let _ = sender.send(parsed);
            });
        });
        let mut loader = store.bulk_loader();
        for quads in receiver {
            loader.load_quads(quads?)?;
        }
        loader.commit()?;
        Ok::<(), StoreError>(())
    })?;
    Ok(store)
}

/// The error of a load, for each caller that asks again.
fn copy_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::Corrupt {
            path,
            store,
            message,
        } => StoreError::Corrupt {
            path: path.clone(),
            store: store.clone(),
            message: message.clone(),
        },
        other => StoreError::Io {
            path: std::path::PathBuf::from(GRAPHS_DIR),
            cause: std::io::Error::other(other.to_string()),
        },
    }
}
