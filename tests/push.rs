//! `policykg push` against a stand-in Graph Store that fails on purpose:
//! retries, credentials from the environment, one PUT per graph.
//! (.ci/remote_check.sh pushes to real Oxigraph and Virtuoso servers.)

mod common;

use common::Sandbox;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;

/// One request as the stand-in saw it.
#[derive(Debug, Clone)]
struct Seen {
    request_line: String,
    authorization: Option<String>,
    content_type: Option<String>,
    body: String,
}

/// Serves `answers` in turn (the last one repeats), recording requests.
fn stand_in(answers: &'static [&'static str]) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/store", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            reader.read_line(&mut request_line).expect("request line");
            let (mut length, mut authorization, mut content_type) = (0, None, None);
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).expect("header");
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                let (name, value) = line.split_once(':').expect("header line");
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().expect("length"),
                    "authorization" => authorization = Some(value.trim().to_owned()),
                    "content-type" => content_type = Some(value.trim().to_owned()),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).expect("body");
            log.lock().expect("log").push(Seen {
                request_line: request_line.trim_end().to_owned(),
                authorization,
                content_type,
                body: String::from_utf8(body).expect("utf-8"),
            });
            let status = answers[n.min(answers.len() - 1)];
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nRetry-After: 0\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(reply.as_bytes()).expect("reply");
        }
    });
    (url, seen)
}

fn push(sandbox: &Sandbox, url: &str, env: &[(&str, &str)]) -> common::Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_policykg"));
    command
        .args(["push", "--endpoint", url, "--store"])
        .arg(sandbox.store())
        .env_remove("POLICYKG_ENDPOINT_TOKEN")
        .env_remove("POLICYKG_ENDPOINT_USER")
        .env_remove("POLICYKG_ENDPOINT_PASSWORD");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("runs").into()
}

#[test]
fn transient_failures_are_retried_and_credentials_come_from_the_environment() {
    let sandbox = Sandbox::new();
    sandbox.run(&["build"]).ok();
    let (url, seen) = stand_in(&[
        "503 Service Unavailable",
        "502 Bad Gateway",
        "204 No Content",
    ]);
    let run = push(
        &sandbox,
        &url,
        &[
            ("POLICYKG_ENDPOINT_USER", "user"),
            ("POLICYKG_ENDPOINT_PASSWORD", "pass"),
        ],
    )
    .ok();
    assert!(run.stderr.contains("pushed 3 graphs"), "{}", run.stderr);
    assert!(run.stderr.contains("after 2 retries"), "{}", run.stderr);
    let seen = seen.lock().expect("log").clone();
    // Two refused attempts at the first graph, then one PUT per graph:
    // the document, the ontology and the registry.
    assert_eq!(seen.len(), 5, "{seen:#?}");
    for request in &seen {
        assert!(request.request_line.starts_with("PUT /store?graph="));
        // base64("user:pass"), RFC 7617.
        assert_eq!(request.authorization.as_deref(), Some("Basic dXNlcjpwYXNz"));
        assert_eq!(
            request.content_type.as_deref(),
            Some("application/n-triples")
        );
    }
    let graphs: Vec<&str> = seen[2..].iter().map(|r| r.request_line.as_str()).collect();
    assert!(graphs[0].contains("graph%2Fontology"), "{graphs:?}");
    assert!(graphs[1].contains("graph%2Fregistry"), "{graphs:?}");
    assert!(
        graphs[2].contains("graph%2Fxiamen-metaverse-2022"),
        "{graphs:?}"
    );
    // The document's triples as N-Triples: every line ends a statement.
    let document = &seen[4].body;
    assert!(document.lines().all(|l| l.ends_with(" .")));
    assert!(document.contains("市工信局"));
}

#[test]
fn permanent_failures_and_half_credentials_stop_with_a_reason() {
    let sandbox = Sandbox::new();
    sandbox.run(&["build"]).ok();
    let (url, seen) = stand_in(&["401 Unauthorized"]);
    let run = push(
        &sandbox,
        &url,
        &[("POLICYKG_ENDPOINT_TOKEN", "secret-token")],
    )
    .fails();
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("secret-token"),
        "the token is never printed"
    );
    let seen = seen.lock().expect("log").clone();
    assert_eq!(seen.len(), 1, "a 401 is not retried");
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some("Bearer secret-token")
    );
    let half = push(&sandbox, &url, &[("POLICYKG_ENDPOINT_USER", "user")]).fails();
    assert!(
        half.stderr.contains("POLICYKG_ENDPOINT_PASSWORD"),
        "{}",
        half.stderr
    );
    let nowhere = push(&sandbox, "ftp://example.org/store", &[]).fails();
    assert!(nowhere.stderr.contains("not an http"), "{}", nowhere.stderr);
}
