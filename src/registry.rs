//! Registries: curated knowledge the parser cannot guess, kept in Turtle
//! files under `data/registry/` and compiled in — the units of each
//! jurisdiction (full names in Chinese and English, abbreviations as plans
//! write them, kind), the technology scheme, institutions, places, events,
//! laws, platforms, associations and fields.
//!
//! The files are loaded into the store as they are (their own graph), so
//! SPARQL sees labels, English names and kinds; this module also reads them
//! into plain lookup tables for resolving units and finding mentions.

use crate::vocab::{ID_BASE, org, pkg, rdf, skos};
use oxigraph::io::{RdfFormat, RdfParser, RdfSyntaxError};
use oxigraph::model::{GraphName, NamedNode, Quad, Term};
use std::collections::BTreeMap;

/// The bundled registry files: (file name, Turtle).
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "data/registry/units-xiamen.ttl",
        include_str!("../data/registry/units-xiamen.ttl"),
    ),
    (
        "data/registry/units-shanghai.ttl",
        include_str!("../data/registry/units-shanghai.ttl"),
    ),
    (
        "data/registry/units-guangzhou.ttl",
        include_str!("../data/registry/units-guangzhou.ttl"),
    ),
    (
        "data/registry/units-guandu.ttl",
        include_str!("../data/registry/units-guandu.ttl"),
    ),
    (
        "data/registry/units-qingpu.ttl",
        include_str!("../data/registry/units-qingpu.ttl"),
    ),
    (
        "data/registry/units-lishui.ttl",
        include_str!("../data/registry/units-lishui.ttl"),
    ),
    (
        "data/registry/units-liandu.ttl",
        include_str!("../data/registry/units-liandu.ttl"),
    ),
    (
        "data/registry/units-xianan.ttl",
        include_str!("../data/registry/units-xianan.ttl"),
    ),
    (
        "data/registry/units-national.ttl",
        include_str!("../data/registry/units-national.ttl"),
    ),
    (
        "data/registry/technologies.ttl",
        include_str!("../data/registry/technologies.ttl"),
    ),
    (
        "data/registry/things.ttl",
        include_str!("../data/registry/things.ttl"),
    ),
];

/// A registry file that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {source}")]
pub struct RegistryError {
    /// The file.
    pub file: String,
    /// The Turtle error, with its position.
    pub source: RdfSyntaxError,
}

/// A unit the registry knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownUnit {
    /// Its IRI.
    pub iri: String,
    /// Its jurisdiction (`厦门市`).
    pub jurisdiction: String,
    /// Every Chinese label (full name first, then abbreviations).
    pub labels: Vec<String>,
    /// Kind (local name of its org:classification), if given.
    pub kind: Option<String>,
}

/// A thing other than a unit (technology, institution, place …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownThing {
    /// Its IRI.
    pub iri: String,
    /// Its class (local name: `Technology`, `Institution` …).
    pub class: String,
    /// Every Chinese label.
    pub labels: Vec<String>,
    /// Where it belongs, when it is local (a landmark, a city's event).
    pub jurisdiction: Option<String>,
}

/// All registries, loaded.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// Known units.
    pub units: Vec<KnownUnit>,
    /// Known things.
    pub things: Vec<KnownThing>,
    /// Every registry triple, in the registry graph.
    pub quads: Vec<Quad>,
    by_label: BTreeMap<(String, String), usize>,
    /// What is made once per jurisdiction.
    per_jurisdiction: PerJurisdiction,
}

/// What is made from the registry for one jurisdiction and kept (the
/// recognizer's matcher: building one takes longer than parsing a plan),
/// shared by the threads of a build.
#[derive(Debug, Default)]
pub struct PerJurisdiction(
    std::sync::Mutex<BTreeMap<Option<String>, std::sync::Arc<dyn std::any::Any + Send + Sync>>>,
);

impl Clone for PerJurisdiction {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PerJurisdiction {
    /// The value kept for `jurisdiction`, made with `make` the first time.
    pub fn get<T: std::any::Any + Send + Sync>(
        &self,
        jurisdiction: Option<&str>,
        make: impl FnOnce() -> T,
    ) -> std::sync::Arc<T> {
        let key = jurisdiction.map(str::to_owned);
        if let Ok(cache) = self.0.lock()
            && let Some(found) = cache.get(&key).and_then(|v| v.clone().downcast::<T>().ok())
        {
            return found;
        }
        let made = std::sync::Arc::new(make());
        if let Ok(mut cache) = self.0.lock() {
            cache.insert(key, made.clone());
        }
        made
    }
}

/// The graph registries are loaded into.
#[must_use]
pub fn graph() -> NamedNode {
    NamedNode::new_unchecked(format!("{ID_BASE}graph/registry"))
}

fn jurisdiction_name(iri: &str) -> Option<String> {
    iri.strip_prefix(ID_BASE)?
        .strip_prefix("jurisdiction/")
        .map(str::to_owned)
}

impl Registry {
    /// What is kept per jurisdiction.
    #[must_use]
    pub fn per_jurisdiction(&self) -> &PerJurisdiction {
        &self.per_jurisdiction
    }

    /// The registries shipped with policykg.
    ///
    /// # Errors
    ///
    /// A bundled file does not parse (a test guards against this).
    pub fn bundled() -> Result<Self, RegistryError> {
        Self::from_turtle(BUNDLED.iter().map(|&(f, t)| (f.to_owned(), t.to_owned())))
    }

    /// Loads registries from (file name, Turtle) pairs.
    ///
    /// # Errors
    ///
    /// A file does not parse.
    pub fn from_turtle(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, RegistryError> {
        let graph_name = GraphName::from(graph());
        let mut quads = Vec::new();
        for (file, turtle) in files {
            for triple in RdfParser::from_format(RdfFormat::Turtle).for_slice(turtle.as_bytes()) {
                let t = triple.map_err(|source| RegistryError {
                    file: file.clone(),
                    source,
                })?;
                quads.push(Quad::new(
                    t.subject,
                    t.predicate,
                    t.object,
                    graph_name.clone(),
                ));
            }
        }
        quads.sort_by_cached_key(ToString::to_string);
        quads.dedup();
        // Group by subject: (types, zh labels (pref first), kind, jurisdiction).
        #[derive(Default)]
        struct Entry {
            types: Vec<String>,
            pref: Vec<String>,
            alt: Vec<String>,
            kind: Option<String>,
            jurisdiction: Option<String>,
        }
        let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
        for q in &quads {
            let oxigraph::model::NamedOrBlankNode::NamedNode(s) = &q.subject else {
                continue;
            };
            let e = entries.entry(s.as_str().to_owned()).or_default();
            let p = q.predicate.as_ref();
            match &q.object {
                Term::NamedNode(o) if p == rdf::TYPE => e.types.push(o.as_str().to_owned()),
                Term::NamedNode(o) if p == org::CLASSIFICATION => {
                    e.kind = o.as_str().strip_prefix(pkg::NS).map(str::to_owned);
                }
                Term::NamedNode(o) if p == pkg::JURISDICTION_PROP => {
                    e.jurisdiction = jurisdiction_name(o.as_str())
                }
                Term::Literal(l) if l.language().is_some_and(|t| t.starts_with("zh")) => {
                    if p == skos::PREF_LABEL {
                        e.pref.push(l.value().to_owned());
                    } else if p == skos::ALT_LABEL {
                        e.alt.push(l.value().to_owned());
                    }
                }
                _ => {}
            }
        }
        let mut registry = Self {
            quads,
            ..Self::default()
        };
        for (iri, e) in entries {
            let mut labels = e.pref;
            labels.extend(e.alt);
            if labels.is_empty() {
                continue;
            }
            if e.types.iter().any(|t| t == org::ORGANIZATION.as_str()) {
                let Some(jurisdiction) = e.jurisdiction else {
                    continue;
                };
                // Plans shorten 厦门市大数据管理局 to 市大数据管理局: the name
                // without the place, keeping its level word.
                if let Some(level) = jurisdiction
                    .chars()
                    .last()
                    .filter(|c| "市省区县".contains(*c))
                {
                    let short: Vec<String> = labels
                        .iter()
                        .filter_map(|l| l.strip_prefix(jurisdiction.as_str()))
                        .filter(|rest| rest.chars().count() >= 2)
                        .map(|rest| format!("{level}{rest}"))
                        .filter(|s| !labels.contains(s))
                        .collect();
                    labels.extend(short);
                }
                let index = registry.units.len();
                for label in &labels {
                    registry
                        .by_label
                        .insert((jurisdiction.clone(), label.clone()), index);
                }
                registry.units.push(KnownUnit {
                    iri,
                    jurisdiction,
                    labels,
                    kind: e.kind,
                });
            } else if let Some(class) = e.types.iter().find_map(|t| t.strip_prefix(pkg::NS)) {
                registry.things.push(KnownThing {
                    iri,
                    class: class.to_owned(),
                    labels,
                    jurisdiction: e.jurisdiction,
                });
            }
        }
        Ok(registry)
    }

    /// The unit written `label` in a document of `jurisdiction`.
    #[must_use]
    pub fn unit(&self, jurisdiction: &str, label: &str) -> Option<&KnownUnit> {
        self.by_label
            .get(&(jurisdiction.to_owned(), label.to_owned()))
            .map(|&i| &self.units[i])
    }

    /// The jurisdictions the registry has units for.
    #[must_use]
    pub fn jurisdictions(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.units.iter().map(|u| u.jurisdiction.as_str()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Guesses the jurisdiction of a document that does not say it: the
    /// known jurisdiction whose name (`广州市`, or `广州` without its level
    /// word) the text names most often, at least twice.
    #[must_use]
    pub fn guess_jurisdiction(&self, text: &str) -> Option<String> {
        let mut best: Option<(usize, &str)> = None;
        let mut tie = false;
        for j in self.jurisdictions() {
            let short = j.trim_end_matches(['市', '省', '区', '县']);
            if short.chars().count() < 2 {
                continue;
            }
            let count = text.matches(short).count();
            match best {
                Some((n, _)) if count == n => tie = true,
                Some((n, _)) if count < n => {}
                _ => {
                    best = Some((count, j));
                    tie = false;
                }
            }
        }
        match best {
            Some((n, j)) if n >= 2 && !tie => Some(j.to_owned()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_registries_parse_and_resolve_units_by_jurisdiction() {
        let r = Registry::bundled().expect("registries parse");
        let miit = r.unit("厦门市", "市工信局").expect("known in Xiamen");
        assert_eq!(miit.labels[0], "厦门市工业和信息化局");
        assert_eq!(miit.kind.as_deref(), Some("GovernmentDepartment"));
        assert!(
            r.unit("上海市", "市工信局").is_none(),
            "a Xiamen abbreviation is not a Shanghai unit"
        );
        assert!(
            r.things
                .iter()
                .any(|t| t.class == "Technology" && t.labels.iter().any(|l| l == "NFT"))
        );
    }

    #[test]
    fn a_jurisdiction_is_guessed_from_how_often_the_text_names_it() {
        let r = Registry::bundled().expect("registries parse");
        assert_eq!(
            r.guess_jurisdiction("广州人才……广州市……在穗").as_deref(),
            Some("广州市")
        );
        assert_eq!(r.guess_jurisdiction("一次提到厦门"), None);
    }
}
