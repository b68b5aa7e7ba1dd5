//! The interactive shell: rustyline as one more line source for the same splitter.
//!
//! Only the terminal uses it (stdin a terminal, not `-batch`). The editor's helper
//! completes ([`complete`], over a [`schema`] snapshot), highlights ([`highlight`]), hints and
//! validates; statement completeness stays in `split/`.

pub mod complete;
pub mod highlight;
pub mod schema;
