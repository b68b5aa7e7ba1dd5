//! Object-storage credentials never show: not on stdout or stderr (object_store's errors
//! quote URLs and the server's answer), not in `.show`, `.trace` or `.log` output, not in
//! `.snapshot list`, not in the files litesh leaves in the repository or beside the
//! database. Not differential: sqlite3 has no snapshots.
//!
//! Against the real S3-compatible server of the snapshot tests (`s3s-fs`, see
//! `harness::s3`): a working repository, a wrong secret with a session token, an
//! unreachable endpoint whose URL carries a user and password, a missing bucket, and
//! credentials written into the `s3://` URL (refused without being quoted). Against a
//! stand-in server started here, which answers every request with 403 and the request
//! itself (as AWS's `SignatureDoesNotMatch` document does, and as a misconfigured endpoint
//! may): the access key id, the session token and the request's signature must not come
//! back out of litesh.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::mpsc;

use crate::harness::{litesh, run_in_env, s3, show, Outcome, Scratch};

/// Values that must never appear anywhere.
const WRONG_SECRET: &str = "Wr0ngSecretSentinel/ab+cd=ef";
const TOKEN: &str = "SessionTokenSentinel/12+34==";
const URL_USER: &str = "UrlUserSentinel";
const URL_PASSWORD: &str = "UrlPasswordSentinel";

/// Every command a script might run against a repository, with the diagnostics on.
fn script(repo: &str) -> String {
    format!(
        ".trace stdout\n.log stderr\n.show\n\
         .snapshot create {repo} --tag nightly\n\
         .snapshot list {repo}\n\
         .snapshot list {repo} --json\n\
         .snapshot verify {repo} --all\n\
         .snapshot restore {repo} latest restored.db\n\
         .snapshot prune {repo} --keep-last 1\n\
         SELECT 'done';\n"
    )
}

/// A scratch directory with the database `t.db`.
fn scratch() -> Scratch {
    let s = Scratch::new();
    s.db(
        "t.db",
        "CREATE TABLE t(a, b); INSERT INTO t VALUES(1, 'one'), (2, 'two');",
    );
    s
}

/// The commands that only read a repository (for one that must not be created).
fn reading_script(repo: &str) -> String {
    format!(
        ".trace stdout\n.log stderr\n\
         .snapshot list {repo}\n\
         .snapshot verify {repo} --all\n\
         .snapshot restore {repo} latest restored.db\n\
         SELECT 'done';\n"
    )
}

/// Runs `script` on t.db with `env`, asserts none of `secrets` shows in stdout, stderr or
/// any file of the scratch directory or under `dirs`, and returns the outcome.
fn run_checked(
    s: &Scratch,
    script: &str,
    env: &[(&str, &str)],
    secrets: &[&str],
    dirs: &[&Path],
) -> Outcome {
    let out = run_in_env(&litesh(), s.path(), &["t.db"], script.as_bytes(), env);
    let text = format!("{}\n{}", show(&out.stdout), show(&out.stderr));
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{secret:?} shows in the output:\n{text}"
        );
    }
    for dir in [s.path()].iter().chain(dirs) {
        assert_no_secret_in_files(dir, secrets);
    }
    out
}

/// [`run_checked`] for a script that must fail (exit code 1); returns its stderr.
fn run_failing(
    s: &Scratch,
    script: &str,
    env: &[(&str, &str)],
    secrets: &[&str],
    dirs: &[&Path],
) -> String {
    let out = run_checked(s, script, env, secrets, dirs);
    assert_eq!(out.code, Some(1), "{}", show(&out.stdout));
    show(&out.stderr)
}

/// `env` with `key` set to `value` instead.
fn replaced<'a>(
    env: &[(&'a str, &'a str)],
    key: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut e: Vec<_> = env.iter().copied().filter(|(k, _)| *k != key).collect();
    e.push((key, value));
    e
}

/// No file below `dir` holds any of `secrets`.
fn assert_no_secret_in_files(dir: &Path, secrets: &[&str]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            assert_no_secret_in_files(&p, secrets);
            continue;
        }
        let bytes = std::fs::read(&p).unwrap_or_default();
        for secret in secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret:?} is in {}",
                p.display()
            );
        }
    }
}

fn env_of(b: &s3::Bucket) -> Vec<(&str, &str)> {
    b.env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn value<'a>(env: &[(&'a str, &'a str)], key: &str) -> &'a str {
    env.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .unwrap()
}

/// The access key id and the secret in `env`.
fn credentials<'a>(env: &[(&'a str, &'a str)]) -> [&'a str; 2] {
    [
        value(env, "AWS_ACCESS_KEY_ID"),
        value(env, "AWS_SECRET_ACCESS_KEY"),
    ]
}

#[test]
fn a_working_s3_repository_keeps_the_credentials_out_of_everything() {
    let Some(b) = s3::bucket() else { return };
    let env = env_of(&b);
    let secrets = credentials(&env);
    let s = scratch();
    let bucket_dir = b.dir.parent().unwrap().to_path_buf();
    let out = run_checked(&s, &script(&b.url), &env, &secrets, &[&bucket_dir]);
    assert_eq!(out.code, Some(0), "{}", show(&out.stderr));
    assert!(show(&out.stdout).contains("done"));
    assert!(s.file("restored.db").exists());
}

#[test]
fn a_wrong_secret_with_a_session_token_leaks_nothing() {
    let Some(b) = s3::bucket() else { return };
    let good = env_of(&b);
    let key = value(&good, "AWS_ACCESS_KEY_ID");
    let mut env = replaced(&good, "AWS_SECRET_ACCESS_KEY", WRONG_SECRET);
    env.push(("AWS_SESSION_TOKEN", TOKEN));
    let s = scratch();
    let bucket_dir = b.dir.parent().unwrap().to_path_buf();
    let secrets = [
        key,
        WRONG_SECRET,
        TOKEN,
        "Wr0ngSecretSentinel",
        "SessionTokenSentinel",
    ];
    let stderr = run_failing(&s, &script(&b.url), &env, &secrets, &[&bucket_dir]);
    assert!(stderr.contains("Error: .snapshot: cannot"), "{stderr}");
}

#[test]
fn an_unreachable_endpoint_with_a_password_in_its_url_leaks_nothing() {
    let Some(b) = s3::bucket() else { return };
    let endpoint = format!("http://{URL_USER}:{URL_PASSWORD}@127.0.0.1:1");
    let env = replaced(&env_of(&b), "AWS_ENDPOINT", &endpoint);
    let s = scratch();
    let [key, secret] = credentials(&env);
    let secrets = [URL_USER, URL_PASSWORD, key, secret];
    let stderr = run_failing(&s, &script(&b.url), &env, &secrets, &[]);
    assert!(
        stderr.contains("127.0.0.1:1"),
        "the error should still say where: {stderr}"
    );
}

#[test]
fn a_missing_bucket_leaks_nothing() {
    let Some(b) = s3::bucket() else { return };
    let env = env_of(&b);
    let secrets = credentials(&env);
    let s = scratch();
    // s3s-fs makes a bucket on the first write, so only reading commands here.
    let script = reading_script("s3://no-such-bucket-here/repo");
    run_failing(&s, &script, &env, &secrets, &[]);
}

#[test]
fn credentials_in_an_s3_url_are_refused_without_being_quoted() {
    // No server needed: the URL is refused before any request.
    let s = scratch();
    for url in [
        format!("s3://{URL_USER}:{URL_PASSWORD}@bucket/repo"),
        format!("s3://{URL_USER}@bucket"),
    ] {
        let out = run_checked(&s, &script(&url), &[], &[URL_USER, URL_PASSWORD], &[]);
        assert_eq!(out.code, Some(1), "{}", show(&out.stdout));
        assert!(
            show(&out.stderr).contains(
                "Error: .snapshot: an s3:// URL cannot carry credentials: give them in \
                 AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ),
            "{}",
            show(&out.stderr)
        );
    }
}

/// How the stand-in server answers.
#[derive(Clone, Copy)]
enum Answer {
    /// An AWS-style `SignatureDoesNotMatch` document quoting the request.
    ErrorDocument,
    /// The request's head as plain text (an echo service behind the endpoint).
    Echo,
}

/// Starts a server on a free loopback port that answers every request with 403 and the
/// request itself; each request's head is also sent to the returned channel.
fn echo_server(answer: Answer) -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0u8; length];
            let _ = std::io::Read::read_exact(&mut reader, &mut body);
            let key = head
                .split("Credential=")
                .nth(1)
                .and_then(|r| r.split('/').next())
                .unwrap_or("");
            let text = match answer {
                Answer::ErrorDocument => format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>\
                     <Message>The request signature we calculated does not match the signature you provided.</Message>\
                     <AWSAccessKeyId>{key}</AWSAccessKeyId><StringToSign>{head}</StringToSign>\
                     <SignatureProvided>{head}</SignatureProvided><CanonicalRequest>{head}</CanonicalRequest>\
                     <RequestId>4442587FB7D0A2F9</RequestId></Error>"
                ),
                Answer::Echo => format!("you sent:\n{head}"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
            let _ = tx.send(head);
        }
    });
    (port, rx)
}

#[test]
fn a_server_echoing_the_request_gets_nothing_back_out() {
    for answer in [Answer::ErrorDocument, Answer::Echo] {
        let (port, requests) = echo_server(answer);
        let endpoint = format!("http://127.0.0.1:{port}");
        let env = [
            ("AWS_ACCESS_KEY_ID", "AKIAKEYIDSENTINEL"),
            ("AWS_SECRET_ACCESS_KEY", WRONG_SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT", endpoint.as_str()),
            ("AWS_ALLOW_HTTP", "true"),
        ];
        let s = scratch();
        let out = run_checked(
            &s,
            &script("s3://bucket/repo"),
            &env,
            &[
                "AKIAKEYIDSENTINEL",
                WRONG_SECRET,
                TOKEN,
                "SessionTokenSentinel",
            ],
            &[],
        );
        assert_eq!(out.code, Some(1), "{}", show(&out.stdout));
        let heads: Vec<String> = requests.try_iter().collect();
        assert!(!heads.is_empty(), "the server saw no request");
        // The signature of every request the server saw stays out of the output too.
        let stderr = show(&out.stderr);
        for h in &heads {
            let sig = h
                .split("Signature=")
                .nth(1)
                .map(|r| r.split_whitespace().next().unwrap_or(""))
                .unwrap_or("");
            assert!(sig.len() >= 16, "no signature in {h}");
            assert!(!stderr.contains(sig), "the signature shows:\n{stderr}");
            assert!(
                h.contains("AKIAKEYIDSENTINEL"),
                "the request did carry the key: {h}"
            );
        }
        assert!(
            stderr.contains("403 Forbidden"),
            "the error should still say what happened: {stderr}"
        );
        if matches!(answer, Answer::ErrorDocument) {
            assert!(stderr.contains("SignatureDoesNotMatch"), "{stderr}");
        }
    }
}
