//! Content negotiation: which results format a client asked for, from its
//! `Accept` header or a `format=` parameter (handy in a browser's address
//! bar).

use oxhttp::model::header::ACCEPT;
use oxhttp::model::{Body, Request};
use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;

/// A format for rows and yes/no answers.
#[derive(Debug, Clone, Copy)]
pub struct SolutionsFormat(pub QueryResultsFormat);

/// A format for CONSTRUCT and DESCRIBE answers.
#[derive(Debug, Clone, Copy)]
pub struct GraphFormat(pub RdfFormat);

/// The media ranges a client accepts, best first.
#[derive(Debug, Clone)]
pub struct Accept {
    ranges: Vec<String>,
    asked: String,
}

const SOLUTIONS: [QueryResultsFormat; 4] = [
    QueryResultsFormat::Json,
    QueryResultsFormat::Xml,
    QueryResultsFormat::Csv,
    QueryResultsFormat::Tsv,
];

const GRAPHS: [RdfFormat; 6] = [
    RdfFormat::Turtle,
    RdfFormat::NTriples,
    RdfFormat::NQuads,
    RdfFormat::TriG,
    RdfFormat::JsonLd {
        profile: oxigraph::io::JsonLdProfileSet::empty(),
    },
    RdfFormat::RdfXml,
];

impl Accept {
    /// From `format=` if given, else the `Accept` header (`*/*` if none).
    pub fn from_request(request: &Request<Body>, params: &[(String, String)]) -> Self {
        if let Some((_, format)) = params.iter().find(|(k, _)| k == "format") {
            return Self::parse(&expand(format));
        }
        let header = request
            .headers()
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("*/*");
        Self::parse(header)
    }

    /// Parses an `Accept` value; ranges with `q=0` are dropped, the rest
    /// ordered by quality (ties keep the client's order).
    pub fn parse(header: &str) -> Self {
        let mut ranges: Vec<(u16, usize, String)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let media = pieces.next()?.trim().to_ascii_lowercase();
                if media.is_empty() {
                    return None;
                }
                let quality = pieces
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                // Thousandths, as the HTTP grammar allows three decimals.
                let thousandths = (quality.clamp(0.0, 1.0) * 1000.0).round() as u16;
                (thousandths > 0).then_some((thousandths, i, media))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Self {
            ranges: ranges.into_iter().map(|(_, _, m)| m).collect(),
            asked: header.to_owned(),
        }
    }

    /// What the client asked for, as given.
    pub fn asked(&self) -> &str {
        &self.asked
    }

    /// The best format for rows, or `None` if nothing acceptable.
    pub fn solutions(&self) -> Option<SolutionsFormat> {
        self.pick(
            &SOLUTIONS,
            |f| f.media_type(),
            QueryResultsFormat::from_media_type,
        )
        .map(SolutionsFormat)
    }

    /// The best format for triples, or `None` if nothing acceptable.
    pub fn graph(&self) -> Option<GraphFormat> {
        self.pick(&GRAPHS, |f| f.media_type(), RdfFormat::from_media_type)
            .map(GraphFormat)
    }

    fn pick<F: Copy>(
        &self,
        formats: &[F],
        media: impl Fn(F) -> &'static str,
        from_media: impl Fn(&str) -> Option<F>,
    ) -> Option<F> {
        self.ranges.iter().find_map(|range| {
            if range == "*/*" {
                return formats.first().copied();
            }
            if let Some(kind) = range.strip_suffix("/*") {
                return formats
                    .iter()
                    .copied()
                    .find(|f| media(*f).split('/').next() == Some(kind));
            }
            from_media(range).filter(|f| formats.iter().any(|known| media(*known) == media(*f)))
        })
    }
}

/// `format=json` and friends as media types; a media type passes through.
fn expand(format: &str) -> String {
    match format.to_ascii_lowercase().as_str() {
        "json" | "srj" => "application/sparql-results+json".to_owned(),
        "xml" | "srx" => "application/sparql-results+xml".to_owned(),
        "csv" => "text/csv".to_owned(),
        "tsv" => "text/tab-separated-values".to_owned(),
        "ttl" | "turtle" => "text/turtle".to_owned(),
        "nt" | "ntriples" | "n-triples" => "application/n-triples".to_owned(),
        "nq" | "nquads" | "n-quads" => "application/n-quads".to_owned(),
        "trig" => "application/trig".to_owned(),
        "jsonld" | "json-ld" => "application/ld+json".to_owned(),
        "rdf" | "rdfxml" | "rdf/xml" => "application/rdf+xml".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_orders_the_choice() {
        let accept = Accept::parse("text/csv;q=0.5, application/sparql-results+xml");
        assert_eq!(
            accept.solutions().map(|f| f.0),
            Some(QueryResultsFormat::Xml)
        );
        let accept = Accept::parse("application/sparql-results+json;q=0, text/*");
        assert_eq!(
            accept.solutions().map(|f| f.0),
            Some(QueryResultsFormat::Csv)
        );
    }

    #[test]
    fn wildcards_get_the_defaults_and_unknown_gets_nothing() {
        let any = Accept::parse("*/*");
        assert_eq!(any.solutions().map(|f| f.0), Some(QueryResultsFormat::Json));
        assert_eq!(any.graph().map(|f| f.0), Some(RdfFormat::Turtle));
        let image = Accept::parse("image/png");
        assert!(image.solutions().is_none() && image.graph().is_none());
    }

    #[test]
    fn a_browser_accept_header_gets_a_format_it_can_show() {
        // Firefox's default for a page load.
        let firefox =
            Accept::parse("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        assert_eq!(
            firefox.solutions().map(|f| f.0),
            Some(QueryResultsFormat::Xml)
        );
        // application/xml is RDF/XML's generic type: a browser shows it.
        assert_eq!(firefox.graph().map(|f| f.0), Some(RdfFormat::RdfXml));
    }
}
