//! A remote SPARQL 1.1 endpoint as a [`Sparql`] source: the analysis
//! (network, report) reads a triple store server that `policykg push`
//! filled as it reads the local store. A small client of the SPARQL 1.1
//! Protocol: credentials come from the environment only, and transient
//! failures are retried with backoff.

use crate::sparql::{QueryError, Rows, Sparql};
use oxhttp::Client;
use oxhttp::model::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use oxhttp::model::{Body, HeaderValue, Method, Request, Response, StatusCode, Uri};
use oxigraph::model::Term;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use std::io::Read;
use std::thread;
use std::time::Duration;

/// Environment variable with a bearer token for the endpoint.
pub const TOKEN_VAR: &str = "POLICYKG_ENDPOINT_TOKEN";
/// Environment variable with the basic-auth user name.
pub const USER_VAR: &str = "POLICYKG_ENDPOINT_USER";
/// Environment variable with the basic-auth password.
pub const PASSWORD_VAR: &str = "POLICYKG_ENDPOINT_PASSWORD";

/// How many times a request is sent before a transient failure is final.
const ATTEMPTS: u32 = 5;
/// The first wait between attempts; it doubles each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait between attempts, whatever `Retry-After` asks.
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// Errors talking to a remote endpoint.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The URL is not an absolute http(s) URL.
    #[error("{url}: not an http:// or https:// URL ({reason})")]
    BadUrl {
        /// As given.
        url: String,
        /// Why.
        reason: String,
    },
    /// Only one half of basic-auth credentials is set.
    #[error("{USER_VAR} is set without {PASSWORD_VAR} (or the other way round); set both")]
    HalfCredentials,
    /// The endpoint could not be reached, even after retries.
    #[error("{url}: cannot reach the endpoint after {attempts} attempts: {message}")]
    Unreachable {
        /// Where.
        url: String,
        /// How many tries.
        attempts: u32,
        /// The last transport error.
        message: String,
    },
    /// The endpoint answered with an error status.
    #[error("{url}: the endpoint answered {status}{}", detail(body))]
    Status {
        /// Where.
        url: String,
        /// The status.
        status: StatusCode,
        /// The start of the body the endpoint sent.
        body: String,
    },
    /// The endpoint's answer could not be read as SPARQL results.
    #[error("{url}: the answer is not SPARQL results: {message}")]
    BadResults {
        /// Where.
        url: String,
        /// What the parser said.
        message: String,
    },
}

fn detail(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

/// A remote SPARQL endpoint (for queries) or Graph Store (for graphs).
#[derive(Debug, Clone)]
pub struct Endpoint {
    url: String,
    authorization: Option<HeaderValue>,
    timeout: Duration,
}

impl Endpoint {
    /// An endpoint at `url`, with credentials from the environment
    /// ([`TOKEN_VAR`], or [`USER_VAR`] and [`PASSWORD_VAR`]).
    ///
    /// # Errors
    ///
    /// A URL that is not http(s), or half a pair of credentials.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, RemoteError> {
        let parsed: Uri =
            url.parse()
                .map_err(|e: oxhttp::model::uri::InvalidUri| RemoteError::BadUrl {
                    url: url.to_owned(),
                    reason: e.to_string(),
                })?;
        match parsed.scheme_str() {
            Some("http" | "https") if parsed.host().is_some() => {}
            _ => {
                return Err(RemoteError::BadUrl {
                    url: url.to_owned(),
                    reason: "expected e.g. http://127.0.0.1:7878/query".to_owned(),
                });
            }
        }
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let authorization = match (var(TOKEN_VAR), var(USER_VAR), var(PASSWORD_VAR)) {
            (Some(token), _, _) => Some(format!("Bearer {token}")),
            (None, Some(user), Some(password)) => Some(format!(
                "Basic {}",
                base64(format!("{user}:{password}").as_bytes())
            )),
            (None, None, None) => None,
            (None, _, _) => return Err(RemoteError::HalfCredentials),
        };
        let authorization = authorization
            .map(|value| {
                let mut value = HeaderValue::try_from(value).map_err(|_| RemoteError::BadUrl {
                    url: url.to_owned(),
                    reason: "the credentials contain characters a header cannot carry".to_owned(),
                })?;
                value.set_sensitive(true);
                Ok(value)
            })
            .transpose()?;
        Ok(Self {
            url: url.to_owned(),
            authorization,
            timeout,
        })
    }

    /// The URL as given.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends a request, retrying connection failures and transient statuses
    /// (408, 429, 502, 503, 504) with exponential backoff. Returns the
    /// response and the number of attempts it took.
    ///
    /// # Errors
    ///
    /// [`RemoteError::Unreachable`] or [`RemoteError::Status`].
    pub fn send(
        &self,
        method: &Method,
        url: &str,
        content_type: Option<&str>,
        accept: Option<&str>,
        body: &[u8],
    ) -> Result<(Response<Body>, u32), RemoteError> {
        let client = Client::new()
            .with_global_timeout(self.timeout)
            .with_redirection_limit(3);
        let client = client
            .with_user_agent(concat!("policykg/", env!("CARGO_PKG_VERSION")))
            .unwrap_or_else(|_| Client::new().with_global_timeout(self.timeout));
        let mut wait = FIRST_BACKOFF;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = Request::builder().method(method.clone()).uri(url);
            if let Some(value) = content_type {
                request = request.header(CONTENT_TYPE, value);
            }
            if let Some(value) = accept {
                request = request.header(ACCEPT, value);
            }
            if let Some(value) = &self.authorization {
                request = request.header(AUTHORIZATION, value.clone());
            }
            let request =
                request
                    .body(Body::from(body.to_vec()))
                    .map_err(|e| RemoteError::BadUrl {
                        url: url.to_owned(),
                        reason: e.to_string(),
                    })?;
            let retry_after = match client.request(request) {
                Ok(response) if response.status().is_success() => return Ok((response, attempt)),
                Ok(response) if transient(response.status()) && attempt < ATTEMPTS => response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
                    .map(Duration::from_secs),
                Ok(response) => {
                    let status = response.status();
                    let mut text = String::new();
                    let _ = response.into_body().take(2000).read_to_string(&mut text);
                    return Err(RemoteError::Status {
                        url: url.to_owned(),
                        status,
                        body: text,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
                    return Err(RemoteError::BadUrl {
                        url: url.to_owned(),
                        reason: e.to_string(),
                    });
                }
                // A request that timed out may still be running there:
                // sending it again would only pile up work.
                Err(e)
                    if attempt >= ATTEMPTS
                        || matches!(
                            e.kind(),
                            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                        ) =>
                {
                    return Err(RemoteError::Unreachable {
                        url: url.to_owned(),
                        attempts: attempt,
                        message: e.to_string(),
                    });
                }
                Err(_) => None,
            };
            thread::sleep(retry_after.unwrap_or(wait).min(MAX_BACKOFF));
            wait = (wait * 2).min(MAX_BACKOFF);
        }
    }

    /// Sends a query as a POSTed form (`query=…`, the one way every server
    /// takes; some hang on an `application/sparql-query` body) and returns
    /// the answer's media type and bytes.
    ///
    /// # Errors
    ///
    /// Transport and status errors.
    pub fn query_raw(&self, sparql: &str, accept: &str) -> Result<(String, Vec<u8>), RemoteError> {
        let (response, _) = self.send(
            &Method::POST,
            &self.url,
            Some("application/x-www-form-urlencoded"),
            Some(accept),
            form_urlencoded::Serializer::new(String::new())
                .append_pair("query", sparql)
                .finish()
                .as_bytes(),
        )?;
        let media = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = response
            .into_body()
            .to_vec()
            .map_err(|e| RemoteError::Unreachable {
                url: self.url.clone(),
                attempts: 1,
                message: e.to_string(),
            })?;
        Ok((media, bytes))
    }
}

fn transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

impl Sparql for Endpoint {
    fn rows(&self, origin: &str, sparql: &str) -> Result<Rows<'_>, QueryError> {
        let origin = origin.to_owned();
        let remote = move |e: RemoteError| QueryError::Evaluation {
            origin: origin.clone(),
            cause: e.into(),
        };
        let (media, bytes) = self
            .query_raw(
                sparql,
                "application/sparql-results+json, application/sparql-results+xml;q=0.9",
            )
            .map_err(&remote)?;
        let format = if media.contains("xml") {
            QueryResultsFormat::Xml
        } else {
            QueryResultsFormat::Json
        };
        let url = self.url.clone();
        let bad = move |message: String| {
            remote(RemoteError::BadResults {
                url: url.clone(),
                message,
            })
        };
        match QueryResultsParser::from_format(format)
            .for_reader(std::io::Cursor::new(bytes))
            .map_err(|e| bad(e.to_string()))?
        {
            ReaderQueryResultsParserOutput::Solutions(solutions) => {
                Ok(Box::new(solutions.map(move |solution| {
                    solution.map_err(|e| bad(e.to_string()))
                })))
            }
            ReaderQueryResultsParserOutput::Boolean(_) => {
                Err(bad("a yes/no answer where rows were expected".to_owned()))
            }
        }
    }

    fn triples(&self) -> Result<u64, QueryError> {
        let rows = self.select(
            "counting triples",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        )?;
        Ok(rows
            .first()
            .and_then(|row| match row.get("n") {
                Some(Term::Literal(l)) => l.value().parse().ok(),
                _ => None,
            })
            .unwrap_or(0))
    }
}

/// Standard base64 (RFC 4648, with padding), for basic-auth headers.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        // RFC 4648, section 10.
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn urls_must_be_http() {
        for url in ["ftp://h/x", "/relative", "http//oops"] {
            assert!(Endpoint::new(url, Duration::from_secs(1)).is_err(), "{url}");
        }
        assert!(Endpoint::new("http://127.0.0.1:1/query", Duration::from_secs(1)).is_ok());
    }
}
