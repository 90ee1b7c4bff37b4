//! Queries evaluated in worker processes, so that a runaway query can be
//! ended wherever it is.
//!
//! Oxigraph checks a query's cancellation token only when it reads the
//! store: a query that joins or sorts rows in memory cannot be stopped on
//! a thread, and runs on, holding its worker and its memory, after the
//! client got its 503. A process can be ended at once. Each worker is this
//! program again (`serve --query-worker`, hidden): it opens the store
//! read-only, says `ready`, then runs one [`Job`] at a time, a line of JSON
//! in, a header line and the answer's bytes out. While a job runs, a
//! watchdog in the worker ([`Watch`]) reads the process's resident memory
//! from `/proc/self/status` every few milliseconds; past the memory budget
//! or the time limit the worker exits with a status that says which (the
//! exit itself is the command's, in `commands::serve`), and the server
//! starts a fresh one in its place (it also kills a worker that overstays
//! its limit, should the watchdog itself be stuck).

use super::Failure;
use super::job::Job;
use super::results::Answer;
use crate::sparql::Deadline;
use oxhttp::model::StatusCode;
use oxigraph::sparql::CancellationToken;
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};
use std::io::{self, BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// The worker's exit status past its memory budget.
const OVER_BUDGET: i32 = 71;
/// The worker's exit status past its time limit.
const PAST_DEADLINE: i32 = 72;
/// How often the watchdog looks at the clock and the memory.
const WATCH_EVERY: Duration = Duration::from_millis(5);
/// How long past the time limit the server waits before it kills a worker
/// whose watchdog did not end it.
const GRACE: Duration = Duration::from_secs(2);
/// The line a worker writes once its store is open.
const READY: &str = "ready";

/// How workers are started and what they are held to.
#[derive(Debug, Clone)]
pub struct WorkerSpec {
    /// This program.
    pub program: PathBuf,
    /// The store directory the server serves.
    pub store: PathBuf,
    /// Longest a query may run.
    pub timeout: Duration,
    /// Most memory a query may add to its worker's, in bytes.
    pub memory_budget: u64,
}

impl WorkerSpec {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .arg("--quiet")
            .arg("serve")
            .arg("--query-worker")
            .arg("--store")
            .arg(&self.store)
            .arg("--timeout")
            .arg(self.timeout.as_secs().max(1).to_string())
            .arg("--query-memory")
            .arg((self.memory_budget >> 20).max(1).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        command
    }
}

/// The header line before each answer.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    status: u16,
    media: String,
    message: String,
    retry_after: Option<u64>,
    /// The answer's bytes that follow.
    length: usize,
    /// The worker ends after this answer (it passed a limit, or holds too
    /// much memory between jobs): the server replaces it.
    retire: bool,
}

/// What a worker answered: bytes, or a failure with its status.
type Reply = Result<Answer, Failure>;

/// A running worker.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<io::Result<(Reply, bool)>>,
}

impl Worker {
    fn start(spec: &WorkerSpec) -> io::Result<Self> {
        let mut child = spec.command().spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("the worker has no pipes"));
        };
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        let read = stdout.read_line(&mut line);
        if read.is_err() || line.trim_end() != READY {
            let _ = child.kill();
            let status = child.wait()?;
            return Err(io::Error::other(format!(
                "a query worker could not open the store ({status}; its error is above)"
            )));
        }
        let (send, replies) = mpsc::channel();
        thread::Builder::new()
            .name("policykg worker reader".to_owned())
            .spawn(move || {
                loop {
                    let reply = read_reply(&mut stdout);
                    let failed = reply.is_err();
                    if send.send(reply).is_err() || failed {
                        break;
                    }
                }
            })?;
        Ok(Self {
            child,
            stdin,
            replies,
        })
    }

    /// Whether the worker has ended while idle (killed from outside, say).
    fn has_ended(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Ends the worker and tells how it ended.
    fn end(mut self, kill: bool) -> Option<ExitStatus> {
        if kill {
            let _ = self.child.kill();
        }
        drop(self.stdin);
        self.child.wait().ok()
    }
}

fn read_reply(stdout: &mut impl BufRead) -> io::Result<(Reply, bool)> {
    let mut line = String::new();
    if stdout.read_line(&mut line)? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    let header: Header = serde_json::from_str(&line).map_err(io::Error::other)?;
    let mut body = vec![0; header.length];
    stdout.read_exact(&mut body)?;
    let status = StatusCode::from_u16(header.status).map_err(io::Error::other)?;
    let reply = if status == StatusCode::OK {
        let media = media_type(&header.media).ok_or_else(|| io::Error::other("unknown media"))?;
        Ok(Answer { media, body })
    } else {
        Err(Failure {
            status,
            message: header.message,
            retry_after: header.retry_after,
        })
    };
    Ok((reply, header.retire))
}

/// The media types an answer can have, as the `&'static str` the
/// serialisers give.
fn media_type(media: &str) -> Option<&'static str> {
    use super::negotiate::{GRAPHS, SOLUTIONS};
    let solutions = SOLUTIONS.map(oxigraph::sparql::results::QueryResultsFormat::media_type);
    let graphs = GRAPHS.map(oxigraph::io::RdfFormat::media_type);
    solutions.into_iter().chain(graphs).find(|m| *m == media)
}

/// The server's workers: each runs one query at a time; one that ended
/// (killed, over its budget, crashed) is replaced in the background.
pub(super) struct Workers {
    spec: WorkerSpec,
    idle: Mutex<Vec<Worker>>,
    freed: Condvar,
}

impl Workers {
    /// Starts `count` workers and waits until each has opened the store.
    pub(super) fn start(spec: WorkerSpec, count: usize) -> io::Result<Arc<Self>> {
        let started: Vec<io::Result<Worker>> = thread::scope(|scope| {
            let handles: Vec<_> = (0..count)
                .map(|_| scope.spawn(|| Worker::start(&spec)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(io::Error::other("a worker's start panicked")))
                })
                .collect()
        });
        let idle = started.into_iter().collect::<io::Result<Vec<_>>>()?;
        Ok(Arc::new(Self {
            spec,
            idle: Mutex::new(idle),
            freed: Condvar::new(),
        }))
    }

    /// Runs `job` on a free worker, waiting up to `queue_wait` for one.
    pub(super) fn run(self: &Arc<Self>, job: &Job, queue_wait: Duration) -> Reply {
        let mut line = serde_json::to_vec(job)
            .map_err(|e| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        line.push(b'\n');
        // A worker that ended while idle is found when the job cannot be
        // sent: the job then goes to another (it never started).
        let worker = loop {
            let Some(mut worker) = self.acquire(queue_wait) else {
                return Err(Failure::busy("all workers are busy; retry shortly"));
            };
            let sent = worker
                .stdin
                .write_all(&line)
                .and_then(|()| worker.stdin.flush());
            if sent.is_ok() {
                break worker;
            }
            worker.end(true);
            self.replace();
        };
        match worker.replies.recv_timeout(self.spec.timeout + GRACE) {
            Ok(Ok((reply, retire))) => {
                if retire {
                    worker.end(true);
                    self.replace();
                } else {
                    self.release(worker);
                }
                reply
            }
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                let status = worker.end(false);
                self.replace();
                Err(self.ended(status))
            }
            Err(RecvTimeoutError::Timeout) => {
                worker.end(true);
                self.replace();
                Err(self.past_deadline())
            }
        }
    }

    /// A free worker, waiting up to `wait`; one found ended is replaced.
    fn acquire(self: &Arc<Self>, wait: Duration) -> Option<Worker> {
        let deadline = Instant::now() + wait;
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            while let Some(mut worker) = idle.pop() {
                if !worker.has_ended() {
                    return Some(worker);
                }
                worker.end(false);
                self.replace();
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            idle = self
                .freed
                .wait_timeout(idle, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn release(&self, worker: Worker) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(worker);
        self.freed.notify_one();
    }

    /// Starts a worker in the place of one that ended, retrying while the
    /// store cannot be opened.
    fn replace(self: &Arc<Self>) {
        let workers = Arc::clone(self);
        let spawned = thread::Builder::new()
            .name("policykg worker start".to_owned())
            .spawn(move || {
                loop {
                    match Worker::start(&workers.spec) {
                        Ok(worker) => return workers.release(worker),
                        Err(e) => {
                            eprintln!("error: cannot start a query worker: {e}; retrying in 5 s");
                            thread::sleep(Duration::from_secs(5));
                        }
                    }
                }
            });
        if let Err(e) = spawned {
            eprintln!("error: cannot start a query worker: {e}");
        }
    }

    fn ended(&self, status: Option<ExitStatus>) -> Failure {
        match status.and_then(|s| s.code()) {
            Some(OVER_BUDGET) => over_budget(self.spec.memory_budget),
            Some(PAST_DEADLINE) => self.past_deadline(),
            _ => Failure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "the query's worker process ended ({}); the server goes on",
                    status.map_or_else(|| "unknown status".to_owned(), |s| s.to_string())
                ),
            ),
        }
    }

    fn past_deadline(&self) -> Failure {
        super::past_deadline(self.spec.timeout)
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(PoisonError::into_inner));
        for worker in idle {
            worker.end(true);
        }
    }
}

/// What a worker's watchdog looks at: the running job's deadline and the
/// resident memory the worker had when the job started; and the pipe to the
/// server, on which the worker's answers and the watchdog's last word are
/// written in turn.
pub struct Watch {
    timeout: Duration,
    budget: u64,
    state: Mutex<State>,
}

struct State {
    running: Option<(Deadline, u64)>,
    out: Box<dyn Write + Send>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("timeout", &self.timeout)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

/// Why a worker must end now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The job added more than the budget to the worker's memory.
    OverBudget,
    /// The job ran past its time limit.
    PastDeadline,
}

impl Verdict {
    /// The exit status that tells the server why its worker ended, should
    /// the worker's last word not reach it.
    #[must_use]
    pub fn exit_code(self) -> i32 {
        match self {
            Self::OverBudget => OVER_BUDGET,
            Self::PastDeadline => PAST_DEADLINE,
        }
    }
}

impl Watch {
    /// How often a watchdog should look.
    pub const EVERY: Duration = WATCH_EVERY;

    /// Jobs held to `timeout` each and to `budget` bytes of memory beyond
    /// what the worker held when each began; answers go to `out`.
    #[must_use]
    pub fn new(timeout: Duration, budget: u64, out: impl Write + Send + 'static) -> Self {
        Self {
            timeout,
            budget,
            state: Mutex::new(State {
                running: None,
                out: Box::new(out),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// If the running job has passed its limits: tells the server (a 503 or
    /// a 422, and that this worker ends), then calls `end`, which ends the
    /// process (nothing else stops a query that joins or sorts in memory).
    /// The job cannot finish meanwhile: its answer waits for the same lock.
    pub fn enforce(&self, end: impl FnOnce(Verdict)) {
        let mut state = self.state();
        let Some((deadline, baseline)) = state.running else {
            return;
        };
        let verdict = if deadline.passed() {
            Verdict::PastDeadline
        } else if resident_bytes().is_some_and(|now| now.saturating_sub(baseline) > self.budget) {
            Verdict::OverBudget
        } else {
            return;
        };
        let failure = match verdict {
            Verdict::PastDeadline => super::past_deadline(self.timeout),
            Verdict::OverBudget => over_budget(self.budget),
        };
        let _ = write_reply(&mut state.out, Err(failure), true);
        end(verdict);
    }
}

fn over_budget(budget: u64) -> Failure {
    Failure::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        format!(
            "the query needed more than {} MB of memory, the limit of this endpoint, and was stopped; narrow it (a LIMIT, a more specific pattern, fewer rows to sort or group)",
            budget >> 20
        ),
    )
}

/// One answer on the pipe: the header line, then the body.
fn write_reply(out: &mut dyn Write, reply: Reply, retire: bool) -> io::Result<()> {
    let (header, body) = match reply {
        Ok(answer) => (
            Header {
                status: StatusCode::OK.as_u16(),
                media: answer.media.to_owned(),
                message: String::new(),
                retry_after: None,
                length: answer.body.len(),
                retire,
            },
            answer.body,
        ),
        Err(failure) => (
            Header {
                status: failure.status.as_u16(),
                media: String::new(),
                message: failure.message,
                retry_after: failure.retry_after,
                length: 0,
                retire,
            },
            Vec::new(),
        ),
    };
    serde_json::to_writer(&mut *out, &header).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.write_all(&body)?;
    out.flush()
}

/// The worker's side: answers jobs from `input` (the server's pipe) until
/// it closes, marking each in `watch` while it runs. Runs on a thread with
/// a stack of [`crate::sparql::STACK_BYTES`]; a watchdog thread beside it
/// calls [`Watch::enforce`]. A worker that holds more than half its budget
/// between jobs (memory its allocator kept) retires after its answer, so
/// that budgets do not pile up.
///
/// # Errors
///
/// The pipes fail, or a job is not one the server sent.
pub fn run_worker(store: &Store, watch: &Watch, input: impl BufRead) -> io::Result<()> {
    let ready = resident_bytes().unwrap_or(0);
    {
        let mut state = watch.state();
        writeln!(state.out, "{READY}")?;
        state.out.flush()?;
    }
    for line in input.lines() {
        let job: Job = serde_json::from_str(&line?).map_err(io::Error::other)?;
        watch.state().running = Some((
            Deadline::after(watch.timeout),
            resident_bytes().unwrap_or(0),
        ));
        let reply = job.run(store, CancellationToken::new());
        let retire =
            resident_bytes().is_some_and(|now| now.saturating_sub(ready) > watch.budget / 2);
        let mut state = watch.state();
        state.running = None;
        write_reply(&mut state.out, reply, retire)?;
        if retire {
            return Ok(());
        }
    }
    Ok(())
}

/// The process's resident memory (`VmRSS` in `/proc/self/status`), where
/// the system has it.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kilobytes: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kilobytes << 10)
}

/// Whether worker processes can be held to a memory budget here.
#[must_use]
pub fn supported() -> bool {
    resident_bytes().is_some()
}
