//! The RocksDB backend: Oxigraph's RocksDB store in `rocksdb/`. A new
//! store is filled with Oxigraph's bulk loader (all or nothing) and
//! compacted once; later writes go through a transaction. RocksDB commits
//! on its own, so the metadata is marked "in flight" before and committed
//! after: a write cut off in between leaves the kept answers and hashes
//! marked stale, never wrong.

use super::meta::{GraphEntry, Meta};
use super::{Access, GraphWrite, OnGraph, StoreError, answers::Answers};
use oxigraph::model::{NamedNode, Quad};
use oxigraph::store::Store;
use std::path::Path;

/// This backend's name in the metadata.
pub const NAME: &str = "rocksdb";

const ROCKSDB_DIR: &str = "rocksdb";
/// Memory the RocksDB bulk loader may use for its sorted runs (Oxigraph's
/// default is 2 GB a thread).
const BULK_LOAD_MEGABYTES: usize = 64;

/// The open RocksDB store.
pub struct Backend {
    store: Store,
}

impl Backend {
    /// Opens the store. Our lock file already excludes other writers;
    /// RocksDB's own lock stays as a second guard. Readers open read-only
    /// so that several can share the store.
    pub fn open(dir: &Path, access: Access, _meta: &Meta) -> Result<Self, StoreError> {
        let path = dir.join(ROCKSDB_DIR);
        let store = match access {
            Access::Write => Store::open(path)?,
            Access::Read if !path.exists() => Store::new()?,
            Access::Read => Store::open_read_only(path)?,
        };
        Ok(Self { store })
    }

    /// The store.
    pub fn store(&self, _dir: &Path, _meta: &Meta) -> Result<&Store, StoreError> {
        Ok(&self.store)
    }

    /// One graph's quads as canonical N-Quads lines, sorted.
    pub fn graph_lines(
        &self,
        _dir: &Path,
        _meta: &Meta,
        graph: &NamedNode,
    ) -> Result<Vec<String>, StoreError> {
        let mut lines = Vec::new();
        for quad in self
            .store
            .quads_for_pattern(None, None, None, Some(graph.as_ref().into()))
        {
            lines.push(format!("{} .\n", quad?));
        }
        lines.sort_unstable();
        Ok(lines)
    }

    /// Writes the graphs; `on_graph` records each graph's answers and hash.
    pub fn write<E: From<StoreError>, Q: IntoIterator<Item = Quad>>(
        &mut self,
        dir: &Path,
        old: &Meta,
        graphs: impl IntoIterator<Item = Result<GraphWrite<Q>, E>>,
        on_graph: &mut OnGraph<'_>,
    ) -> Result<(), E> {
        if self.store.is_empty().map_err(StoreError::from)? {
            return self.bulk_load(dir, old, graphs, on_graph);
        }
        const INSERT_BATCH: usize = 1 << 14;
        let mut transaction = self.store.start_transaction().map_err(StoreError::from)?;
        let mut batch = Vec::with_capacity(INSERT_BATCH);
        for graph in graphs {
            let graph = graph?;
            let mut entry = match graph.quads {
                None => old.kept(&graph.name),
                Some(quads) => {
                    transaction
                        .clear_graph(&graph.name)
                        .map_err(StoreError::from)?;
                    transaction.insert_named_graph(&graph.name);
                    let mut count = 0;
                    // Inserted a batch at a time and dropped together:
                    // dropping each quad between inserts fragments the
                    // allocator's memory and made a build 15 % slower.
                    let mut quads = quads.into_iter();
                    loop {
                        batch.extend(quads.by_ref().take(INSERT_BATCH));
                        if batch.is_empty() {
                            break;
                        }
                        for quad in &batch {
                            transaction.insert(quad);
                        }
                        count += batch.len() as u64;
                        batch.clear();
                    }
                    GraphEntry {
                        quads: count,
                        ..GraphEntry::default()
                    }
                }
            };
            on_graph(&graph.name, graph.answers.as_ref(), graph.hash, &mut entry)?;
        }
        super::mark_in_flight(dir, old)?;
        transaction.commit().map_err(StoreError::from)?;
        self.store.flush().map_err(StoreError::from)?;
        Ok(())
    }

    /// Fills an empty store with Oxigraph's bulk loader, which writes
    /// sorted files and adds them at commit (all or nothing) instead of
    /// holding every insert of a transaction in memory. All graphs go to the
    /// loader as one stream of quads, which it cuts into batches of its own
    /// size: handing it each document apart would make a batch, and a set of
    /// sorted files, per document.
    fn bulk_load<E: From<StoreError>, Q: IntoIterator<Item = Quad>>(
        &mut self,
        dir: &Path,
        old: &Meta,
        graphs: impl IntoIterator<Item = Result<GraphWrite<Q>, E>>,
        on_graph: &mut OnGraph<'_>,
    ) -> Result<(), E> {
        let mut loader = self
            .store
            .bulk_loader()
            .with_max_memory_size_in_megabytes(BULK_LOAD_MEGABYTES);
        let mut failed: Option<E> = None;
        let mut recorded: Option<StoreError> = None;
        let mut empty = Vec::new();
        // The graphs come one after the other, so a graph's count is known
        // when the next one starts: it is recorded then (its answers file
        // written), and nothing of a graph but its quads' count is held
        // while the rest stream by.
        let count = std::cell::Cell::new(0u64);
        let mut record = |name: NamedNode, answers: Option<Answers>, hash: Option<String>| {
            let mut entry = GraphEntry {
                quads: count.replace(0),
                ..GraphEntry::default()
            };
            on_graph(&name, answers.as_ref(), hash, &mut entry)
        };
        let mut previous: Option<(NamedNode, Option<Answers>, Option<String>)> = None;
        let quads = graphs
            .into_iter()
            .map_while(|graph| graph.map_err(|e| failed = Some(e)).ok())
            .map_while(|graph| {
                if let Some((name, answers, hash)) = previous.take()
                    && let Err(e) = record(name, answers, hash)
                {
                    recorded = Some(e);
                    return None;
                }
                let mut quads = graph.quads.into_iter().flatten().peekable();
                if quads.peek().is_none() {
                    empty.push(graph.name.clone());
                }
                previous = Some((graph.name, graph.answers, graph.hash));
                Some(quads)
            })
            .flatten()
            .inspect(|_| count.set(count.get() + 1));
        loader.load_quads(quads).map_err(StoreError::from)?;
        if let Some(e) = failed {
            // Dropped without commit: the loader removes its files.
            return Err(e);
        }
        if let Some(e) = recorded {
            return Err(e.into());
        }
        if let Some((name, answers, hash)) = previous.take() {
            record(name, answers, hash)?;
        }
        super::mark_in_flight(dir, old)?;
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
        self.store.flush().map_err(StoreError::from)?;
        Ok(())
    }

    /// Removes named graphs in one transaction.
    pub fn remove(
        &mut self,
        dir: &Path,
        old: &Meta,
        graphs: &[NamedNode],
    ) -> Result<(), StoreError> {
        let mut transaction = self.store.start_transaction()?;
        for graph in graphs {
            transaction.remove_named_graph(graph)?;
        }
        super::mark_in_flight(dir, old)?;
        transaction.commit()?;
        self.store.flush()?;
        Ok(())
    }

    /// Nothing to remove: RocksDB keeps its own files.
    pub fn committed(&self, _dir: &Path, _meta: &Meta) {}
}
