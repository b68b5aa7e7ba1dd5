//! Context-aware completion (names from a schema snapshot, dot-commands, paths).
