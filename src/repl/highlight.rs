//! Syntax highlighting of the line being edited.
