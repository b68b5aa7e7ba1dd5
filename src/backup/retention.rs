//! Which snapshots a `--keep-*` policy keeps (restic's rules).
