//! Fault injection for the reliability tests (`tests/diff/faults_*.rs`):
//!
//! - [`SmallFs`]: a tmpfs of a few MB (or a read-only one) mounted in a private mount
//!   namespace that a holder process (`unshare -m`) keeps alive. Programs run inside it with
//!   `nsenter`; the test reads its files through `/proc/PID/root`. The mount exists only in
//!   that namespace and disappears with the holder: when the [`SmallFs`] is dropped (also on
//!   a failing assertion) and when the test process dies (the holder reads its stdin pipe).
//! - [`FaultProxy`]: a TCP proxy between litesh and the real `s3s-fs` server that forwards
//!   each HTTP request and, on command, answers `500`/`503`, resets the connection or stalls.
//! - [`kill_points`]: how many `kill -9` points a kill loop tries (`LITESH_KILL_POINTS`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many kill points a kill loop tries: `LITESH_KILL_POINTS` when set, else `default`.
pub fn kill_points(default: usize) -> usize {
    std::env::var("LITESH_KILL_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small file system mounted at `dir` in a private mount namespace.
pub struct SmallFs {
    holder: Child,
    stdin: Option<ChildStdin>,
    /// Where it is mounted (inside the namespace).
    pub dir: PathBuf,
}

impl SmallFs {
    /// Mounts a tmpfs with these mount options (`size=2m`, `ro,size=64k`, …) at `dir`,
    /// copying `seed` files (absolute paths) into it first when given, then applying
    /// `after` (e.g. `remount,ro`). `None` means the machine does not allow it (not root, no
    /// `unshare`): the caller skips, except under CI, where this fails the test.
    pub fn mount(
        dir: &Path,
        options: &str,
        seed: &[&Path],
        after: Option<&str>,
    ) -> Option<SmallFs> {
        let mut script = String::from("mkdir -p \"$0\" && mount -t tmpfs -o \"$1\" tmpfs \"$0\"");
        for s in seed {
            script.push_str(&format!(" && cp -p '{}' \"$0\"/", s.display()));
        }
        if let Some(a) = after {
            script.push_str(&format!(" && mount -o '{a}' \"$0\""));
        }
        // The holder stays until its stdin closes; then the namespace and its mount go. Its
        // working directory (the mount's parent, seen inside the namespace) is the one that
        // `command` gives the programs it runs.
        script.push_str(" && cd \"$(dirname \"$0\")\" && echo mounted && read _ignored");
        let spawned = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", &script])
            .arg(dir)
            .arg(options)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut holder = match spawned {
            Ok(c) => c,
            Err(e) => return skip(&format!("cannot run unshare: {e}")),
        };
        let stdin = holder.stdin.take();
        let mut line = String::new();
        let _ = BufReader::new(holder.stdout.take().expect("pipe")).read_line(&mut line);
        if line.trim() != "mounted" {
            drop(stdin);
            let mut why = String::new();
            if let Some(mut e) = holder.stderr.take() {
                let _ = e.read_to_string(&mut why);
            }
            let _ = holder.wait();
            return skip(&format!(
                "mount -t tmpfs in a private namespace failed: {why}"
            ));
        }
        Some(SmallFs {
            holder,
            stdin,
            dir: dir.to_path_buf(),
        })
    }

    /// A command that runs `program` inside the namespace (`nsenter -t PID -m -w`), in the
    /// mount's parent directory (a working directory set from outside would not see the
    /// mount under relative names).
    pub fn command(&self, program: &Path) -> Command {
        let mut c = Command::new("nsenter");
        c.arg("-t")
            .arg(self.holder.id().to_string())
            .args(["-m", "-w", "--"])
            .arg(program);
        c
    }

    /// The path under which this process sees `path` (inside the namespace).
    pub fn outside(&self, path: &Path) -> PathBuf {
        let rel = path.strip_prefix("/").unwrap_or(path);
        Path::new(&format!("/proc/{}/root", self.holder.id())).join(rel)
    }

    /// The same for a name inside the mounted directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.outside(&self.dir.join(name))
    }

    /// Changes mount options (`remount,size=8m`, `remount,ro`).
    pub fn remount(&self, options: &str) {
        let st = self
            .command(Path::new("mount"))
            .args(["-o", options])
            .arg(&self.dir)
            .status()
            .expect("mount");
        assert!(st.success(), "mount -o {options} failed");
    }

    /// The names in the mounted directory, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.file(""))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = self
            .command(Path::new("umount"))
            .arg("-l")
            .arg(&self.dir)
            .stderr(Stdio::null())
            .status();
        drop(self.stdin.take());
        let _ = self.holder.wait();
    }
}

fn skip<T>(why: &str) -> Option<T> {
    // CI runs as root, where a tmpfs in a private namespace works: it must not skip.
    assert!(
        !crate::harness::in_ci(),
        "a tmpfs mount in a private namespace is required here (CI=true): {why}"
    );
    eprintln!("\n!!!!! cannot mount a small file system here, SKIPPED: {why} !!!!!\n");
    None
}

/// What the proxy does to a request it faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answers with this HTTP status (500, 503, …) and an S3 error body.
    Status(u16),
    /// Resets the connection (RST) without answering.
    Reset,
    /// Reads the request and never answers (until the proxy is dropped).
    Stall,
}

#[derive(Debug, Clone, Copy)]
struct Plan {
    /// Requests still to forward before faulting.
    pass: usize,
    /// The fault, if any.
    fault: Option<Fault>,
    /// How many requests to fault (then forward again).
    times: usize,
}

struct ProxyState {
    plan: Mutex<Plan>,
    stop: AtomicBool,
    requests: AtomicUsize,
    faulted: AtomicUsize,
}

/// A fault-injecting HTTP proxy on a loopback port in front of `upstream` (the real S3
/// server). Each client connection carries one request (`Connection: close` is set both
/// ways), so requests can be counted and faulted one by one.
pub struct FaultProxy {
    /// The port litesh talks to.
    pub port: u16,
    state: Arc<ProxyState>,
}

impl FaultProxy {
    /// Starts forwarding everything to `127.0.0.1:upstream`.
    pub fn start(upstream: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let state = Arc::new(ProxyState {
            plan: Mutex::new(Plan {
                pass: 0,
                fault: None,
                times: 0,
            }),
            stop: AtomicBool::new(false),
            requests: AtomicUsize::new(0),
            faulted: AtomicUsize::new(0),
        });
        let st = state.clone();
        std::thread::spawn(move || {
            while !st.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let st = st.clone();
                        std::thread::spawn(move || serve(conn, upstream, &st));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FaultProxy { port, state }
    }

    /// Forwards the next `pass` requests, then applies `fault` to `times` requests
    /// (`usize::MAX`: until [`heal`](Self::heal)), then forwards again.
    pub fn after(&self, pass: usize, fault: Fault, times: usize) {
        *self.state.plan.lock().unwrap() = Plan {
            pass,
            fault: Some(fault),
            times,
        };
    }

    /// Forwards everything from now on.
    pub fn heal(&self) {
        self.state.plan.lock().unwrap().fault = None;
    }

    /// Requests seen so far.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// Requests faulted so far.
    pub fn faulted(&self) -> usize {
        self.state.faulted.load(Ordering::SeqCst)
    }

    /// The `AWS_*` environment of `env` with the endpoint pointing at this proxy.
    pub fn env(&self, env: &[(String, String)]) -> Vec<(String, String)> {
        env.iter()
            .map(|(k, v)| {
                if k == "AWS_ENDPOINT" {
                    (k.clone(), format!("http://127.0.0.1:{}", self.port))
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
    }
}

/// What to do with the next request.
fn decide(st: &ProxyState) -> Option<Fault> {
    st.requests.fetch_add(1, Ordering::SeqCst);
    let mut p = st.plan.lock().unwrap();
    let fault = p.fault?;
    if p.pass > 0 {
        p.pass -= 1;
        return None;
    }
    if p.times == 0 {
        return None;
    }
    if p.times != usize::MAX {
        p.times -= 1;
    }
    st.faulted.fetch_add(1, Ordering::SeqCst);
    Some(fault)
}

/// Reads one HTTP request (head and `Content-Length` body); `None` when the client closed.
fn read_request(conn: &mut TcpStream, st: &ProxyState) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match conn.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) && !st.stop.load(Ordering::SeqCst) => continue,
            Err(_) => return None,
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buf.split_off(head_end);
    while body.len() < len {
        match conn.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) && !st.stop.load(Ordering::SeqCst) => continue,
            Err(_) => return None,
        }
    }
    // The same head with `Connection: close`, so that each connection carries one request.
    let mut out = Vec::new();
    for line in head.trim_end().split("\r\n") {
        if line
            .split_once(':')
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("connection"))
        {
            continue;
        }
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    Some((out, body))
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

fn serve(mut conn: TcpStream, upstream: u16, st: &ProxyState) {
    let _ = conn.set_nonblocking(false);
    let _ = conn.set_read_timeout(Some(Duration::from_millis(200)));
    let Some((head, body)) = read_request(&mut conn, st) else {
        return;
    };
    match decide(st) {
        None => {}
        Some(Fault::Status(code)) => {
            let reason = if code == 503 {
                "Service Unavailable"
            } else {
                "Internal Server Error"
            };
            let xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code>\
                 <Message>injected by the test proxy</Message></Error>",
                if code == 503 {
                    "SlowDown"
                } else {
                    "InternalError"
                }
            );
            let _ = write!(
                conn,
                "HTTP/1.1 {code} {reason}\r\nContent-Type: application/xml\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                xml.len()
            );
            let _ = conn.shutdown(Shutdown::Both);
            return;
        }
        Some(Fault::Reset) => {
            let _ = socket2::SockRef::from(&conn).set_linger(Some(Duration::ZERO));
            return; // dropping with linger 0 sends RST
        }
        Some(Fault::Stall) => {
            // Hold the connection, answering nothing, until the client gives up or the
            // proxy goes (at most two minutes: no thread outlives a test for long).
            let until = Instant::now() + Duration::from_secs(120);
            let mut b = [0u8; 1024];
            while !st.stop.load(Ordering::SeqCst) && Instant::now() < until {
                match conn.read(&mut b) {
                    Ok(0) => return,
                    Ok(_) => {}
                    Err(e) if is_timeout(&e) => {}
                    Err(_) => return,
                }
            }
            return;
        }
    }
    let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)) else {
        let _ = socket2::SockRef::from(&conn).set_linger(Some(Duration::ZERO));
        return;
    };
    if up
        .write_all(&head)
        .and_then(|()| up.write_all(&body))
        .is_err()
    {
        return;
    }
    let _ = up.set_read_timeout(Some(Duration::from_secs(60)));
    let _ = std::io::copy(&mut up, &mut conn);
    let _ = conn.shutdown(Shutdown::Both);
}
