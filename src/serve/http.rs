//! HTTP/1.1 connections in front of [`Service`]: our own accept loop, so
//! that slow or idle clients cannot hold the endpoint.
//!
//! - at most `max_connections` connections at once (more wait to be
//!   accepted), and at most `per_client` from one address (more get 503 at
//!   once);
//! - a request's head and body must arrive within `read` of its first byte
//!   (else 408), a kept-alive connection that sends nothing for `idle` is
//!   closed, and an answer the client does not read within `write` is
//!   dropped;
//! - a request line up to the URI limit of the HTTP types (64 KB) is read,
//!   so a GET query string past `max_request_bytes` gets the endpoint's own
//!   414; headers and bodies are bounded too (431, 413).
//!
//! Requests are parsed with `httparse`; bodies come with `Content-Length`
//! or chunked; `Expect: 100-continue` is answered.

use super::Service;
use oxhttp::model::header::{CONNECTION, CONTENT_LENGTH, EXPECT, SERVER, TRANSFER_ENCODING};
use oxhttp::model::{Body, HeaderValue, Method, Request, Response, StatusCode};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// What a connection may take.
#[derive(Debug, Clone)]
pub struct Connections {
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections served at once for one client address.
    pub per_client: usize,
    /// Longest a request's head and body may take to arrive.
    pub read: Duration,
    /// Longest a kept-alive connection may wait for its next request.
    pub idle: Duration,
    /// Longest an answer may take to be sent.
    pub write: Duration,
}

/// Most header lines a request may have.
const MAX_HEADERS: usize = 64;
/// The longest request line: the HTTP types' URI limit, with the method and
/// version around it.
const MAX_REQUEST_LINE: usize = 64 << 10;
/// The longest header lines, together.
const MAX_HEADER_BYTES: usize = 32 << 10;
/// The server's name in each answer.
const SERVER_NAME: &str = concat!("policykg/", env!("CARGO_PKG_VERSION"));

/// Open connections, in all and per client address.
struct Open {
    counts: Mutex<(usize, HashMap<IpAddr, usize>)>,
    freed: Condvar,
}

/// A connection's place, given back on drop.
struct Slot {
    open: Arc<Open>,
    client: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self
            .open
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counts.0 = counts.0.saturating_sub(1);
        if let Some(n) = counts.1.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.1.remove(&self.client);
            }
        }
        self.open.freed.notify_one();
    }
}

/// Serves each connection `listener` accepts on a thread of its own;
/// returns what waits for the accept loop to end.
///
/// # Errors
///
/// The accept loop's thread cannot be started.
pub fn listen(
    service: Arc<Service>,
    listener: TcpListener,
    limits: Connections,
) -> io::Result<impl FnOnce() -> io::Result<()>> {
    let open = Arc::new(Open {
        counts: Mutex::new((0, HashMap::new())),
        freed: Condvar::new(),
    });
    let accept = thread::Builder::new()
        .name("policykg accept".to_owned())
        .spawn(move || accept_loop(&listener, &service, &limits, &open))?;
    Ok(move || {
        accept
            .join()
            .map_err(|_| io::Error::other("the accept loop panicked"))
    })
}

fn accept_loop(
    listener: &TcpListener,
    service: &Arc<Service>,
    limits: &Connections,
    open: &Arc<Open>,
) {
    loop {
        // Wait for a free place before accepting: more connections wait in
        // the system's backlog.
        {
            let mut counts = open.counts.lock().unwrap_or_else(PoisonError::into_inner);
            while counts.0 >= limits.max_connections {
                counts = open
                    .freed
                    .wait(counts)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: let some close.
                eprintln!("warning: cannot accept a connection: {e}");
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let client = peer.ip();
        let slot = {
            let mut counts = open.counts.lock().unwrap_or_else(PoisonError::into_inner);
            let mine = counts.1.get(&client).copied().unwrap_or(0);
            if mine >= limits.per_client {
                None
            } else {
                counts.0 += 1;
                counts.1.insert(client, mine + 1);
                Some(Slot {
                    open: Arc::clone(open),
                    client,
                })
            }
        };
        let Some(slot) = slot else {
            refuse(stream, limits.per_client);
            continue;
        };
        let service = Arc::clone(service);
        let limits = limits.clone();
        let spawned = thread::Builder::new()
            .name(format!("policykg {peer}"))
            .spawn(move || {
                // A client that goes away mid-request is its own business.
                let _ = connection(stream, &service, &limits);
                drop(slot);
            });
        if let Err(e) = spawned {
            eprintln!("warning: cannot start a connection's thread: {e}");
        }
    }
}

/// A 503 to a client over its connection cap, written without waiting (it
/// fits a fresh socket's buffer) and closed.
fn refuse(stream: TcpStream, cap: usize) {
    let body = format!("more than {cap} connections from your address; close some and retry\n");
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\nserver: {SERVER_NAME}\r\n\r\n{body}",
        body.len()
    );
    if stream.set_nonblocking(true).is_ok() {
        let mut stream = stream;
        let _ = stream.write_all(answer.as_bytes());
        // Closing with the client's request unread would reset the
        // connection, and the client might never see the 503: what has
        // arrived is read first (without waiting for more).
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut sink = [0; 8192];
        while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
    }
}

/// Why a request could not be read.
enum ReadError {
    /// The client closed or sent nothing in time: nothing to answer.
    Gone,
    /// A bad or oversized request: answered, then the connection closes.
    Answer(StatusCode, String),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        if matches!(
            e.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
        ) {
            Self::Answer(
                StatusCode::REQUEST_TIMEOUT,
                "the request did not arrive in time".to_owned(),
            )
        } else {
            Self::Gone
        }
    }
}

/// A stream read under a deadline: each read waits at most what is left.
struct Deadlined {
    stream: TcpStream,
    deadline: Instant,
}

impl Read for Deadlined {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self
            .deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| io::Error::from(io::ErrorKind::TimedOut))?;
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// Serves the requests of one connection until it closes, fails or idles.
fn connection(stream: TcpStream, service: &Arc<Service>, limits: &Connections) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(Deadlined {
        stream: stream.try_clone()?,
        deadline: Instant::now() + limits.read,
    });
    let mut writer = stream;
    let mut first = true;
    loop {
        // The first request has `read` to arrive whole; later ones may be
        // `idle` in coming, then have `read` from their first byte.
        if !first {
            reader.get_mut().deadline = Instant::now() + limits.idle;
            if reader.fill_buf().map_or(true, <[u8]>::is_empty) {
                return Ok(());
            }
            reader.get_mut().deadline = Instant::now() + limits.read;
        }
        first = false;
        let (mut request, keep_alive) = match read_request(&mut reader, service, &mut writer) {
            Ok(read) => read,
            Err(ReadError::Gone) => return Ok(()),
            Err(ReadError::Answer(status, message)) => {
                let mut response = super::text(status, "text/plain; charset=utf-8", message);
                write_response(&mut writer, &mut response, false, false, limits.write)?;
                return linger(&writer, reader);
            }
        };
        let head = *request.method() == Method::HEAD;
        let mut response = service.handle(&mut request);
        write_response(&mut writer, &mut response, head, keep_alive, limits.write)?;
        if !keep_alive {
            return linger(&writer, reader);
        }
    }
}

/// Closes a connection after its last answer: what the client still sends
/// is read and dropped for a moment, so that closing with it unread (a
/// reset) does not destroy the answer before the client reads it.
fn linger(writer: &TcpStream, mut reader: BufReader<Deadlined>) -> io::Result<()> {
    writer.shutdown(std::net::Shutdown::Write)?;
    reader.get_mut().deadline = Instant::now() + Duration::from_secs(1);
    let _ = io::copy(&mut reader.take(1 << 20), &mut io::sink());
    Ok(())
}

/// Reads one request: its head, then its body.
fn read_request(
    reader: &mut BufReader<Deadlined>,
    service: &Service,
    writer: &mut TcpStream,
) -> Result<(Request<Body>, bool), ReadError> {
    let head = read_head(reader)?;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(ReadError::Gone),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ReadError::Answer(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                format!("more than {MAX_HEADERS} header lines"),
            ));
        }
        Err(e) => {
            return Err(ReadError::Answer(
                StatusCode::BAD_REQUEST,
                format!("not an HTTP/1.1 request: {e}"),
            ));
        }
    }
    let bad = |message: &str| ReadError::Answer(StatusCode::BAD_REQUEST, message.to_owned());
    let method = Method::from_bytes(parsed.method.unwrap_or("").as_bytes())
        .map_err(|_| bad("not an HTTP method"))?;
    let target = parsed.path.unwrap_or("/");
    let mut builder = Request::builder().method(method).uri(target);
    let mut length = None;
    let mut chunked = false;
    let mut expect_continue = false;
    // HTTP/1.0 closes unless it asks to keep alive; `close` anywhere wins.
    let mut close = parsed.version == Some(0);
    let mut asked_close = false;
    for header in parsed.headers.iter() {
        let value = header.value;
        if header.name.eq_ignore_ascii_case(CONTENT_LENGTH.as_str()) {
            // Digits only (`+5` would parse as a number): a proxy in front
            // must not read the framing differently.
            if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                return Err(bad("a bad Content-Length"));
            }
            let n: u64 = std::str::from_utf8(value)
                .ok()
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| bad("a bad Content-Length"))?;
            if length.is_some_and(|m| m != n) {
                return Err(bad("two different Content-Length headers"));
            }
            length = Some(n);
        } else if header.name.eq_ignore_ascii_case(TRANSFER_ENCODING.as_str()) {
            if !value.eq_ignore_ascii_case(b"chunked") {
                return Err(ReadError::Answer(
                    StatusCode::NOT_IMPLEMENTED,
                    "only the chunked transfer coding is accepted".to_owned(),
                ));
            }
            if chunked {
                return Err(bad("Transfer-Encoding given twice"));
            }
            chunked = true;
        } else if header.name.eq_ignore_ascii_case(EXPECT.as_str()) {
            if !value.eq_ignore_ascii_case(b"100-continue") {
                return Err(ReadError::Answer(
                    StatusCode::EXPECTATION_FAILED,
                    "only Expect: 100-continue is understood".to_owned(),
                ));
            }
            expect_continue = true;
        } else if header.name.eq_ignore_ascii_case(CONNECTION.as_str()) {
            let value = String::from_utf8_lossy(value).to_ascii_lowercase();
            if value.split(',').any(|t| t.trim() == "close") {
                asked_close = true;
            } else if value.split(',').any(|t| t.trim() == "keep-alive") {
                close = false;
            }
        }
        builder = builder.header(header.name, value);
    }
    let close = close || asked_close;
    if chunked && length.is_some() {
        return Err(bad("both Content-Length and chunked"));
    }
    let limit = service.limits.max_request_bytes as u64;
    if length.is_some_and(|n| n > limit) {
        return Err(ReadError::Answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {limit} bytes"),
        ));
    }
    if expect_continue && (chunked || length.is_some_and(|n| n > 0)) {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let body = if chunked {
        read_chunked(reader, limit)?
    } else {
        let n = length.unwrap_or(0);
        let mut body = Vec::new();
        reader.take(n).read_to_end(&mut body)?;
        if body.len() as u64 != n {
            return Err(ReadError::Gone);
        }
        body
    };
    let request = builder.body(Body::from(body)).map_err(|e| {
        // The HTTP types take URIs up to 65,534 bytes.
        if target.len() >= usize::from(u16::MAX) - 1 {
            ReadError::Answer(
                StatusCode::URI_TOO_LONG,
                "the request target is too long; POST the query instead".to_owned(),
            )
        } else {
            bad(&format!("a bad request target or header: {e}"))
        }
    })?;
    Ok((request, !close))
}

/// The request's head, up to and with the blank line.
fn read_head(reader: &mut BufReader<Deadlined>) -> Result<Vec<u8>, ReadError> {
    let mut head = Vec::new();
    let mut line_start = 0;
    loop {
        let before = head.len();
        let limit = if line_start == 0 {
            MAX_REQUEST_LINE
        } else {
            MAX_REQUEST_LINE + MAX_HEADER_BYTES
        };
        let room = (limit + 1).saturating_sub(before) as u64;
        let read = reader.by_ref().take(room).read_until(b'\n', &mut head)?;
        if read == 0 {
            return Err(ReadError::Gone);
        }
        if !head.ends_with(b"\n") {
            if head.len() <= limit {
                // The client closed in the middle of a line.
                return Err(ReadError::Gone);
            }
            return Err(if line_start == 0 {
                ReadError::Answer(
                    StatusCode::URI_TOO_LONG,
                    format!(
                        "the request line is longer than {} KB; POST the query instead",
                        MAX_REQUEST_LINE >> 10
                    ),
                )
            } else {
                ReadError::Answer(
                    StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                    format!("the headers are longer than {} KB", MAX_HEADER_BYTES >> 10),
                )
            });
        }
        let line = &head[before..];
        // Blank lines before a request line are to be ignored (RFC 9112 §2.2).
        if line_start == 0 && (line == b"\r\n" || line == b"\n") {
            head.clear();
            continue;
        }
        if before > 0 && (line == b"\r\n" || line == b"\n") {
            return Ok(head);
        }
        line_start = head.len();
    }
}

/// A chunked body, at most `limit` bytes of it.
fn read_chunked(reader: &mut BufReader<Deadlined>, limit: u64) -> Result<Vec<u8>, ReadError> {
    let bad = |m: &str| ReadError::Answer(StatusCode::BAD_REQUEST, m.to_owned());
    let mut body = Vec::new();
    loop {
        let mut line = Vec::new();
        reader.by_ref().take(1024).read_until(b'\n', &mut line)?;
        let text = std::str::from_utf8(&line).map_err(|_| bad("a bad chunk size"))?;
        // Hex digits only (from_str_radix takes a `+`), then extensions.
        let size = text.split(';').next().unwrap_or("").trim_end();
        if size.is_empty() || size.len() > 15 || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("a bad chunk size"));
        }
        let size = u64::from_str_radix(size, 16).map_err(|_| bad("a bad chunk size"))?;
        if size > limit.saturating_sub(body.len() as u64) {
            return Err(ReadError::Answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than {limit} bytes"),
            ));
        }
        if size == 0 {
            // Trailer lines, up to the blank one.
            loop {
                line.clear();
                if reader.by_ref().take(8192).read_until(b'\n', &mut line)? == 0 {
                    return Err(ReadError::Gone);
                }
                if line == b"\r\n" || line == b"\n" {
                    return Ok(body);
                }
            }
        }
        let before = body.len();
        reader.by_ref().take(size).read_to_end(&mut body)?;
        if (body.len() - before) as u64 != size {
            return Err(ReadError::Gone);
        }
        line.clear();
        reader.by_ref().take(2).read_until(b'\n', &mut line)?;
        if line != b"\r\n" && line != b"\n" {
            return Err(bad("a chunk not followed by a line end"));
        }
    }
}

/// Writes a whole answer within `within`.
fn write_response(
    stream: &mut TcpStream,
    response: &mut Response<Body>,
    head: bool,
    keep_alive: bool,
    within: Duration,
) -> io::Result<()> {
    let mut body = Vec::new();
    response.body_mut().read_to_end(&mut body)?;
    let status = response.status();
    let mut out = Vec::with_capacity(body.len() + 512);
    write!(
        out,
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )?;
    let headers = response.headers_mut();
    headers.insert(SERVER, HeaderValue::from_static(SERVER_NAME));
    headers.insert(
        CONNECTION,
        HeaderValue::from_static(if keep_alive { "keep-alive" } else { "close" }),
    );
    headers.remove(TRANSFER_ENCODING);
    let bodiless = status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED;
    if !bodiless {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    for (name, value) in headers.iter() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head && !bodiless {
        out.extend_from_slice(&body);
    }
    let deadline = Instant::now() + within;
    let mut sent = 0;
    while sent < out.len() {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| io::Error::from(io::ErrorKind::TimedOut))?;
        stream.set_write_timeout(Some(left))?;
        match stream.write(&out[sent..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => sent += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    stream.flush()
}
