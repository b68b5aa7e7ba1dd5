//! `.snapshot`: litesh's snapshot repository (see [`crate::backup::snapshot`]).
//!
//! ```text
//! .snapshot create REPO ?--tag T? ?--schema S? ?--keep-* N…? ?--drill? ?--every DURATION?
//! .snapshot list REPO ?--json?
//! .snapshot restore REPO ID|latest FILE
//! .snapshot verify REPO ?ID|latest|--all?
//! .snapshot prune REPO --keep-last N … --keep-within DURATION ?--dry-run?
//! ```
//!
//! Arguments are parsed with clap from the dot-command's tokens; `--help` anywhere prints
//! the usage to the shell's output. REPO is a directory or `s3://bucket/prefix` (AWS_*
//! environment variables). `create --every` runs in the foreground until SIGINT or SIGTERM,
//! which end it between steps.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use clap::{Args, ColorChoice, Parser, Subcommand};

use crate::backup::retention;
use crate::backup::snapshot::{
    self, CreateOptions, Listed, Manifest, Policy, Pruned, Repo, Verified,
};
use crate::shell::{DotResult, Failure, Flow, Shell, SEEN_INTERRUPT};

/// `.snapshot` and its subcommands.
#[derive(Parser, Debug)]
#[command(
    name = ".snapshot",
    about = "Incremental, verified snapshots of the open database",
    color = ColorChoice::Never,
    disable_version_flag = true
)]
pub struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Store a consistent point-in-time snapshot of the open database and print its id
    Create(CreateArgs),
    /// List the snapshots: id, time, tag, size, bytes newly stored, last drill
    List(ListArgs),
    /// Rebuild a snapshot's database at FILE (atomically, checked against its image hash)
    Restore(RestoreArgs),
    /// Restore-test snapshots into a scratch file, check them, and record the drill
    Verify(VerifyArgs),
    /// Delete the snapshots no --keep-* rule keeps, and the objects nothing uses any more
    Prune(PruneArgs),
}

#[derive(Args, Debug, Clone, Default)]
struct KeepArgs {
    /// Keep the newest N snapshots
    #[arg(long, value_name = "N")]
    keep_last: Option<u32>,
    /// Keep the newest snapshot of each of the last N hours that have one
    #[arg(long, value_name = "N")]
    keep_hourly: Option<u32>,
    /// Keep the newest snapshot of each of the last N days that have one
    #[arg(long, value_name = "N")]
    keep_daily: Option<u32>,
    /// Keep the newest snapshot of each of the last N weeks that have one
    #[arg(long, value_name = "N")]
    keep_weekly: Option<u32>,
    /// Keep the newest snapshot of each of the last N months that have one
    #[arg(long, value_name = "N")]
    keep_monthly: Option<u32>,
    /// Keep the newest snapshot of each of the last N years that have one
    #[arg(long, value_name = "N")]
    keep_yearly: Option<u32>,
    /// Keep every snapshot this close to the newest (e.g. 2d, 1y6m, 12h)
    #[arg(long, value_name = "DURATION")]
    keep_within: Option<String>,
}

impl KeepArgs {
    fn any(&self) -> bool {
        self.keep_last.is_some()
            || self.keep_hourly.is_some()
            || self.keep_daily.is_some()
            || self.keep_weekly.is_some()
            || self.keep_monthly.is_some()
            || self.keep_yearly.is_some()
            || self.keep_within.is_some()
    }

    fn policy(&self) -> Result<Policy, String> {
        Ok(Policy {
            last: self.keep_last.unwrap_or(0),
            hourly: self.keep_hourly.unwrap_or(0),
            daily: self.keep_daily.unwrap_or(0),
            weekly: self.keep_weekly.unwrap_or(0),
            monthly: self.keep_monthly.unwrap_or(0),
            yearly: self.keep_yearly.unwrap_or(0),
            within: self
                .keep_within
                .as_deref()
                .map(retention::parse_duration)
                .transpose()
                .map_err(|e| format!("--keep-within: {e}"))?,
        })
    }
}

#[derive(Args, Debug)]
struct CreateArgs {
    /// The repository: a directory or s3://bucket/prefix
    repo: String,
    /// A tag to record with the snapshot
    #[arg(long)]
    tag: Option<String>,
    /// The schema to snapshot
    #[arg(long, default_value = "main")]
    schema: String,
    /// Keep running: a snapshot every DURATION (e.g. 30s, 15m, 1h) until SIGINT or SIGTERM
    #[arg(long, value_name = "DURATION")]
    every: Option<String>,
    /// After the snapshot (each one, with --every), restore-test it and one random older one
    #[arg(long)]
    drill: bool,
    /// Prune with these rules after the snapshot (after each one, with --every)
    #[command(flatten)]
    keep: KeepArgs,
}

#[derive(Args, Debug)]
struct ListArgs {
    /// The repository
    repo: String,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct RestoreArgs {
    /// The repository
    repo: String,
    /// A snapshot id (or a unique prefix of one), or "latest"
    id: String,
    /// The database file to write
    file: PathBuf,
}

#[derive(Args, Debug)]
struct VerifyArgs {
    /// The repository
    repo: String,
    /// A snapshot id, a unique prefix, or "latest" (the default)
    #[arg(conflicts_with = "all")]
    id: Option<String>,
    /// Verify every snapshot
    #[arg(long)]
    all: bool,
}

#[derive(Args, Debug)]
struct PruneArgs {
    /// The repository
    repo: String,
    #[command(flatten)]
    keep: KeepArgs,
    /// Show what would be kept and removed; change nothing
    #[arg(long)]
    dry_run: bool,
}

/// `.snapshot SUBCOMMAND …`
pub fn snapshot(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let Some(cli) = super::clap_args::parse::<Cli>(shell, args)? else {
        return Ok(Flow::Continue); // --help
    };
    if let Some(f) = shell.fail_if_safe("cannot run .snapshot in safe mode") {
        return Ok(f);
    }
    match cli.cmd {
        Cmd::Create(a) => create(shell, a),
        Cmd::List(a) => list(shell, a),
        Cmd::Restore(a) => restore(shell, a),
        Cmd::Verify(a) => verify(shell, a),
        Cmd::Prune(a) => prune(shell, a),
    }
}

fn open_repo(name: &str) -> Result<Repo, Failure> {
    Repo::open(name).map_err(err)
}

fn err(e: String) -> Failure {
    Failure::msg(format!("Error: .snapshot: {e}"))
}

fn notice(m: &str) {
    eprintln!("{m}");
}

fn human(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

// ------------------------------------------------------------------------------ create

fn create_once(shell: &mut Shell, repo: &Repo, a: &CreateArgs) -> Result<Manifest, Failure> {
    let source = shell.db.display_name();
    let conn = shell.conn()?;
    let opts = CreateOptions {
        schema: a.schema.clone(),
        tag: a.tag.clone(),
        source,
    };
    snapshot::create(repo, conn, &opts, &mut notice).map_err(err)
}

fn create(shell: &mut Shell, a: CreateArgs) -> DotResult {
    let repo = open_repo(&a.repo)?;
    let policy = if a.keep.any() {
        Some(a.keep.policy().map_err(err)?)
    } else {
        None
    };
    let Some(every) = a.every.as_deref() else {
        // One snapshot, then (with --keep-*) the prune that goes with it: one cron line.
        every_step(shell, &repo, &a, policy.as_ref())?;
        return Ok(Flow::Continue);
    };
    let interval = retention::parse_duration(every).map_err(|e| err(format!("--every: {e}")))?;
    every_loop(shell, &repo, &a, interval, policy.as_ref())
}

/// SIGTERM for `--every`: while `active`, SIGTERM only sets `seen`; otherwise it does what
/// it always does (ends the process), so the shell's behaviour elsewhere is unchanged.
struct Term {
    inactive: Arc<AtomicBool>,
    seen: Arc<AtomicBool>,
}

fn term() -> Option<&'static Term> {
    static TERM: OnceLock<Option<Term>> = OnceLock::new();
    TERM.get_or_init(|| {
        let t = Term {
            inactive: Arc::new(AtomicBool::new(true)),
            seen: Arc::new(AtomicBool::new(false)),
        };
        use signal_hook::consts::SIGTERM;
        // Order matters: the default action runs first when inactive.
        signal_hook::flag::register_conditional_default(SIGTERM, t.inactive.clone()).ok()?;
        signal_hook::flag::register(SIGTERM, t.seen.clone()).ok()?;
        Some(t)
    })
    .as_ref()
}

/// While alive, SIGTERM and SIGINT end the `--every` loop instead of the process or the
/// running statement. SIGINT reaches no connection meanwhile: the caller publishes the
/// shell's connection again afterwards ([`Shell::publish_interrupt`]).
struct StopGuard {
    term: Option<&'static Term>,
}

impl StopGuard {
    fn new() -> Self {
        SEEN_INTERRUPT.store(0, Ordering::SeqCst);
        let term = term();
        if let Some(t) = term {
            t.seen.store(false, Ordering::SeqCst);
            t.inactive.store(false, Ordering::SeqCst);
        }
        // SIGINT lets the step in progress finish: the handler finds no statement to
        // interrupt.
        crate::exec::raw::publish_interrupt(None);
        StopGuard { term }
    }

    fn stop(&self) -> bool {
        SEEN_INTERRUPT.load(Ordering::SeqCst) > 0
            || self.term.is_some_and(|t| t.seen.load(Ordering::SeqCst))
    }
}

impl Drop for StopGuard {
    fn drop(&mut self) {
        if let Some(t) = self.term {
            t.inactive.store(true, Ordering::SeqCst);
        }
    }
}

fn every_loop(
    shell: &mut Shell,
    repo: &Repo,
    a: &CreateArgs,
    interval: Duration,
    policy: Option<&Policy>,
) -> DotResult {
    shell.ensure_open()?;
    let mut failed = false;
    let mut end = Ok(Flow::Continue);
    {
        let guard = StopGuard::new();
        let guard_stop = || guard.stop();
        loop {
            let started = Instant::now();
            let step = every_step(shell, repo, a, policy);
            if let Err(f) = step {
                failed = true;
                if let Flow::Exit(c) = shell.report(&f) {
                    end = Ok(Flow::Exit(c));
                    break;
                }
            }
            if let Err(e) = shell.out.flush() {
                end = Err(Failure::Io(e));
                break;
            }
            if guard_stop() {
                break;
            }
            let due = started + interval;
            while Instant::now() < due && !guard_stop() {
                std::thread::sleep(Duration::from_millis(50).min(due - Instant::now()));
            }
            if guard_stop() {
                break;
            }
        }
    }
    // Ctrl-C goes to the shell's connection again.
    shell.publish_interrupt();
    if failed && matches!(end, Ok(Flow::Continue)) {
        return Err(Failure::Reported);
    }
    end
}

fn every_step(
    shell: &mut Shell,
    repo: &Repo,
    a: &CreateArgs,
    policy: Option<&Policy>,
) -> Result<(), Failure> {
    let m = create_once(shell, repo, a)?;
    writeln!(shell.out, "{}", m.id)?;
    shell.out.flush()?;
    // Drill first, so that the prune after it protects the new snapshot once it passed.
    let mut drilled = Ok(());
    if a.drill {
        let all = repo.snapshots().map_err(err)?;
        let mut targets = vec![m.clone()];
        let older: Vec<&Manifest> = all.iter().filter(|s| s.id != m.id).collect();
        if !older.is_empty() {
            let r = blake3::hash(m.id.as_bytes()).as_bytes()[0] as usize;
            targets.push(older[r % older.len()].clone());
        }
        let results: Vec<Verified> = targets.iter().map(|t| snapshot::verify(repo, t)).collect();
        // A failed drill is reported, and prune still runs: it never removes the newest
        // snapshot whose drill passed.
        drilled = report_verified(shell, &results);
    }
    if let Some(p) = policy {
        let pruned = snapshot::prune(repo, p, false, &mut notice).map_err(err)?;
        print_pruned(shell, &pruned)?;
    }
    drilled
}

// ------------------------------------------------------------------------------ list

fn list(shell: &mut Shell, a: ListArgs) -> DotResult {
    let repo = open_repo(&a.repo)?;
    let all = repo.list().map_err(err)?;
    if a.json {
        let v: Vec<serde_json::Value> = all.iter().map(listed_json).collect();
        let text = serde_json::to_string_pretty(&v).map_err(|e| err(e.to_string()))?;
        writeln!(shell.out, "{text}")?;
        return Ok(Flow::Continue);
    }
    let mut rows = vec![[
        "ID".to_string(),
        "TIME".into(),
        "TAG".into(),
        "SIZE".into(),
        "STORED".into(),
        "DRILL".into(),
    ]];
    for l in &all {
        let m = &l.manifest;
        let drill = match &l.drill {
            None => "-".to_string(),
            Some(d) => format!("{} {}", if d.ok { "ok" } else { "FAILED" }, d.time),
        };
        rows.push([
            m.id.clone(),
            m.time.clone(),
            m.tag.clone().unwrap_or_else(|| "-".into()),
            human(m.db_size),
            human(m.added_bytes),
            drill,
        ]);
    }
    let mut w = [0usize; 6];
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    for r in &rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i == 5 {
                line.push_str(c);
            } else {
                let pad = w[i] - c.chars().count();
                if i == 3 || i == 4 {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(c);
                } else {
                    line.push_str(c);
                    line.push_str(&" ".repeat(pad));
                }
                line.push_str("  ");
            }
        }
        writeln!(shell.out, "{}", line.trim_end())?;
    }
    Ok(Flow::Continue)
}

fn listed_json(l: &Listed) -> serde_json::Value {
    let m = &l.manifest;
    serde_json::json!({
        "id": m.id,
        "time": m.time,
        "unix_time": m.unix_time,
        "tag": m.tag,
        "schema": m.schema,
        "source": m.source,
        "page_size": m.page_size,
        "page_count": m.page_count,
        "db_size": m.db_size,
        "chunks": m.chunks.len(),
        "new_chunks": m.new_chunks,
        "added_bytes": m.added_bytes,
        "image_hash": m.image_hash,
        "drill": l.drill.as_ref().map(|d| serde_json::json!({
            "time": d.time,
            "ok": d.ok,
            "problems": d.problems,
        })),
    })
}

// ------------------------------------------------------------------------------ restore

/// The files of the databases the shell has open (without opening one for this).
fn open_files(shell: &Shell) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(conn) = shell.db.conn.as_ref() {
        if let Ok(mut st) = conn.prepare("PRAGMA database_list") {
            if let Ok(rows) = st.query_map([], |r| r.get::<_, String>(2)) {
                out.extend(rows.flatten().filter(|f| !f.is_empty()).map(PathBuf::from));
            }
        }
    } else if let Some(f) = shell.db.filename.as_ref() {
        out.push(PathBuf::from(f));
    }
    out
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

fn restore(shell: &mut Shell, a: RestoreArgs) -> DotResult {
    if open_files(shell).iter().any(|f| same_file(f, &a.file)) {
        return Err(err(format!(
            "{} is the database this shell has open; restore to another file",
            a.file.display()
        )));
    }
    let repo = open_repo(&a.repo)?;
    let m = repo.resolve(&a.id).map_err(err)?;
    snapshot::restore(&repo, &m, &a.file).map_err(err)?;
    writeln!(
        shell.out,
        "restored snapshot {} ({}, {}) to {}",
        m.id,
        m.time,
        human(m.db_size),
        a.file.display()
    )?;
    Ok(Flow::Continue)
}

// ------------------------------------------------------------------------------ verify

fn report_verified(shell: &mut Shell, results: &[Verified]) -> Result<(), Failure> {
    let mut bad = Vec::new();
    for v in results {
        if v.problems.is_empty() {
            writeln!(shell.out, "{} ok", v.id)?;
        } else {
            writeln!(shell.out, "{} FAILED", v.id)?;
            for p in &v.problems {
                bad.push(format!("Error: .snapshot verify: snapshot {}: {p}", v.id));
            }
        }
        if let Some(e) = &v.record_error {
            bad.push(format!("Error: .snapshot verify: {e}"));
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        shell.out.flush()?;
        Err(Failure::msg(bad.join("\n")))
    }
}

fn verify(shell: &mut Shell, a: VerifyArgs) -> DotResult {
    let repo = open_repo(&a.repo)?;
    let targets = if a.all {
        let all = repo.snapshots().map_err(err)?;
        if all.is_empty() {
            return Err(err(format!("{} has no snapshots", repo.describe())));
        }
        all
    } else {
        vec![repo
            .resolve(a.id.as_deref().unwrap_or("latest"))
            .map_err(err)?]
    };
    let mut results = Vec::new();
    for m in &targets {
        let v = snapshot::verify(&repo, m);
        results.push(v);
    }
    report_verified(shell, &results)?;
    Ok(Flow::Continue)
}

// ------------------------------------------------------------------------------ prune

fn print_pruned(shell: &mut Shell, p: &Pruned) -> Result<(), Failure> {
    let mut removed = 0;
    for f in &p.fates {
        let m = &f.manifest;
        if f.keep {
            writeln!(
                shell.out,
                "keep    {}  {}  ({})",
                m.id,
                m.time,
                f.reasons.join(", ")
            )?;
        } else {
            removed += 1;
            let verb = if p.dry_run { "would remove" } else { "remove" };
            writeln!(shell.out, "{verb}  {}  {}", m.id, m.time)?;
        }
    }
    let verb = if p.dry_run { "would remove" } else { "removed" };
    writeln!(
        shell.out,
        "{verb} {removed} snapshot(s) and {} unused object(s); {} object(s) in use",
        p.objects_removed, p.objects_kept
    )?;
    Ok(())
}

fn prune(shell: &mut Shell, a: PruneArgs) -> DotResult {
    if !a.keep.any() {
        return Err(err(
            "prune needs at least one --keep-* rule (it would remove every snapshot)".into(),
        ));
    }
    let policy = a.keep.policy().map_err(err)?;
    let repo = open_repo(&a.repo)?;
    let p = snapshot::prune(&repo, &policy, a.dry_run, &mut notice).map_err(err)?;
    print_pruned(shell, &p)?;
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn arguments_parse() {
        let p = |s: &str| Cli::try_parse_from(std::iter::once(".snapshot").chain(s.split(' ')));
        assert!(matches!(p("create r --tag x").unwrap().cmd, Cmd::Create(_)));
        assert!(p("verify r abc --all").is_err());
        assert!(p("create r --drill --keep-last 2").is_ok());
        assert!(p("create r --keep-last x").is_err());
        assert!(p("bogus").is_err());
        let e = p("restore r").unwrap_err().render().to_string();
        assert!(e.contains("FILE"), "{e}");
    }
}
