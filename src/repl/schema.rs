//! A snapshot of the live schema for completion.

/// A snapshot of the live schema (placeholder until the loader lands).
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Attached schema names.
    pub schemas: Vec<String>,
}

impl Schema {
    /// Reads the schema.
    pub fn load(_conn: &rusqlite::Connection) -> Schema {
        Schema::default()
    }
}
