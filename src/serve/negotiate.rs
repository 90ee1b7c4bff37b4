//! Content negotiation: which results format a client asked for, from its
//! `Accept` header or a `format=` parameter (handy in a browser's address
//! bar).

use oxhttp::model::header::ACCEPT;
use oxhttp::model::{Body, Request};
use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;
use serde::{Deserialize, Serialize};

/// A format for rows and yes/no answers.
#[derive(Debug, Clone, Copy)]
pub struct SolutionsFormat(pub QueryResultsFormat);

/// A format for CONSTRUCT and DESCRIBE answers.
#[derive(Debug, Clone, Copy)]
pub struct GraphFormat(pub RdfFormat);

/// The media ranges a client gave, each with its quality, in its order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Accept {
    ranges: Vec<Range>,
    asked: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Range {
    media: String,
    /// Thousandths, as the HTTP grammar allows three decimals; 0 is "not
    /// acceptable".
    quality: u16,
}

/// The formats for rows, in our order of preference.
pub(super) const SOLUTIONS: [QueryResultsFormat; 4] = [
    QueryResultsFormat::Json,
    QueryResultsFormat::Xml,
    QueryResultsFormat::Csv,
    QueryResultsFormat::Tsv,
];

/// The formats for triples, in our order of preference.
pub(super) const GRAPHS: [RdfFormat; 6] = [
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

    /// Parses an `Accept` value (RFC 9110 §12.5.1): each media range with
    /// its quality (`q=`, 1 if not given), `q=0` included, since it rules
    /// a format out.
    pub fn parse(header: &str) -> Self {
        let ranges = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let media = pieces.next()?.trim().to_ascii_lowercase();
                if media.is_empty() {
                    return None;
                }
                let quality = pieces
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                let quality = (quality.clamp(0.0, 1.0) * 1000.0).round() as u16;
                Some(Range { media, quality })
            })
            .collect();
        Self {
            ranges,
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

    /// The format the client prefers: each format takes the quality of
    /// the most specific range that matches it (its own type, then
    /// `type/*`, then `*/*`); the highest quality above 0 wins, ties going
    /// to the range the client listed first, then to our order.
    fn pick<F: Copy>(
        &self,
        formats: &[F],
        media: impl Fn(F) -> &'static str,
        from_media: impl Fn(&str) -> Option<F>,
    ) -> Option<F> {
        let rank = |format: F| -> Option<(u16, usize)> {
            let own = media(format);
            let kind = own.split('/').next().unwrap_or("");
            let (_, at, range) = self
                .ranges
                .iter()
                .enumerate()
                .filter_map(|(at, range)| {
                    let specificity = if range.media == "*/*" {
                        1
                    } else if range.media.strip_suffix("/*") == Some(kind) {
                        2
                    } else if !range.media.ends_with("/*")
                        && from_media(&range.media).is_some_and(|f| media(f) == own)
                    {
                        3
                    } else {
                        return None;
                    };
                    Some((specificity, at, range))
                })
                // The most specific; of equals, the first listed.
                .min_by_key(|(specificity, at, _)| (std::cmp::Reverse(*specificity), *at))?;
            (range.quality > 0).then_some((range.quality, at))
        };
        formats
            .iter()
            .enumerate()
            .filter_map(|(order, f)| rank(*f).map(|(q, at)| ((q, at, order), *f)))
            .min_by_key(|((q, at, order), _)| (std::cmp::Reverse(*q), *at, *order))
            .map(|(_, f)| f)
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
    fn zero_quality_and_specificity_rule_as_rfc_9110_says() {
        // q=0 rules JSON out; */* admits the rest: our first after JSON.
        let accept = Accept::parse("application/sparql-results+json;q=0, */*");
        assert_eq!(
            accept.solutions().map(|f| f.0),
            Some(QueryResultsFormat::Xml)
        );
        // q=0 rules CSV out; text/* admits TSV.
        let accept = Accept::parse("text/csv;q=0, text/*");
        assert_eq!(
            accept.solutions().map(|f| f.0),
            Some(QueryResultsFormat::Tsv)
        );
        // The more specific text/csv;q=0.1 gives CSV 0.1; TSV has text/*'s 1.
        let accept = Accept::parse("text/*, text/csv;q=0.1");
        assert_eq!(
            accept.solutions().map(|f| f.0),
            Some(QueryResultsFormat::Tsv)
        );
        // Everything ruled out: nothing acceptable.
        let accept = Accept::parse("*/*;q=0");
        assert!(accept.solutions().is_none() && accept.graph().is_none());
    }

    #[test]
    fn equal_quality_goes_to_the_range_listed_first() {
        let accept = Accept::parse("text/csv, application/sparql-results+xml");
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
