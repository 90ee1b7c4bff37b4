//! `policykg check`: read plans without a store and say what may have been
//! missed: per document the items, lists, units and unresolved units, and
//! the *suspects*, text that looks like responsibility (a bracket, a line or
//! a table cell naming organisations or roles) that no list read. The exit
//! code is 0 when every plan parses with no suspect, 1 otherwise, so that a
//! pipeline can stop on it.

use crate::build::{self, Input};
use crate::cli::{CheckArgs, CheckFormat};
use crate::document::{self, Document};
use crate::recognize;
use crate::registry::Registry;
use crate::table::Table;
use anyhow::{Context, Result};
use serde::Serialize;
use std::io::Write;

/// What `check` found in one document.
#[derive(Debug, Serialize)]
struct Checked {
    document: String,
    file: String,
    items: usize,
    lists: usize,
    units: usize,
    unresolved: Vec<Located>,
    suspects: Vec<Located>,
    /// What the parser decided that a reader should check (a stray
    /// bracket, an unknown label …).
    warnings: Vec<Located>,
    /// Every item with a list (with `--items`).
    #[serde(skip_serializing_if = "Option::is_none")]
    lists_read: Option<Vec<ListRead>>,
    #[serde(skip)]
    doc: Option<Document>,
}

/// One item's list, as `--items` shows it.
#[derive(Debug, Serialize)]
struct ListRead {
    line: usize,
    number: String,
    title: String,
    basis: &'static str,
    lead: Vec<String>,
    support: Vec<String>,
    responsible: Vec<String>,
    more_unnamed: bool,
    quote: String,
}

fn lists_read(doc: &Document) -> Vec<ListRead> {
    use crate::vocab::Role;
    doc.items
        .iter()
        .filter_map(|item| {
            let list = item.list.as_ref()?;
            let names = |role: Role| {
                list.assignments
                    .iter()
                    .filter(|a| a.role == role)
                    .map(|a| a.label.clone())
                    .collect()
            };
            Some(ListRead {
                line: list.quote.line,
                number: item.number.clone(),
                title: item.title.clone(),
                basis: list.basis.as_str(),
                lead: names(Role::Lead),
                support: names(Role::Support),
                responsible: names(Role::Responsible),
                more_unnamed: list.etc,
                quote: list.quote.exact.clone(),
            })
        })
        .collect()
}

/// A text at a line, with why it is listed.
#[derive(Debug, Serialize)]
struct Located {
    line: usize,
    text: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    reason: String,
}

/// Runs `check`; returns the exit code (0: no suspect, every file parsed).
///
/// # Errors
///
/// A missing input or an output error (a plan that does not parse is
/// reported and counted, not an error).
pub fn run(args: &CheckArgs, out: &mut dyn Write) -> Result<u8> {
    let inputs = if args.inputs.is_empty() {
        vec![Input {
            name: build::BUNDLED_NAME.to_owned(),
            path: None,
            walked: false,
        }]
    } else {
        build::collect_inputs(&args.inputs)?
    };
    let registry = Registry::bundled()?;
    let mut checked = Vec::new();
    let mut failed = 0;
    for input in &inputs {
        let bytes = match &input.path {
            None => build::BUNDLED.to_vec(),
            Some(path) => {
                std::fs::read(path).with_context(|| format!("{}: cannot read", input.name))?
            }
        };
        match document::parse(&input.name, &bytes) {
            Ok(mut doc) => {
                let _ = recognize::recognize(&mut doc, &registry);
                checked.push(summarise(doc, args.items));
            }
            Err(document_error)
                if input.walked
                    && matches!(document_error, crate::error::ParseError::NoItems { .. }) =>
            {
                if !super::quiet() {
                    eprintln!(
                        "warning: {}: not a plan (no numbered items); skipped",
                        input.name
                    );
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    match args.format {
        CheckFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &checked)?;
            writeln!(out)?;
        }
        CheckFormat::Table => write_table(&checked, out)?,
    }
    let suspects: usize = checked.iter().map(|c| c.suspects.len()).sum();
    eprintln!(
        "checked {} documents: {} suspects, {} unresolved units, {} that do not parse",
        checked.len(),
        suspects,
        checked.iter().map(|c| c.unresolved.len()).sum::<usize>(),
        failed
    );
    Ok(u8::from(suspects > 0 || failed > 0))
}

fn summarise(doc: Document, keep: bool) -> Checked {
    let lists = doc.items.iter().filter(|i| i.list.is_some()).count();
    let assignments = doc
        .items
        .iter()
        .filter_map(|i| i.list.as_ref())
        .flat_map(|l| &l.assignments);
    let units = assignments.clone().count();
    let mut unresolved: Vec<Located> = Vec::new();
    for a in assignments.filter(|a| a.unit.is_none()) {
        if !unresolved.iter().any(|u| u.text == a.label) {
            unresolved.push(Located {
                line: a.quote.line,
                text: a.label.clone(),
                reason: String::new(),
            });
        }
    }
    let suspects = doc
        .suspects
        .iter()
        .map(|s| Located {
            line: s.at.line,
            text: s.text.clone(),
            reason: s.reason.clone(),
        })
        .collect();
    let warnings = doc
        .warnings
        .iter()
        .map(|w| Located {
            line: w.at.line,
            text: w.message.clone(),
            reason: String::new(),
        })
        .collect();
    Checked {
        warnings,
        lists_read: keep.then(|| lists_read(&doc)),
        document: doc.id.clone(),
        file: doc.path.clone(),
        items: doc.items.len(),
        lists,
        units,
        unresolved,
        suspects,
        doc: keep.then_some(doc),
    }
}

fn write_table(checked: &[Checked], out: &mut dyn Write) -> Result<()> {
    let mut table = Table::new(
        [
            "document",
            "items",
            "lists",
            "units",
            "unresolved",
            "suspects",
        ]
        .map(str::to_owned)
        .to_vec(),
    );
    for c in checked {
        table.push(vec![
            c.document.clone(),
            c.items.to_string(),
            c.lists.to_string(),
            c.units.to_string(),
            c.unresolved.len().to_string(),
            c.suspects.len().to_string(),
        ]);
    }
    table.write(out)?;
    for c in checked {
        for s in &c.suspects {
            writeln!(
                out,
                "{}:{}: suspect: {} (`{}`)",
                c.file, s.line, s.reason, s.text
            )?;
        }
        for u in &c.unresolved {
            writeln!(
                out,
                "{}:{}: unresolved unit `{}` (no registry knows it)",
                c.file, u.line, u.text
            )?;
        }
        for w in &c.warnings {
            writeln!(out, "{}:{}: warning: {}", c.file, w.line, w.text)?;
        }
        if let Some(doc) = &c.doc {
            write_items(doc, out)?;
        }
    }
    Ok(())
}

/// Every item with a list: where, number, title, and its units by role.
fn write_items(doc: &Document, out: &mut dyn Write) -> Result<()> {
    let mut table = Table::new(
        [
            "line",
            "number",
            "title",
            "read by",
            "lead",
            "support",
            "responsible",
        ]
        .map(str::to_owned)
        .to_vec(),
    );
    for item in &doc.items {
        let Some(list) = &item.list else { continue };
        let names = |role: crate::vocab::Role| {
            list.assignments
                .iter()
                .filter(|a| a.role == role)
                .map(|a| a.label.as_str())
                .collect::<Vec<_>>()
                .join("、")
        };
        let mut title: String = item.title.chars().take(20).collect();
        if item.title.chars().count() > 20 {
            title.push('…');
        }
        table.push(vec![
            list.quote.line.to_string(),
            item.number.clone(),
            title,
            list.basis.as_str().to_owned(),
            names(crate::vocab::Role::Lead),
            names(crate::vocab::Role::Support),
            names(crate::vocab::Role::Responsible),
        ]);
    }
    writeln!(out, "\n{}:", doc.path)?;
    table.write(out)?;
    Ok(())
}
