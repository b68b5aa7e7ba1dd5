//! A repository opened on a [`Store`]: its config, its snapshots, their drill records.

use super::manifest::{Config, Drill, Manifest, CONFIG_KEY};
use super::store::{self, Store};

/// An open repository.
pub struct Repo {
    store: Box<dyn Store>,
}

/// A snapshot with its last drill record.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The manifest.
    pub manifest: Manifest,
    /// The last restore test, if any ran.
    pub drill: Option<Drill>,
}

impl Repo {
    /// Opens the repository REPO names (a directory or `s3://bucket/prefix`).
    pub fn open(name: &str) -> Result<Repo, String> {
        Ok(Repo {
            store: store::open(name)?,
        })
    }

    /// A repository on an already opened store.
    pub fn on(store: Box<dyn Store>) -> Repo {
        Repo { store }
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// How the repository is named in messages.
    pub fn describe(&self) -> String {
        self.store.describe()
    }

    /// Checks the config record, writing it first if the repository is new.
    pub fn init(&self) -> Result<(), String> {
        let cfg = Config::current();
        let body = serde_json::to_vec_pretty(&cfg).map_err(|e| e.to_string())?;
        self.store.put_if_absent(CONFIG_KEY, &body)?;
        self.check()
    }

    /// Checks that this is a repository of a format this version reads.
    pub fn check(&self) -> Result<(), String> {
        let Some(b) = self.store.get(CONFIG_KEY)? else {
            return Err(format!(
                "{} is not a snapshot repository (no {CONFIG_KEY})",
                self.describe()
            ));
        };
        let cfg: Config = serde_json::from_slice(&b)
            .map_err(|e| format!("{}: unreadable {CONFIG_KEY}: {e}", self.describe()))?;
        let want = Config::current();
        if cfg.kind != want.kind || cfg.format != want.format {
            return Err(format!(
                "{}: repository format {} ({}) is not one this litesh reads ({})",
                self.describe(),
                cfg.format,
                cfg.kind,
                want.format
            ));
        }
        Ok(())
    }

    /// Every snapshot, oldest first. A manifest that cannot be read is an error naming it.
    pub fn snapshots(&self) -> Result<Vec<Manifest>, String> {
        self.check()?;
        let mut out = Vec::new();
        for key in self.store.list("snapshots/")? {
            if !key.ends_with(".json") {
                continue;
            }
            let Some(b) = self.store.get(&key)? else {
                continue; // pruned meanwhile
            };
            let m = Manifest::parse(&b).map_err(|e| format!("{key}: {e}"))?;
            out.push(m);
        }
        out.sort_by_key(|m| (m.unix_time, m.nanos, m.id.clone()));
        Ok(out)
    }

    /// Every snapshot with its drill record, oldest first.
    pub fn list(&self) -> Result<Vec<Listed>, String> {
        let mut out = Vec::new();
        for m in self.snapshots()? {
            let drill = self.drill(&m.id)?;
            out.push(Listed { manifest: m, drill });
        }
        Ok(out)
    }

    /// The last drill record of a snapshot.
    pub fn drill(&self, id: &str) -> Result<Option<Drill>, String> {
        match self.store.get(&Drill::key(id))? {
            None => Ok(None),
            // A record that does not parse counts as no record.
            Some(b) => Ok(serde_json::from_slice(&b).ok()),
        }
    }

    /// The snapshot an ID argument names: `latest`, an id, or a unique prefix of one.
    pub fn resolve(&self, spec: &str) -> Result<Manifest, String> {
        let all = self.snapshots()?;
        if spec == "latest" {
            return all
                .into_iter()
                .next_back()
                .ok_or_else(|| format!("{} has no snapshots", self.describe()));
        }
        let mut hits: Vec<Manifest> = all
            .into_iter()
            .filter(|m| !spec.is_empty() && m.id.starts_with(spec))
            .collect();
        match hits.len() {
            0 => Err(format!("no snapshot {spec} in {}", self.describe())),
            1 => Ok(hits.remove(0)),
            n => Err(format!("{spec} names {n} snapshots: give more digits")),
        }
    }
}
