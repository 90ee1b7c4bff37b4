//! `policykg serve`: the store as a SPARQL 1.1 endpoint, safe by default.
//!
//! - SPARQL 1.1 Protocol queries at `/sparql` (GET `?query=`, POST form,
//!   POST `application/sparql-query`), results by content negotiation;
//! - named queries at `/queries/NAME?param=value`, their list at `/queries`;
//! - the report as JSON at `/report`, the HTML network page at
//!   `/network.html`, a query page at `/`.
//!
//! Read-only: no SPARQL Update, no Graph Store writes. `SERVICE` is refused
//! (the endpoint makes no outbound requests). Each query runs on a bounded
//! pool of workers under a time limit; a query past its limit gets a 503,
//! never a 200 with part of the results. Request bodies and result sizes
//! are bounded.

mod guard;
mod http;
mod job;
mod negotiate;
mod pool;
mod results;
mod worker;

use crate::network::{self, Network, Options};
use crate::query::NamedQuery;
use crate::report::{self, ReportFormat, SortKey};
use crate::sparql::Deadline;
pub use http::Connections;
use job::{Dataset, Job};
use negotiate::Accept;
use oxhttp::model::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ALLOW, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, VARY,
};
use oxhttp::model::{Body, HeaderValue, Method, Request, Response, StatusCode};
use oxigraph::sparql::CancellationToken;
use oxigraph::store::Store;
use pool::Pool;
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread;
use std::time::Duration;
use worker::Workers;
pub use worker::{Verdict, Watch, WorkerSpec, run_worker, supported as workers_supported};

/// The query page served at `/`.
const PAGE: &str = include_str!("page.html");

/// How many report variants (document, jurisdiction …) are kept computed.
const REPORT_CACHE: usize = 64;

/// The limits a server runs under.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest a query (or report) may run before the client gets a 503.
    pub timeout: Duration,
    /// Most rows (or triples) a result may have.
    pub max_rows: usize,
    /// Largest request body, in bytes (and longest query string).
    pub max_request_bytes: usize,
    /// Queries evaluated at once; more wait for a free worker.
    pub workers: usize,
    /// Longest a request waits for a free worker before a 503.
    pub queue_wait: Duration,
}

/// The endpoint: the store and its limits. [`Service::handle`] answers
/// one request; it is shared by the server's connection threads.
pub struct Service {
    store: Store,
    limits: Limits,
    pool: Arc<Pool>,
    /// Worker processes for queries; without them, queries run on the
    /// pool's threads.
    workers: Option<Arc<Workers>>,
    reports: Mutex<HashMap<String, Arc<Computed>>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// A report computed once: the store cannot change while it is served.
struct Computed {
    json: Vec<u8>,
    html: String,
}

/// What went wrong with a request, and the status it gets.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl Failure {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn busy(message: impl Into<String>) -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
        }
    }
}

impl Service {
    /// A service over `store` (opened read-only by the caller).
    #[must_use]
    pub fn new(store: Store, limits: Limits) -> Self {
        let pool = Pool::new(limits.workers.max(1));
        Self {
            store,
            limits,
            pool,
            workers: None,
            reports: Mutex::new(HashMap::new()),
        }
    }

    /// Queries (at `/sparql` and `/queries/`) evaluated in `limits.workers`
    /// worker processes started from `spec`, each held to the time limit
    /// and a memory budget and replaced when it is ended; the report pages
    /// stay on the server's threads.
    ///
    /// # Errors
    ///
    /// A worker cannot be started or cannot open the store.
    pub fn with_workers(mut self, spec: WorkerSpec) -> std::io::Result<Self> {
        self.workers = Some(Workers::start(spec, self.limits.workers.max(1))?);
        Ok(self)
    }

    /// Answers one request. Never panics on any request; every error is a
    /// status with a plain-text reason.
    pub fn handle(self: &Arc<Self>, request: &mut Request<Body>) -> Response<Body> {
        let path = request.uri().path().to_owned();
        let method = request.method().clone();
        let response = if method == Method::OPTIONS {
            Ok(Response::builder()
                .status(StatusCode::NO_CONTENT)
                .body(Body::empty())
                .unwrap_or_default())
        } else {
            self.route(&method, &path, request)
        };
        let mut response = response.unwrap_or_else(|failure| {
            let mut response = text(failure.status, "text/plain; charset=utf-8", failure.message);
            if let Some(seconds) = failure.retry_after
                && let Ok(value) = seconds.to_string().parse()
            {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        });
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        headers.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Content-Type, Accept"),
        );
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        response
    }

    fn route(
        self: &Arc<Self>,
        method: &Method,
        path: &str,
        request: &mut Request<Body>,
    ) -> Result<Response<Body>, Failure> {
        let get_only = matches!(*method, Method::GET | Method::HEAD);
        match path {
            "/" | "/index.html" if get_only => Ok(text(
                StatusCode::OK,
                "text/html; charset=utf-8",
                PAGE.to_owned(),
            )),
            "/sparql" | "/query" if get_only || *method == Method::POST => self.sparql(request),
            "/queries" | "/queries/" if get_only => Ok(named_list()),
            "/report" | "/report.json" if get_only => {
                let computed = self.report(request)?;
                Ok(bytes(
                    StatusCode::OK,
                    "application/json",
                    computed.json.clone(),
                ))
            }
            "/network.html" if get_only => {
                let computed = self.report(request)?;
                Ok(text(
                    StatusCode::OK,
                    "text/html; charset=utf-8",
                    computed.html.clone(),
                ))
            }
            _ if get_only && path.starts_with("/queries/") => {
                self.named(path.strip_prefix("/queries/").unwrap_or(path), request)
            }
            "/" | "/index.html" | "/sparql" | "/query" | "/queries" | "/report"
            | "/report.json" | "/network.html" | "/store" | "/update" => {
                Ok(read_only(method, path))
            }
            _ if path.starts_with("/queries/") => Ok(read_only(method, path)),
            _ => Err(Failure::new(
                StatusCode::NOT_FOUND,
                format!(
                    "{path}: no such page; the endpoint is /sparql, named queries are under /queries/, the report is /report"
                ),
            )),
        }
    }

    /// The SPARQL 1.1 Protocol query operation.
    fn sparql(self: &Arc<Self>, request: &mut Request<Body>) -> Result<Response<Body>, Failure> {
        let mut params = self.url_params(request)?;
        let media = header(request, CONTENT_TYPE).to_ascii_lowercase();
        let media = media.split(';').next().unwrap_or("").trim().to_owned();
        let query = if *request.method() == Method::POST {
            let body = self.body(request)?;
            match media.as_str() {
                "application/sparql-query" => Some(body),
                "application/x-www-form-urlencoded" => {
                    params.extend(form_params(&body)?);
                    None
                }
                "application/sparql-update" => {
                    return Err(Failure::new(
                        StatusCode::FORBIDDEN,
                        "SPARQL Update is not accepted: this endpoint is read-only",
                    ));
                }
                other => {
                    return Err(Failure::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        format!(
                            "POST a query as application/sparql-query or as an application/x-www-form-urlencoded form with query=…, not `{other}`"
                        ),
                    ));
                }
            }
        } else {
            None
        };
        if params.iter().any(|(k, _)| k == "update") {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "SPARQL Update is not accepted: this endpoint is read-only",
            ));
        }
        let mut queries = params.iter().filter(|(k, _)| k == "query").map(|(_, v)| v);
        let query = match (query, queries.next(), queries.next()) {
            (Some(q), None, _) => q,
            (None, Some(q), None) => q.clone(),
            (None, None, _) => {
                return Err(Failure::bad_request(
                    "no query: give it as ?query=…, as a form field, or as an application/sparql-query body",
                ));
            }
            _ => return Err(Failure::bad_request("give exactly one query")),
        };
        let dataset = Dataset::from_params(&params)?;
        let accept = Accept::from_request(request, &params);
        self.evaluate("query", &query, &[], &dataset, &accept)
    }

    /// A named query with its parameters from the URL.
    fn named(
        self: &Arc<Self>,
        name: &str,
        request: &Request<Body>,
    ) -> Result<Response<Body>, Failure> {
        let Some(query) = NamedQuery::find(name) else {
            return Err(Failure::new(
                StatusCode::NOT_FOUND,
                format!("no named query `{name}`; /queries lists them"),
            ));
        };
        let params = self.url_params(request)?;
        let mut bound = Vec::new();
        for (param, doc) in query.params() {
            let Some((_, value)) = params.iter().find(|(k, _)| k == param) else {
                return Err(Failure::bad_request(format!(
                    "named query {name} needs ?{param}=… ({doc})"
                )));
            };
            bound.push((param.to_owned(), value.clone()));
        }
        if let Some((unknown, _)) = params
            .iter()
            .find(|(k, _)| k != "format" && !query.params().any(|(p, _)| p == k))
        {
            return Err(Failure::bad_request(format!(
                "named query {name} has no parameter `{unknown}`"
            )));
        }
        let accept = Accept::from_request(request, &params);
        self.evaluate(
            &format!("queries/{name}.rq"),
            query.text,
            &bound,
            &Dataset::Union,
            &accept,
        )
    }

    /// Runs a query on a worker under the time limit and serialises the
    /// whole result before answering, so that a timeout or an error can
    /// still change the status.
    fn evaluate(
        self: &Arc<Self>,
        origin: &str,
        sparql: &str,
        params: &[(String, String)],
        dataset: &Dataset,
        accept: &Accept,
    ) -> Result<Response<Body>, Failure> {
        crate::sparql::check_size(origin, sparql)
            .map_err(|e| Failure::bad_request(e.to_string()))?;
        let job = Job {
            origin: origin.to_owned(),
            sparql: sparql.to_owned(),
            params: params.to_vec(),
            dataset: dataset.clone(),
            accept: accept.clone(),
            max_rows: self.limits.max_rows,
        };
        let answer = if let Some(workers) = &self.workers {
            workers.run(&job, self.limits.queue_wait)?
        } else {
            let token = CancellationToken::new();
            let service = Arc::clone(self);
            let cancel = token.clone();
            self.on_worker(&token, move || job.run(&service.store, cancel))?
        };
        let mut response = bytes(StatusCode::OK, answer.media, answer.body);
        response
            .headers_mut()
            .insert(VARY, HeaderValue::from_static("Accept"));
        Ok(response)
    }

    /// Runs `job` on a pooled worker and waits for it up to the time limit.
    fn on_worker<T: Send + 'static>(
        &self,
        token: &CancellationToken,
        job: impl FnOnce() -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        let Some(permit) = self.pool.acquire(self.limits.queue_wait) else {
            return Err(Failure::busy(format!(
                "all {} workers are busy; retry shortly",
                self.limits.workers
            )));
        };
        let deadline = Deadline::after(self.limits.timeout);
        let (send, receive) = mpsc::channel();
        thread::Builder::new()
            .name("policykg query".to_owned())
            .stack_size(crate::sparql::STACK_BYTES)
            .spawn(move || {
                let result = job();
                drop(permit);
                let _ = send.send(result);
            })
            .map_err(|e| Failure::busy(format!("cannot start a worker: {e}")))?;
        match receive.recv_timeout(deadline.left()) {
            Ok(result) => result,
            Err(_) => {
                token.cancel();
                Err(past_deadline(self.limits.timeout))
            }
        }
    }

    /// The report for the selection in the URL, computed once.
    fn report(self: &Arc<Self>, request: &Request<Body>) -> Result<Arc<Computed>, Failure> {
        let params = self.url_params(request)?;
        let mut options = Options::default();
        let mut sort = SortKey::Items;
        let mut top = None;
        for (key, value) in &params {
            match key.as_str() {
                "document" => options.document = Some(value.clone()),
                "jurisdiction" => options.jurisdiction = Some(value.clone()),
                "key-tasks-only" => options.key_tasks_only = flag(key, value)?,
                "without-collectives" => options.without_collectives = flag(key, value)?,
                "sort" => {
                    sort = clap::ValueEnum::from_str(value, true).map_err(|_| {
                        Failure::bad_request(format!("sort={value}: not a measure to sort by"))
                    })?;
                }
                "top" => {
                    top = Some(value.parse::<usize>().map_err(|_| {
                        Failure::bad_request(format!("top={value}: expected a whole number"))
                    })?);
                }
                _ => {
                    return Err(Failure::bad_request(format!(
                        "the report takes document, jurisdiction, key-tasks-only, without-collectives, sort and top, not `{key}`"
                    )));
                }
            }
        }
        let key = format!("{options:?}{sort:?}{top:?}");
        if let Some(done) = self.lock_reports().get(&key) {
            return Ok(Arc::clone(done));
        }
        let service = Arc::clone(self);
        let token = CancellationToken::new();
        let computed = self.on_worker(&token, move || {
            let network = Network::from_sparql(&service.store, &options)
                .map_err(|e| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            let (mut units, figures) = network::measure(&network);
            report::rank(&mut units, sort);
            let shown = top.map_or(units.as_slice(), |n| &units[..n.min(units.len())]);
            let mut json = Vec::new();
            report::write(shown, &figures, ReportFormat::Json, &mut json)
                .map_err(|e| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            let title = match (&options.document, &options.jurisdiction) {
                (Some(d), _) => format!("Co-responsibility: {d}"),
                (None, Some(j)) => format!("Co-responsibility: {j}"),
                (None, None) => "Co-responsibility of units".to_owned(),
            };
            let html = report::html::page(&title, &network, &units, &figures);
            let computed = Arc::new(Computed { json, html });
            let mut reports = service.lock_reports();
            if reports.len() >= REPORT_CACHE {
                reports.clear();
            }
            reports.insert(key, Arc::clone(&computed));
            Ok(computed)
        });
        computed.map_err(|failure| {
            if failure.status == StatusCode::SERVICE_UNAVAILABLE && failure.retry_after.is_none() {
                // The worker goes on and keeps its result for the next try.
                Failure::busy("the report is still being computed; retry in a moment")
            } else {
                failure
            }
        })
    }

    fn lock_reports(&self) -> MutexGuard<'_, HashMap<String, Arc<Computed>>> {
        self.reports.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn url_params(&self, request: &Request<Body>) -> Result<Vec<(String, String)>, Failure> {
        let query = request.uri().query().unwrap_or("");
        if query.len() > self.limits.max_request_bytes {
            return Err(Failure::new(
                StatusCode::URI_TOO_LONG,
                format!(
                    "the query string is longer than {} bytes; POST the query instead",
                    self.limits.max_request_bytes
                ),
            ));
        }
        form_params(query)
    }

    fn body(&self, request: &mut Request<Body>) -> Result<String, Failure> {
        let limit = self.limits.max_request_bytes;
        let mut bytes = Vec::new();
        request
            .body_mut()
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::bad_request(format!("cannot read the request body: {e}")))?;
        if bytes.len() > limit {
            return Err(Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than {limit} bytes"),
            ));
        }
        String::from_utf8(bytes).map_err(|_| Failure::bad_request("the request body is not UTF-8"))
    }
}

/// The answer to a query stopped at its time limit.
fn past_deadline(timeout: Duration) -> Failure {
    Failure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "the query ran longer than the {} s limit and was stopped; narrow it (a LIMIT, a more specific pattern)",
            timeout.as_secs_f64()
        ),
    )
}

/// The answer to a write (or any method a page does not take).
fn read_only(method: &Method, path: &str) -> Response<Body> {
    let mut response = text(
        StatusCode::METHOD_NOT_ALLOWED,
        "text/plain; charset=utf-8",
        format!(
            "{method} {path}: this endpoint is read-only (no SPARQL Update, no Graph Store writes)"
        ),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET, POST, OPTIONS"));
    response
}

fn flag(key: &str, value: &str) -> Result<bool, Failure> {
    match value {
        "" | "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(Failure::bad_request(format!(
            "{key}={value}: expected true or false"
        ))),
    }
}

fn header(request: &Request<Body>, name: oxhttp::model::header::HeaderName) -> String {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn named_list() -> Response<Body> {
    let list: Vec<serde_json::Value> = crate::query::NAMED
        .iter()
        .map(|q| {
            serde_json::json!({
                "name": q.name,
                "question": q.question(),
                "params": q.params().map(|(name, doc)| serde_json::json!({"name": name, "doc": doc})).collect::<Vec<_>>(),
                "sparql": q.text,
            })
        })
        .collect();
    let body = serde_json::to_vec_pretty(&list).unwrap_or_default();
    bytes(StatusCode::OK, "application/json", body)
}

fn text(status: StatusCode, media: &str, body: String) -> Response<Body> {
    bytes(status, media, body.into_bytes())
}

fn bytes(status: StatusCode, media: &str, body: Vec<u8>) -> Response<Body> {
    let mut response = Response::builder()
        .status(status)
        .body(Body::from(body))
        .unwrap_or_default();
    let headers = response.headers_mut();
    if let Ok(value) = media.parse() {
        headers.insert(CONTENT_TYPE, value);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Serves on `listener` (bound by the caller, so that the address it
/// reports is the one served); returns what waits for the server to end.
///
/// # Errors
///
/// The server's threads cannot be started.
pub fn spawn(
    service: Arc<Service>,
    listener: std::net::TcpListener,
    connections: Connections,
) -> std::io::Result<impl FnOnce() -> std::io::Result<()>> {
    http::listen(service, listener, connections)
}

/// The pairs of an `application/x-www-form-urlencoded` text (a query string
/// or a form body). Unlike a lossy decoder, percent-encoded bytes that are
/// not UTF-8 (`%FF`) are an error, not U+FFFD: the query would not be the
/// one the client sent.
fn form_params(text: &str) -> Result<Vec<(String, String)>, Failure> {
    let decode = |part: &str| -> Result<String, Failure> {
        let spaced = part.replace('+', " ");
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8()
            .map(std::borrow::Cow::into_owned)
            .map_err(|_| {
                let shown: String = part.chars().take(60).collect();
                Failure::bad_request(format!(
                    "`{shown}` is not percent-encoded UTF-8; encode the text as UTF-8 before percent-encoding it (RFC 3986)"
                ))
            })
    };
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(key)?, decode(value)?))
        })
        .collect()
}
