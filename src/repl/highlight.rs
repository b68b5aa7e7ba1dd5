//! Syntax highlighting of the line being edited.

/// Colours (placeholder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Theme {
    /// History hint.
    pub hint: String,
    /// Prompt.
    pub prompt: String,
    /// Error messages.
    pub error: String,
    /// NULL cells.
    pub null: String,
    /// Table headers.
    pub header: String,
}

impl Theme {
    /// Sets one colour.
    pub fn set(&mut self, _key: &str, _value: &str) -> Result<(), String> {
        Ok(())
    }
}

/// Highlights `line` (placeholder).
pub fn highlight(line: &str, _pos: usize, _theme: &Theme) -> String {
    line.to_string()
}

/// Whether a redraw is needed.
pub fn needs_redraw(_line: &str, _pos: usize) -> bool {
    false
}

/// Wraps text in one SGR colour.
pub fn paint(text: &str, sgr: &str) -> String {
    if sgr.is_empty() {
        return text.to_string();
    }
    format!("\x1b[{sgr}m{text}\x1b[0m")
}
