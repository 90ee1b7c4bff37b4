//! The RDF mapper: a parsed [`Document`] becomes quads in one named graph.
//!
//! IRIs are minted from the document id, orders and names, never from
//! counters or clocks, so the same file gives the same quads byte for byte.
//! The mapper knows nothing of text; the parser knows nothing of RDF.

use crate::annotate::{ListBasis, RoleBasis};
use crate::document::{Assignment, Document, Item, Mention, Quote, Section};
use crate::vocab::{ID_BASE, Role, dcterms, org, pkg, prov, rdf, skos, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term};
use regex::Regex;
use std::borrow::Borrow;
use std::collections::HashSet;

use std::sync::LazyLock;

/// Where a document's quads go: one named graph per document.
#[must_use]
pub fn graph_iri(document_id: &str) -> NamedNode {
    iri(&format!("graph/{}", segment(document_id)))
}

/// The IRI of a unit: scoped by jurisdiction (or by document when the
/// jurisdiction is unknown), so the same abbreviation in two places is two
/// organisations and in two documents of one place is one.
#[must_use]
pub fn unit_iri(scope: &str, label: &str) -> NamedNode {
    iri(&format!("unit/{}/{}", segment(scope), segment(label)))
}

fn iri(path: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ID_BASE}{path}"))
}

use crate::vocab::segment;

struct Writer {
    graph: GraphName,
    quads: Vec<Quad>,
}

impl Writer {
    fn add(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: impl Into<Term>) {
        self.quads
            .push(Quad::new(s.clone(), p, o.into(), self.graph.clone()));
    }

    fn a(&mut self, s: &NamedNode, class: NamedNodeRef<'_>) {
        self.add(s, rdf::TYPE, class.into_owned());
    }

    fn text(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: &str) {
        self.add(s, p, Literal::new_simple_literal(value));
    }

    fn zh(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: &str) {
        self.add(
            s,
            p,
            Literal::new_language_tagged_literal_unchecked(value, "zh"),
        );
    }

    fn int(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: usize) {
        self.add(
            s,
            p,
            Literal::from(i64::try_from(value).unwrap_or(i64::MAX)),
        );
    }

    /// Provenance on the thing itself: where in the source text it was
    /// read, as code-point offsets (end exclusive) and the line it starts
    /// on. The quote is `SUBSTR(text, start + 1, end - start)` of the
    /// document's `pkg:sourceText`; the W3C Web Annotation form is made from
    /// these on demand (`queries/web-annotation.rq`).
    fn span(&mut self, thing: &NamedNode, quote: &Quote) {
        self.int(thing, pkg::START, quote.span.start);
        self.int(thing, pkg::END, quote.span.end);
        self.int(thing, pkg::LINE, quote.line);
    }

    /// The quads so far, each once: a list naming a unit twice, or an item
    /// naming a thing twice, states the same shortcut twice.
    fn finish(self) -> Vec<Quad> {
        let mut seen = HashSet::with_capacity(self.quads.len());
        let keep: Vec<bool> = self.quads.iter().map(|q| seen.insert(q)).collect();
        drop(seen);
        let mut keep = keep.into_iter();
        let mut quads = self.quads;
        quads.retain(|_| keep.next().unwrap_or(true));
        quads
    }
}

static DATE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$").expect("valid regex")
});
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}-\d\d-\d\d$").expect("valid regex"));

fn date_literal(value: &str) -> Literal {
    if DATE_TIME.is_match(value) {
        Literal::new_typed_literal(value, xsd::DATE_TIME)
    } else if DATE.is_match(value) {
        Literal::new_typed_literal(value, xsd::DATE)
    } else {
        Literal::new_simple_literal(value)
    }
}

fn extraction_iri(basis: ListBasis) -> NamedNodeRef<'static> {
    match basis {
        ListBasis::Label => pkg::LABEL_BASIS,
        ListBasis::RolePhrase => pkg::ROLE_PHRASE_BASIS,
        ListBasis::TableColumn => pkg::TABLE_COLUMN_BASIS,
        ListBasis::BareList => pkg::BARE_LIST_BASIS,
    }
}

fn basis_iri(basis: RoleBasis) -> NamedNodeRef<'static> {
    match basis {
        RoleBasis::ExplicitLabel => pkg::EXPLICIT_LABEL,
        RoleBasis::StatedRule => pkg::STATED_RULE,
        RoleBasis::NoLeadStated => pkg::NO_LEAD_STATED,
        RoleBasis::Guessed => pkg::GUESSED,
    }
}

/// The quads of one document, in its own named graph, each quad once.
#[must_use]
pub fn quads(doc: &Document) -> Vec<Quad> {
    // The parts written one after the other into one buffer: the same
    // quads as `parts(doc).flatten()`, with one allocation to grow.
    let mut parts = parts(doc);
    let mut w = parts.writer();
    while parts.fill(&mut w) {}
    w.finish()
}

/// The quads of one document in parts, each made only when asked for: the
/// document and its plan, then each section, then each item (a long list
/// in parts of 1,024 assignments). A huge
/// document is written without ever holding all its quads. Together the
/// parts hold each quad once.
#[must_use]
pub fn parts(doc: &Document) -> Parts<&Document> {
    into_parts(doc)
}

/// [`parts`] of a document the iterator owns, so that it can be handed on
/// (to another thread, or to a store that takes the quads as they come).
#[must_use]
pub fn into_parts<D: Borrow<Document>>(doc: D) -> Parts<D> {
    let d = doc.borrow();
    let id = segment(&d.id);
    let map = Mapper {
        graph: graph_iri(&d.id).into(),
        source: iri(&format!("document/{id}")),
        plan: iri(&format!("plan/{id}")),
        build: iri(&format!("document/{id}/build")),
        scope: d
            .jurisdiction
            .clone()
            .unwrap_or_else(|| format!("document-{}", d.id)),
        described: HashSet::new(),
        item_units: HashSet::new(),
    };
    Parts {
        doc,
        map,
        next: Part::Head,
    }
}

/// The iterator of [`parts`] and [`into_parts`].
#[derive(Debug)]
pub struct Parts<D> {
    doc: D,
    map: Mapper,
    next: Part,
}

#[derive(Debug, Clone, Copy)]
enum Part {
    Head,
    Section(usize),
    /// An item, from its `n`th assignment on (0: the item itself first).
    Item(usize, usize),
}

/// Assignments of one list written in one part: a list of 100,000 units
/// must not make one part of millions of quads.
const ASSIGNMENTS_PER_PART: usize = 1024;

impl<D: Borrow<Document>> Parts<D> {
    fn writer(&self) -> Writer {
        Writer {
            graph: self.map.graph.clone(),
            quads: Vec::new(),
        }
    }

    /// Writes the next part into `w`; false when there is none.
    fn fill(&mut self, w: &mut Writer) -> bool {
        let doc = self.doc.borrow();
        loop {
            match self.next {
                Part::Head => {
                    self.map.head(w, doc);
                    self.next = Part::Section(0);
                }
                Part::Section(k) => {
                    let Some(section) = doc.sections.get(k) else {
                        self.next = Part::Item(0, 0);
                        continue;
                    };
                    self.map.section(w, doc, section);
                    self.next = Part::Section(k + 1);
                }
                Part::Item(k, from) => {
                    let Some(item) = doc.items.get(k) else {
                        return false;
                    };
                    if from == 0 {
                        self.map.item(w, doc, item);
                    }
                    let assignments = item.list.as_ref().map_or(&[][..], |l| &l.assignments);
                    let to = assignments.len().min(from + ASSIGNMENTS_PER_PART);
                    self.map
                        .assignments(w, doc, item, &assignments[from.min(to)..to]);
                    self.next = if to < assignments.len() {
                        Part::Item(k, to)
                    } else {
                        Part::Item(k + 1, 0)
                    };
                }
            }
            return true;
        }
    }
}

impl<D: Borrow<Document>> Iterator for Parts<D> {
    type Item = Vec<Quad>;

    fn next(&mut self) -> Option<Vec<Quad>> {
        let mut w = self.writer();
        self.fill(&mut w).then(|| w.finish())
    }
}

/// What every part of one document needs: its IRIs, and what earlier parts
/// already stated.
#[derive(Debug)]
struct Mapper {
    graph: GraphName,
    source: NamedNode,
    plan: NamedNode,
    build: NamedNode,
    scope: String,
    // Things described in an earlier part (unresolved units, unregistered
    // mentioned things): each is described in the first part that names
    // it, not again.
    described: HashSet<String>,
    // The current item's unit shortcuts already stated: (unit, false) for
    // pkg:responsibleUnit, (unit, true) for pkg:leadUnit.
    item_units: HashSet<(String, bool)>,
}

impl Mapper {
    fn head(&mut self, w: &mut Writer, doc: &Document) {
        let (source, plan, build) = (&self.source, &self.plan, &self.build);
        let software = iri("software/policykg");
        // The build run (no clock: a rebuild must give the same bytes).
        w.a(build, prov::ACTIVITY);
        w.add(build, prov::USED, source.clone());
        w.add(build, prov::WAS_ASSOCIATED_WITH, software.clone());
        w.a(&software, prov::SOFTWARE_AGENT);
        w.text(&software, rdf::LABEL, "policykg");
        w.text(&software, pkg::SOFTWARE_VERSION, env!("CARGO_PKG_VERSION"));

        // The source document and its front matter.
        w.a(source, pkg::SOURCE_DOCUMENT);
        w.text(source, dcterms::IDENTIFIER, &doc.id);
        w.text(source, pkg::FILE_NAME, &doc.file);
        if let Some(hash) = &doc.content_hash {
            w.text(source, pkg::CONTENT_HASH, hash);
        }
        w.int(source, pkg::LENGTH, doc.length);
        w.text(source, pkg::SOURCE_TEXT, &doc.source_text);
        w.add(source, pkg::REPORTS, plan.clone());
        for (key, values) in &doc.front {
            for value in values {
                match key.as_str() {
                    "title" => w.zh(source, dcterms::TITLE, value),
                    "date" => w.add(source, dcterms::DATE, date_literal(value)),
                    "authors" | "author" => w.text(source, dcterms::CREATOR, value),
                    "tags" | "keywords" => w.zh(source, dcterms::SUBJECT, value),
                    "description" => w.zh(source, dcterms::DESCRIPTION, value),
                    _ => {}
                }
            }
        }

        // The plan.
        w.a(plan, pkg::ACTION_PLAN);
        w.add(plan, prov::WAS_GENERATED_BY, build.clone());
        if !doc.plan_title.is_empty() {
            w.zh(plan, dcterms::TITLE, &doc.plan_title);
        }
        if let Some((start, end)) = doc.period {
            w.add(
                plan,
                pkg::PERIOD_START,
                Literal::new_typed_literal(start.to_string(), xsd::G_YEAR),
            );
            w.add(
                plan,
                pkg::PERIOD_END,
                Literal::new_typed_literal(end.to_string(), xsd::G_YEAR),
            );
        }
        if let Some(place) = &doc.jurisdiction {
            let j = iri(&format!("jurisdiction/{}", segment(place)));
            w.add(plan, pkg::JURISDICTION_PROP, j.clone());
            w.a(&j, pkg::JURISDICTION);
            w.zh(&j, skos::PREF_LABEL, place);
        }
        let plan = plan.clone();
        for (issuer, known) in doc.issuers.iter().zip(&doc.issuer_units) {
            let unit = self.unit_node(w, doc, issuer, known.as_deref());
            w.add(&plan, dcterms::CREATOR, unit);
        }
    }

    fn section_iri(&self, doc: &Document, index: usize) -> NamedNode {
        NamedNode::new_unchecked(format!(
            "{}/section/{}",
            self.plan.as_str(),
            doc.sections[index].order
        ))
    }

    /// The section or item's parent: its section, or the plan.
    fn parent(&self, doc: &Document, section: Option<usize>) -> NamedNode {
        section.map_or_else(|| self.plan.clone(), |p| self.section_iri(doc, p))
    }

    fn section(&mut self, w: &mut Writer, doc: &Document, s: &Section) {
        let node = NamedNode::new_unchecked(format!("{}/section/{}", self.plan.as_str(), s.order));
        w.a(&node, pkg::SECTION);
        if s.table {
            w.a(&node, pkg::TASK_TABLE);
        }
        w.add(&node, pkg::SECTION_OF, self.plan.clone());
        w.text(&node, pkg::NUMBER, &s.number);
        w.zh(&node, dcterms::TITLE, &s.title);
        w.int(&node, pkg::ORDER, s.order);
        w.int(&node, pkg::LEVEL, s.level);
        let parent = self.parent(doc, s.parent);
        w.add(&node, dcterms::IS_PART_OF, parent.clone());
        w.add(&parent, dcterms::HAS_PART, node.clone());
        w.span(&node, &s.quote);
        self.mentions(w, &node, &s.mentions);
    }

    fn item_iri(&self, item: &Item) -> NamedNode {
        NamedNode::new_unchecked(format!("{}/item/{}", self.plan.as_str(), item.order))
    }

    /// An item and its list (its assignments come in [`Mapper::assignments`]).
    fn item(&mut self, w: &mut Writer, doc: &Document, item: &Item) {
        let node = self.item_iri(item);
        self.item_units.clear();
        w.a(&node, item.kind.iri());
        w.text(&node, pkg::NUMBER, &item.number);
        w.zh(&node, dcterms::TITLE, &item.title);
        w.zh(&node, pkg::TEXT, &item.text);
        w.int(&node, pkg::ORDER, item.order);
        w.add(&node, pkg::IN_PLAN, self.plan.clone());
        let parent = self.parent(doc, item.section);
        w.add(&node, dcterms::IS_PART_OF, parent.clone());
        w.add(&parent, dcterms::HAS_PART, node.clone());
        w.span(&node, &item.quote);
        if let Some(table) = item.table {
            w.add(&node, pkg::IN_TABLE, self.section_iri(doc, table));
        }
        self.mentions(w, &node, &item.mentions);
        let Some(list) = &item.list else { return };
        w.add(
            &node,
            pkg::EXTRACTION_BASIS_PROP,
            extraction_iri(list.basis).into_owned(),
        );
        let list_node = NamedNode::new_unchecked(format!("{}/list", node.as_str()));
        w.add(&node, pkg::HAS_RESPONSIBILITY_LIST, list_node.clone());
        w.a(&list_node, pkg::RESPONSIBILITY_LIST);
        w.add(&list_node, pkg::MORE_UNITS_UNNAMED, Literal::from(list.etc));
        w.span(&list_node, &list.quote);
    }

    /// Some of an item's assignments.
    fn assignments(&mut self, w: &mut Writer, doc: &Document, item: &Item, some: &[Assignment]) {
        let node = self.item_iri(item);
        for a in some {
            let unit = self.unit_node(w, doc, &a.label, a.unit.as_deref());
            let assignment =
                NamedNode::new_unchecked(format!("{}/assignment/{}", node.as_str(), a.position));
            w.add(&node, pkg::HAS_ASSIGNMENT, assignment.clone());
            // A list may name a unit twice, perhaps in two parts: the
            // shortcuts are stated once.
            if self.item_units.insert((unit.as_str().to_owned(), false)) {
                w.add(&node, pkg::RESPONSIBLE_UNIT, unit.clone());
            }
            if a.role == Role::Lead && self.item_units.insert((unit.as_str().to_owned(), true)) {
                w.add(&node, pkg::LEAD_UNIT, unit.clone());
            }
            w.a(&assignment, pkg::ASSIGNMENT);
            w.add(&assignment, pkg::UNIT, unit.clone());
            w.int(&assignment, pkg::POSITION, a.position);
            w.add(&assignment, pkg::ROLE_PROP, Role::iri(a.role).into_owned());
            w.add(
                &assignment,
                pkg::ROLE_BASIS_PROP,
                basis_iri(a.basis).into_owned(),
            );
            w.zh(&assignment, pkg::UNIT_LABEL, &a.label);
            w.span(&assignment, &a.quote);
        }
    }

    /// The node of a unit: the registry's IRI when the unit resolved (its
    /// triples live in the registry graph), else one minted from the scope
    /// and the name, described (once per document) and flagged unresolved.
    fn unit_node(
        &mut self,
        w: &mut Writer,
        doc: &Document,
        label: &str,
        known: Option<&str>,
    ) -> NamedNode {
        if let Some(known) = known {
            return NamedNode::new_unchecked(known);
        }
        let unit = unit_iri(&self.scope, label);
        if !self.described.insert(unit.as_str().to_owned()) {
            return unit;
        }
        w.a(&unit, org::ORGANIZATION);
        w.zh(&unit, skos::PREF_LABEL, label);
        w.add(&unit, pkg::RESOLVED, Literal::from(false));
        // 各区政府, 各有关单位, 区级相关部门: one name for a group of bodies.
        if label.starts_with('各') || label.contains("相关") || label.contains("有关") {
            w.add(&unit, org::CLASSIFICATION, pkg::COLLECTIVE.into_owned());
        }
        if let Some(place) = &doc.jurisdiction {
            w.add(
                &unit,
                pkg::JURISDICTION_PROP,
                iri(&format!("jurisdiction/{}", segment(place))),
            );
        }
        unit
    }

    /// What an item or section heading names, as `pkg:mentions`, and
    /// unregistered things. Where each is named is not stored: the same
    /// matcher finds it again in the stored text when asked (`export rdf
    /// --web-annotation`).
    fn mentions(&mut self, w: &mut Writer, node: &NamedNode, found: &[Mention]) {
        for m in found {
            let thing = NamedNode::new_unchecked(m.key.as_str());
            w.add(node, pkg::MENTIONS, thing.clone());
            if !m.registered && self.described.insert(m.key.clone()) {
                let class = NamedNode::new_unchecked(format!("{}{}", pkg::NS, m.class));
                w.add(&thing, rdf::TYPE, class);
                w.zh(&thing, skos::PREF_LABEL, &m.label);
                w.add(&thing, pkg::REGISTERED, Literal::from(false));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_keep_han_and_encode_spaces_and_delimiters() {
        assert_eq!(segment("市工信局"), "市工信局");
        assert_eq!(segment("各区、县级市"), "各区、县级市");
        assert_eq!(segment("a b/c#"), "a%20b%2Fc%23");
        assert_eq!(segment("　"), "%E3%80%80");
    }

    #[test]
    fn every_minted_iri_is_valid() {
        for text in ["市工信局", "a b", "<x>", "\"q\"", "{}|^`\\", "（一）"] {
            let node = unit_iri("厦门市", text);
            assert!(NamedNode::new(node.as_str()).is_ok(), "{node}");
        }
    }
}
