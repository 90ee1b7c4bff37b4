//! `policykg-store.json`: which backend wrote the directory, its format
//! version, and what it holds: each graph with its number of quads, the
//! content hash of a document's source, and the files of its quads (default
//! backend) and of its kept answers. Written last, atomically: it is the
//! commit point of every write.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A file of the store: its name in its directory and its length (a
/// truncated file is seen without reading it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// File name.
    pub name: String,
    /// Length in bytes.
    pub bytes: u64,
}

/// One named graph.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphEntry {
    /// Its quads.
    pub quads: u64,
    /// The hash of what it was built from (documents only), so that an
    /// unchanged document is not rebuilt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// The file it was built from (documents only; its canonical path), so
    /// that another file with the same document id is not taken for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Its quads as sorted N-Quads (default backend).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileRef>,
    /// Its kept answers, if they were computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<FileRef>,
}

/// The metadata file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Always `policykg-store`.
    pub format: String,
    /// The layout version.
    pub version: u32,
    /// `memory` or `rocksdb`.
    pub backend: String,
    /// Counts the writes; each names new files.
    #[serde(default)]
    pub generation: u64,
    /// All quads of all graphs.
    #[serde(default)]
    pub triples: u64,
    /// Whether the kept answers are those of the store as it is (false
    /// while a RocksDB write is in flight, and after one that was cut off).
    #[serde(default)]
    pub answers_current: bool,
    /// The answers of the registry and ontology graphs alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_answers: Option<FileRef>,
    /// The graphs, by IRI.
    #[serde(default)]
    pub graphs: BTreeMap<String, GraphEntry>,
}

impl Meta {
    /// The entry a graph keeps when it is written without new quads (its
    /// answers and hash only change): its entry as it was, or an empty one.
    #[must_use]
    pub fn kept(&self, graph: &oxigraph::model::NamedNode) -> GraphEntry {
        self.graphs.get(graph.as_str()).cloned().unwrap_or_default()
    }

    /// The metadata of a new, empty store.
    #[must_use]
    pub fn new(version: u32, backend: &str) -> Self {
        Self {
            format: "policykg-store".to_owned(),
            version,
            backend: backend.to_owned(),
            generation: 0,
            triples: 0,
            answers_current: true,
            base_answers: None,
            graphs: BTreeMap::new(),
        }
    }

    /// Whether every graph has its answers and they are current.
    #[must_use]
    pub fn answers_complete(&self) -> bool {
        self.answers_current
            && self.base_answers.is_some()
            && self.graphs.values().all(|g| g.answers.is_some())
    }

    /// The file as JSON, one graph per line so that it diffs.
    ///
    /// # Panics
    ///
    /// Never: every field serialises.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("metadata serialises");
        text.push('\n');
        text
    }
}
