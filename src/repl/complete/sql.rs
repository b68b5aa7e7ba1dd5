//! SQL completion: what the word at the cursor may be, judged from the tokens of the
//! statement before it, and the names, functions and keywords that fit there.
//!
//! The rules, by the token before the word:
//!
//! * `FROM`, `JOIN` (any form), `INTO`, `UPDATE` (also `UPDATE OR REPLACE`), `TABLE`,
//!   `VIEW`, `REFERENCES`, `IF [NOT] EXISTS`, a comma in a `FROM` clause, and the `ON` of
//!   `CREATE INDEX`/`CREATE TRIGGER`: table and view names, then attached schema names
//!   written `name.`;
//! * `name.`: that schema's tables where a table goes; elsewhere the columns of the table
//!   (or alias) `name` and, if `name` is a schema, its tables; `schema.table.`: its columns;
//! * the `(` after a table name (`INSERT INTO t (`, `CREATE INDEX i ON t (`,
//!   `REFERENCES t (`) and commas inside it: that table's columns;
//! * where an expression may start (`SELECT`, `WHERE`, `ON`, `SET`, `BY`, `HAVING`,
//!   `AND`, `OR`, `NOT`, `CASE`/`WHEN`/`THEN`/`ELSE`, `RETURNING`, operators, `(` and
//!   commas elsewhere): columns of the tables the statement names before the cursor (all
//!   tables' when it names none that exist yet), then those tables' aliases or names, then
//!   function names written `name(`, then keywords;
//! * `DETACH [DATABASE]`: schema names.
//!
//! Keywords (and functions) are only offered once something has been typed, and never
//! inside a quoted name. Nothing is offered inside a string literal or a comment, nor
//! right after a literal or a closed quoted name.

use super::lex::{lex, unquote, Kind};
use super::names::{has_prefix, is_ident_shaped, matching, typed_case, Collector, Opening};
use super::Candidate;
use crate::repl::keywords::{is_keyword, KEYWORDS};
use crate::repl::schema::{Schema, Table};

/// A significant token of the statement.
#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    kind: Kind,
    text: &'a str,
}

impl Tok<'_> {
    /// The keyword `kw` (given in upper case).
    fn is_kw(&self, kw: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    /// One of the keywords `kws`.
    fn is_any(&self, kws: &[&str]) -> bool {
        kws.iter().any(|k| self.is_kw(k))
    }

    /// The punctuation mark `p`.
    fn is_punct(&self, p: &str) -> bool {
        self.kind == Kind::Punct && self.text == p
    }

    /// The name this token spells, keywords included (`temp.t`): a word or closed quoted name.
    fn any_name(&self) -> Option<String> {
        match self.kind {
            Kind::Word => Some(self.text.to_string()),
            Kind::Quoted { closed: true, .. } => Some(unquote(self.text)),
            _ => None,
        }
    }

    /// The name this token spells, when it is not a keyword.
    fn name(&self) -> Option<String> {
        if self.kind == Kind::Word && is_keyword(self.text) {
            return None;
        }
        self.any_name()
    }
}

/// The clause a token sits in, as far as commas are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clause {
    /// A `FROM` clause: a comma there is followed by a table.
    Tables,
    /// A clause of expressions.
    Expr,
    /// Inside the parenthesis opened at this index, before any clause keyword.
    Paren(usize),
    /// Anything else.
    Other,
}

/// Where the word sits.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ctx {
    /// A table or view name; the keywords that may also come there.
    Tables(&'static [&'static str]),
    /// A table of this schema.
    SchemaTables(String),
    /// After `[schema.]name.` outside a table slot.
    Qualified(Option<String>, String),
    /// A column of this table (`[schema.]name`).
    ColumnsOf(Option<String>, String),
    /// A column of the statement's tables.
    Columns,
    /// An expression.
    Expr,
    /// A schema name.
    Schemas,
    /// Anywhere else.
    Other,
}

/// A table named in the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ref {
    schema: Option<String>,
    name: String,
    alias: Option<String>,
}

/// The statement before the word: its significant tokens and the clause of each.
struct Stmt<'a> {
    toks: Vec<Tok<'a>>,
    clause: Vec<Clause>,
}

/// Keywords after which a comma-free expression may start.
const EXPR_KW: &[&str] = &[
    "SELECT",
    "DISTINCT",
    "ALL",
    "WHERE",
    "ON",
    "SET",
    "BY",
    "HAVING",
    "AND",
    "OR",
    "NOT",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "BETWEEN",
    "LIKE",
    "GLOB",
    "REGEXP",
    "MATCH",
    "IS",
    "RETURNING",
];

/// Operators after which an operand comes.
const OPERATORS: &[&str] = &[
    "=", "==", "!=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "||", "&", "|", "<<",
    ">>", "~", "->", "->>",
];

/// Completes the SQL text `src` at its end. Returns the replaced word's start.
pub(super) fn complete_sql(src: &str, schema: &Schema) -> (usize, Vec<Candidate>) {
    let end = src.len();
    let tokens = lex(src);
    let (before, text, opening, start) = match tokens.split_last() {
        None => (&tokens[..], String::new(), Opening::Bare, end),
        Some((last, rest)) => match last.kind {
            Kind::Quoted {
                open,
                closed: false,
            } => (
                rest,
                unquote(last.text(src)),
                Opening::Quote(open),
                last.start + 1,
            ),
            Kind::Word => (rest, last.text(src).to_string(), Opening::Bare, last.start),
            Kind::Space
            | Kind::Punct
            | Kind::LineComment { closed: true }
            | Kind::BlockComment { closed: true } => {
                (&tokens[..], String::new(), Opening::Bare, end)
            }
            // In a string or comment, or glued to a literal or a closed quoted name.
            _ => return (end, Vec::new()),
        },
    };
    let toks: Vec<Tok> = before
        .iter()
        .filter(|t| !t.is_trivia())
        .map(|t| Tok {
            kind: t.kind,
            text: t.text(src),
        })
        .collect();
    let from = toks
        .iter()
        .rposition(|t| t.is_punct(";"))
        .map_or(0, |i| i + 1);
    let stmt = Stmt::new(toks[from..].to_vec());
    let ctx = stmt.context();
    (start, candidates(&stmt, &ctx, &text, opening, schema))
}

impl<'a> Stmt<'a> {
    fn new(toks: Vec<Tok<'a>>) -> Self {
        let mut clause = Vec::with_capacity(toks.len());
        let mut stack = vec![Clause::Other];
        for (i, t) in toks.iter().enumerate() {
            clause.push(*stack.last().unwrap_or(&Clause::Other));
            if t.is_punct("(") {
                stack.push(Clause::Paren(i));
            } else if t.is_punct(")") {
                if stack.len() > 1 {
                    stack.pop();
                }
            } else if let Some(c) = Self::clause_keyword(&toks, i) {
                if let Some(top) = stack.last_mut() {
                    *top = c;
                }
            }
        }
        Stmt { toks, clause }
    }

    /// The clause token `i` opens, if it is a clause keyword.
    fn clause_keyword(toks: &[Tok], i: usize) -> Option<Clause> {
        let t = toks[i];
        if (t.is_kw("FROM") && !Self::is_distinct_from(toks, i)) || t.is_kw("JOIN") {
            Some(Clause::Tables)
        } else if t.is_any(&[
            "SELECT",
            "WHERE",
            "BY",
            "HAVING",
            "SET",
            "VALUES",
            "ON",
            "RETURNING",
            "USING",
            "LIMIT",
        ]) {
            Some(Clause::Expr)
        } else if t.is_any(&["WITH", "INTO", "UPDATE", "TABLE", "WINDOW"]) {
            Some(Clause::Other)
        } else {
            None
        }
    }

    /// The `FROM` of `IS [NOT] DISTINCT FROM`.
    fn is_distinct_from(toks: &[Tok], i: usize) -> bool {
        i >= 2 && toks[i - 1].is_kw("DISTINCT") && toks[i - 2].is_any(&["IS", "NOT"])
    }

    /// The token at `i`, if any.
    fn at(&self, i: usize) -> Option<Tok<'a>> {
        self.toks.get(i).copied()
    }

    /// True when a table name comes right after token `i`.
    fn is_table_trigger(&self, i: usize) -> bool {
        let Some(t) = self.at(i) else {
            return false;
        };
        let back = |k: usize| i.checked_sub(k).and_then(|j| self.at(j));
        let back_is = |k: usize, kw: &str| back(k).is_some_and(|b| b.is_kw(kw));
        if t.is_kw("FROM") {
            return !Self::is_distinct_from(&self.toks, i);
        }
        if t.is_any(&["JOIN", "INTO", "UPDATE", "TABLE", "VIEW", "REFERENCES"]) {
            return true;
        }
        if t.is_kw("EXISTS") {
            return back_is(1, "IF") || (back_is(1, "NOT") && back_is(2, "IF"));
        }
        if t.is_any(&["REPLACE", "IGNORE", "ABORT", "FAIL", "ROLLBACK"]) {
            return back_is(1, "OR") && back_is(2, "UPDATE");
        }
        if t.is_kw("ON") {
            let head = &self.toks[..i];
            return head.first().is_some_and(|f| f.is_kw("CREATE"))
                && head.iter().any(|h| h.is_any(&["INDEX", "TRIGGER"]))
                && !head.iter().any(|h| h.is_kw("ON"));
        }
        t.is_punct(",") && self.clause[i] == Clause::Tables
    }

    /// True when token `i` sits where a table name goes.
    fn is_table_slot(&self, i: usize) -> bool {
        i >= 1 && self.is_table_trigger(i - 1)
    }

    /// The `[schema.]table` whose column list the parenthesis at `i` opens, if it does.
    fn column_list_of(&self, i: usize) -> Option<(Option<String>, String)> {
        let name = self.at(i.checked_sub(1)?)?.any_name()?;
        if self.is_table_slot(i - 1) {
            return Some((None, name));
        }
        let dot = self.at(i.checked_sub(2)?)?;
        let schema = self.at(i.checked_sub(3)?)?;
        if dot.is_punct(".") && self.is_table_slot(i - 3) {
            return Some((schema.any_name(), name));
        }
        None
    }

    /// Where the word after the last token sits.
    fn context(&self) -> Ctx {
        let n = self.toks.len();
        let Some(prev) = self.toks.last().copied() else {
            return Ctx::Other;
        };
        let last = n - 1;
        if prev.is_punct(".") {
            let Some(q) = self.at(last.wrapping_sub(1)).and_then(|t| t.any_name()) else {
                return Ctx::Other;
            };
            if n >= 4 && self.toks[n - 3].is_punct(".") {
                if let Some(s) = self.toks[n - 4].any_name() {
                    return Ctx::Qualified(Some(s), q);
                }
            }
            if self.is_table_slot(n - 2) {
                return Ctx::SchemaTables(q);
            }
            return Ctx::Qualified(None, q);
        }
        if self.is_table_trigger(last) {
            return Ctx::Tables(if prev.is_kw("UPDATE") {
                &["OR"]
            } else if prev.is_any(&["TABLE", "VIEW"]) {
                &["IF"]
            } else {
                &[]
            });
        }
        if prev.is_kw("FROM") {
            // `IS [NOT] DISTINCT FROM`: an operand follows.
            return Ctx::Expr;
        }
        if prev.is_kw("DETACH")
            || (prev.is_kw("DATABASE") && n >= 2 && self.toks[n - 2].is_kw("DETACH"))
        {
            return Ctx::Schemas;
        }
        if prev.is_kw("COLUMN") {
            return Ctx::Columns;
        }
        let paren = if prev.is_punct("(") {
            Some(last)
        } else if prev.is_punct(",") {
            match self.clause[last] {
                Clause::Paren(i) => Some(i),
                Clause::Expr => return Ctx::Expr,
                Clause::Tables | Clause::Other => return Ctx::Other,
            }
        } else {
            None
        };
        if let Some(i) = paren {
            if i >= 1 && self.toks[i - 1].is_kw("USING") {
                return Ctx::Columns;
            }
            return match self.column_list_of(i) {
                Some((s, t)) => Ctx::ColumnsOf(s, t),
                None => Ctx::Expr,
            };
        }
        if (prev.kind == Kind::Punct && OPERATORS.contains(&prev.text)) || prev.is_any(EXPR_KW) {
            return Ctx::Expr;
        }
        Ctx::Other
    }

    /// The tables the statement names: after each table trigger, `[schema.]name [[AS] alias]`.
    fn refs(&self) -> Vec<Ref> {
        let mut refs = Vec::new();
        for k in 1..self.toks.len() {
            if !self.is_table_trigger(k - 1) {
                continue;
            }
            let qualified = self.at(k + 1).is_some_and(|t| t.is_punct("."));
            // A schema name may be a keyword (`temp`); a table name, unless quoted, may not.
            let first = if qualified {
                self.toks[k].any_name()
            } else {
                self.toks[k].name()
            };
            let Some(first) = first else {
                continue;
            };
            let (schema, name, j) = match self.at(k + 2).and_then(|t| t.any_name()) {
                Some(second) if qualified => (Some(first), second, k + 3),
                _ if qualified => continue,
                _ => (None, first, k + 1),
            };
            let alias = match self.at(j) {
                Some(t) if t.is_kw("AS") => self.at(j + 1).and_then(|a| a.name()),
                Some(t) if !t.is_punct("(") => t.name(),
                _ => None,
            };
            // `""` is a name SQLite accepts, but nothing to complete to.
            let alias = alias.filter(|a| !a.is_empty());
            if name.is_empty() {
                continue;
            }
            refs.push(Ref {
                schema,
                name,
                alias,
            });
        }
        refs
    }
}

/// The table `[schema.]name` resolves to, searching `temp`, then `main` and the attached
/// schemas in order when no schema is given, as SQLite does.
fn resolve<'s>(schema: &'s Schema, in_schema: Option<&str>, name: &str) -> Option<&'s Table> {
    let rank = |s: &str| {
        if s.eq_ignore_ascii_case("temp") {
            0
        } else {
            schema
                .schemas
                .iter()
                .position(|n| n.eq_ignore_ascii_case(s))
                .map_or(usize::MAX, |p| p + 1)
        }
    };
    schema
        .tables
        .iter()
        .filter(|t| t.name.eq_ignore_ascii_case(name))
        .filter(|t| in_schema.is_none_or(|s| t.schema.eq_ignore_ascii_case(s)))
        .min_by_key(|t| rank(&t.schema))
}

/// The tables the qualifier `q` (an alias, or a table name) stands for in the statement.
fn qualifier_tables<'s>(schema: &'s Schema, refs: &[Ref], q: &str) -> Option<&'s Table> {
    let by_alias = refs.iter().find(|r| {
        r.alias
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(q))
    });
    let by_name = || {
        refs.iter()
            .find(|r| r.alias.is_none() && r.name.eq_ignore_ascii_case(q))
    };
    match by_alias.or_else(by_name) {
        Some(r) => resolve(schema, r.schema.as_deref(), &r.name),
        None => resolve(schema, None, q),
    }
}

/// The candidates for the word `text` (opened by `opening`) in `ctx`.
fn candidates(
    stmt: &Stmt,
    ctx: &Ctx,
    text: &str,
    opening: Opening,
    schema: &Schema,
) -> Vec<Candidate> {
    let mut out = Collector::default();
    let typed_bare = opening == Opening::Bare && !text.is_empty();
    let columns = |tables: &[&Table]| {
        matching(
            tables
                .iter()
                .flat_map(|t| t.columns.iter().map(String::as_str)),
            text,
            opening,
            "",
        )
    };
    let keywords = |list: &[&str]| -> Vec<Candidate> {
        if !typed_bare {
            return Vec::new();
        }
        list.iter()
            .filter(|k| has_prefix(k, text))
            .map(|k| {
                let w = typed_case(k, text);
                Candidate {
                    display: w.clone(),
                    replacement: w,
                }
            })
            .collect()
    };
    match ctx {
        Ctx::Tables(extra) => {
            out.group(matching(
                schema.tables.iter().map(|t| t.name.as_str()),
                text,
                opening,
                "",
            ));
            out.group(matching(
                schema.schemas.iter().map(String::as_str),
                text,
                opening,
                ".",
            ));
            out.group(keywords(extra));
        }
        Ctx::SchemaTables(s) => {
            out.group(matching(
                schema.tables_in(s).map(|t| t.name.as_str()),
                text,
                opening,
                "",
            ));
        }
        Ctx::Qualified(in_schema, q) => {
            let table = match in_schema {
                Some(s) => resolve(schema, Some(s), q),
                None => qualifier_tables(schema, &stmt.refs(), q),
            };
            out.group(columns(&table.into_iter().collect::<Vec<_>>()));
            if in_schema.is_none() {
                out.group(matching(
                    schema.tables_in(q).map(|t| t.name.as_str()),
                    text,
                    opening,
                    "",
                ));
            }
        }
        Ctx::ColumnsOf(s, t) => {
            out.group(columns(
                &resolve(schema, s.as_deref(), t)
                    .into_iter()
                    .collect::<Vec<_>>(),
            ));
        }
        Ctx::Columns | Ctx::Expr => {
            let refs = stmt.refs();
            let mut tables: Vec<&Table> = refs
                .iter()
                .filter_map(|r| resolve(schema, r.schema.as_deref(), &r.name))
                .collect();
            if tables.is_empty() {
                tables = schema
                    .tables
                    .iter()
                    .filter(|t| !has_prefix(&t.name, "sqlite_"))
                    .collect();
            }
            out.group(columns(&tables));
            if *ctx == Ctx::Expr {
                let quals = refs.iter().map(|r| r.alias.as_deref().unwrap_or(&r.name));
                out.group(matching(quals, text, opening, ""));
                if typed_bare {
                    out.group(
                        schema
                            .functions
                            .iter()
                            .filter(|f| is_ident_shaped(f) && has_prefix(f, text))
                            .map(|f| {
                                let w = format!("{}(", typed_case(f, text));
                                Candidate {
                                    display: w.clone(),
                                    replacement: w,
                                }
                            }),
                    );
                }
                out.group(keywords(KEYWORDS));
            }
        }
        Ctx::Schemas => {
            out.group(matching(
                schema.schemas.iter().map(String::as_str),
                text,
                opening,
                "",
            ));
        }
        Ctx::Other => out.group(keywords(KEYWORDS)),
    }
    out.finish()
}

#[cfg(test)]
mod tests;
