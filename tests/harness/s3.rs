//! A real S3-compatible server for the snapshot tests: `s3s-fs`, one per test process, on a
//! free loopback port with a temporary root directory. Each test gets its own bucket (a
//! sub-directory of the root) and the `AWS_*` variables to hand to the litesh child.
//!
//! `.ci/run` starts one server itself and names it in `LITESH_S3_PORT` and `LITESH_S3_ROOT`
//! (its keys are the ones below); the tests then use that one. Otherwise they start their own.
//! Without `s3s-fs` (on PATH or in ~/.cargo/bin) the S3 cases are skipped with a loud
//! warning, and fail under CI (`CI=true`). The server is started through `sh`, which kills
//! it (and removes its root directory) when this process's end of its stdin pipe closes, so
//! no server and no bucket outlives the tests.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Access key and secret the server is started with.
const KEY: &str = "litesh-test-key";
const SECRET: &str = "litesh-test-secret";

struct Server {
    port: u16,
    root: PathBuf,
    // Held for the life of the process: dropping the pipe stops a server started here.
    _guard: Option<Mutex<(Child, ChildStdin)>>,
}

/// One test's bucket.
pub struct Bucket {
    /// The repository URL to give litesh (`s3://bucket/repo`).
    pub url: String,
    /// Where the server keeps this bucket's objects (for tests that damage them).
    pub dir: PathBuf,
    /// The environment litesh needs to reach the server.
    pub env: Vec<(String, String)>,
}

fn find_binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("s3s-fs"))
            .find(|f| f.is_file())
    });
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    on_path.or_else(|| {
        let f = cargo_home?.join("bin/s3s-fs");
        f.is_file().then_some(f)
    })
}

/// The server `.ci/run` started, if it named one.
fn given() -> Option<Server> {
    let port = std::env::var("LITESH_S3_PORT").ok()?.parse().ok()?;
    let root = PathBuf::from(std::env::var_os("LITESH_S3_ROOT")?);
    TcpStream::connect(("127.0.0.1", port)).ok()?;
    Some(Server {
        port,
        root,
        _guard: None,
    })
}

fn start() -> Option<Server> {
    if let Some(s) = given() {
        return Some(s);
    }
    let Some(bin) = find_binary() else {
        eprintln!(
            "\n!!!!! s3s-fs is missing: the S3 snapshot tests CANNOT RUN. Install it with \
             `cargo install s3s-fs --version 0.14.1 --features binary`. !!!!!\n"
        );
        return None;
    };
    let root = tempfile::tempdir().expect("s3 root");
    let port = free_port();
    // The server lives in a static, which is never dropped: the `sh` that stops it when this
    // process ends removes the root too (a TempDir would stay behind, with every bucket).
    let root = root.keep();
    let (child, stdin) = spawn(&bin, &root, port, true);
    Some(Server {
        port,
        root,
        _guard: Some(Mutex::new((child, stdin))),
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Starts `s3s-fs` on `port` with `root` through `sh`, which stops it (and waits for it)
/// when the returned stdin pipe closes; returns once the port accepts connections.
/// With `remove_root`, it also removes `root` then.
fn spawn(bin: &Path, root: &Path, port: u16, remove_root: bool) -> (Child, ChildStdin) {
    let script = if remove_root {
        r#""$0" "$@" </dev/null >>"$LITESH_S3_LOG" 2>&1 & p=$!; read _ignored; kill $p; wait $p; rm -rf "$LITESH_S3_ROOT_TO_REMOVE""#
    } else {
        r#""$0" "$@" </dev/null >>"$LITESH_S3_LOG" 2>&1 & p=$!; read _ignored; kill $p; wait $p"#
    };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--access-key", KEY, "--secret-key", SECRET])
        .arg(root)
        .env("LITESH_S3_LOG", root.join("server.log"))
        .env("LITESH_S3_ROOT_TO_REMOVE", root)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start s3s-fs");
    let stdin = child.stdin.take().expect("pipe");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            let mut log = String::new();
            let _ = std::fs::File::open(root.join("server.log"))
                .and_then(|mut f| f.read_to_string(&mut log));
            panic!("s3s-fs did not start on port {port}: {log}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, stdin)
}

/// A server of one test's own, which the test can stop and start again (same port, same
/// objects): for a server that goes away in the middle of a snapshot.
pub struct OwnServer {
    bin: PathBuf,
    root: tempfile::TempDir,
    /// Its port.
    pub port: u16,
    running: Option<(Child, ChildStdin)>,
}

impl OwnServer {
    /// Starts one, or `None` (skip) when there is no s3s-fs outside CI.
    pub fn start() -> Option<OwnServer> {
        let Some(bin) = find_binary() else {
            assert!(
                !crate::harness::in_ci(),
                "s3s-fs is required for the S3 fault tests (CI=true)"
            );
            eprintln!("\n!!!!! s3s-fs is missing: the S3 fault tests CANNOT RUN. !!!!!\n");
            return None;
        };
        let root = tempfile::tempdir().expect("s3 root");
        let port = free_port();
        let running = Some(spawn(&bin, root.path(), port, false));
        Some(OwnServer {
            bin,
            root,
            port,
            running,
        })
    }

    /// A new bucket on it.
    pub fn bucket(&self, name: &str) -> Bucket {
        let dir = self.root.path().join(name);
        std::fs::create_dir(&dir).expect("bucket directory");
        Bucket {
            url: format!("s3://{name}/repo"),
            dir: dir.join("repo"),
            env: env_for(self.port),
        }
    }

    /// Stops the server (its process is gone when this returns).
    pub fn stop(&mut self) {
        if let Some((mut child, stdin)) = self.running.take() {
            drop(stdin);
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port with the same objects.
    pub fn restart(&mut self) {
        self.stop();
        self.running = Some(spawn(&self.bin, self.root.path(), self.port, false));
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn env_for(port: u16) -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", KEY.to_string()),
        ("AWS_SECRET_ACCESS_KEY", SECRET.to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ENDPOINT", format!("http://127.0.0.1:{port}")),
        ("AWS_ALLOW_HTTP", "true".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The port of the shared test server (for a proxy in front of it), or `None` as for
/// [`bucket`].
pub fn shared_port() -> Option<u16> {
    match server() {
        Some(s) => Some(s.port),
        None => {
            assert!(
                !crate::harness::in_ci(),
                "s3s-fs is required for the S3 snapshot tests (CI=true)"
            );
            None
        }
    }
}

fn server() -> Option<&'static Server> {
    static SERVER: OnceLock<Option<Server>> = OnceLock::new();
    SERVER.get_or_init(start).as_ref()
}

/// A new bucket on the test server, or `None` (skip) when there is no s3s-fs outside CI.
pub fn bucket() -> Option<Bucket> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let Some(s) = server() else {
        if crate::harness::in_ci() {
            panic!("s3s-fs is required for the S3 snapshot tests (CI=true)");
        }
        return None;
    };
    // Unique across test processes too: a server started by .ci/run outlives each of them.
    let name = format!(
        "bucket-{}-{:04}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let dir = s.root.join(&name);
    std::fs::create_dir(&dir).expect("bucket directory");
    let env = env_for(s.port);
    Some(Bucket {
        url: format!("s3://{name}/repo"),
        dir: dir.join("repo"),
        env,
    })
}
