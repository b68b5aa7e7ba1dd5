//! Context-aware completion (names from a schema snapshot, dot-commands, paths).

use super::schema::Schema;

/// One completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Shown in the list.
    pub display: String,
    /// Inserted.
    pub replacement: String,
}

/// Completes at `pos` of `text` (placeholder).
pub fn complete(_text: &str, pos: usize, _schema: &Schema) -> (usize, Vec<Candidate>) {
    (pos, Vec::new())
}
