//! The fuzz targets over text: the statement splitter and line reader, the dot-command
//! tokenizer, the option parser, `.import`'s readers, the REPL's completer and highlighter,
//! and the snapshot repository's JSON records. See the parent module for the properties.

use std::ffi::OsString;
use std::io::BufReader;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use super::Src;
use crate::backup::snapshot::manifest::{self, Manifest, PackIndex};
use crate::cli::{self, Opt, OPTIONS};
use crate::exec::is_space;
use crate::import::{FieldReader, Format, Sep};
use crate::repl::complete::complete as complete_at;
use crate::repl::highlight::{highlight_with, needs_redraw, strip_ansi, Theme};
use crate::repl::schema::{Schema, Table};
use crate::split::{self, dotargs, Splitter, Step, Unit};

/// A buffer size for the readers under test, from one input byte: tiny ones make every
/// `fill_buf` boundary fall somewhere else.
fn buffer_size(b: u8) -> usize {
    match b % 8 {
        0 => 1,
        1 => 2,
        2 => 3,
        3 => 7,
        4 => 64,
        5 => 101,
        _ => 8192,
    }
}

/// sqlite3 3.40.1's `local_getline` over `data` from `*pos`: `fgets` into a buffer that
/// grows to 100, 300, 700… bytes, `strlen` after each chunk (a NUL loses the rest of its
/// chunk), the `\n` and one `\r` before it dropped.
fn getline_model(data: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    let mut line: Vec<u8> = Vec::new();
    let mut cap = 0usize;
    loop {
        if line.len() + 100 > cap {
            cap = cap * 2 + 100;
        }
        let room = cap - line.len() - 1;
        if *pos >= data.len() {
            return (!line.is_empty()).then_some(line);
        }
        let start = *pos;
        while *pos < data.len() && *pos - start < room {
            *pos += 1;
            if data[*pos - 1] == b'\n' {
                break;
            }
        }
        let chunk = &data[start..*pos];
        let z = memchr::memchr(0, chunk).unwrap_or(chunk.len());
        line.extend_from_slice(&chunk[..z]);
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Some(line);
        }
    }
}

/// The lines of `data` as litesh reads a script, checked against [`getline_model`].
fn read_lines(data: &[u8], buffer: usize) -> Vec<Vec<u8>> {
    let mut r = BufReader::with_capacity(buffer, data);
    let mut pos = 0;
    let mut lines = Vec::new();
    loop {
        let got = crate::input::read_line(&mut r).expect("reading a slice cannot fail");
        let want = getline_model(data, &mut pos);
        assert_eq!(got, want, "line {} (buffer {buffer})", lines.len() + 1);
        match got {
            Some(l) => lines.push(l),
            None => return lines,
        }
    }
}

/// Checks that `text` is exactly `lines` joined by `\n`, the first without its leading
/// white space (or, for a swallowed line, as it was), where a `go`/`/` line may stand as `;`.
fn check_pieces(text: &[u8], lines: &[Vec<u8>], swallowed: bool) {
    let parts: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    assert_eq!(parts.len(), lines.len(), "a unit is not the lines it took");
    for (i, (part, line)) in parts.iter().zip(lines).enumerate() {
        let stripped = if i == 0 {
            let s = line
                .iter()
                .position(|&b| !is_space(b))
                .unwrap_or(line.len());
            &line[s..]
        } else {
            &line[..]
        };
        let as_is = *part == stripped || (swallowed && *part == &line[..]);
        let swapped = *part == b";" && split::is_command_terminator(line);
        assert!(
            as_is || swapped,
            "line {i} of a unit was changed: {:?} from {:?}",
            String::from_utf8_lossy(part),
            String::from_utf8_lossy(line)
        );
    }
}

/// The statement splitter over `data` as a script (see the module doc).
pub fn split(data: &[u8]) {
    let Some((&first, data)) = data.split_first() else {
        return;
    };
    let lines = read_lines(data, buffer_size(first));
    // The same lines whatever the buffer size.
    assert_eq!(lines, read_lines(data, 8192));
    // 3.40.1's `sqlite3_complete` (which `is_complete` follows) ends a `--` comment at the
    // end of the text as a newline would; the bundled library calls the text incomplete
    // there. With a newline added they agree, and a newline changes nothing else (see the
    // unit tests of `split::complete`). Found by this target.
    let text = &data[..memchr::memchr(0, data).unwrap_or(data.len())];
    assert_eq!(
        split::is_complete(data),
        crate::exec::raw::complete(&[text, b"\n"].concat()),
        "is_complete disagrees with sqlite3_complete"
    );
    let mut s = Splitter::new();
    // The lines taken since the last unit (NUL-cut, as the splitter sees them).
    let mut pending: Vec<Vec<u8>> = Vec::new();
    let mut pending_from = 0;
    for (i, line) in lines.iter().enumerate() {
        let no = i + 1;
        let cut = &line[..memchr::memchr(0, line).unwrap_or(line.len())];
        if pending.is_empty() {
            pending_from = no;
        }
        pending.push(cut.to_vec());
        match s.step(line) {
            Step::Unit(Unit::Dot { line: l, line_no }) => {
                assert_eq!(pending.len(), 1, "a dot-command while SQL was pending");
                assert_eq!(l, cut);
                assert_eq!(l.first(), Some(&b'.'));
                assert_eq!(line_no, no);
                pending.clear();
            }
            Step::Unit(Unit::Sql { text, start_line }) => {
                check_pieces(&text, &pending, false);
                assert_eq!(start_line, pending_from);
                assert!(split::is_complete(&text), "an incomplete unit was run");
                pending.clear();
            }
            Step::Swallowed(text) => {
                check_pieces(&text, &pending, true);
                pending.clear();
            }
            Step::Pending => {
                assert!(s.in_statement());
            }
        }
        assert_eq!(s.line_no(), no);
        assert_eq!(s.in_statement(), !pending.is_empty());
    }
    match s.finish() {
        Some(Unit::Sql { text, start_line }) => {
            check_pieces(&text, &pending, false);
            assert_eq!(start_line, pending_from);
        }
        Some(Unit::Dot { .. }) => panic!("a dot-command at the end of input"),
        None => assert!(pending.is_empty(), "pending SQL was lost at the end"),
    }
}

/// The dot-command tokenizer (see the module doc).
pub fn dotargs(data: &[u8]) {
    let args = dotargs::parse_dot_args(data);
    assert!(args.len() <= dotargs::MAX_ARGS);
    assert!(
        args.iter().all(|a| !a.contains(&0)),
        "an argument holds NUL"
    );
    let line = &data[..memchr::memchr(0, data).unwrap_or(data.len())];
    if !line.iter().any(|b| matches!(b, b'\'' | b'"' | b'\\')) {
        let words: Vec<Vec<u8>> = line
            .get(1..)
            .unwrap_or_default()
            .split(|&b| is_space(b))
            .filter(|w| !w.is_empty())
            .take(dotargs::MAX_ARGS)
            .map(<[u8]>::to_vec)
            .collect();
        assert_eq!(args, words, "plain words are not split at white space");
    }
    // Single-quoted arguments are taken literally: build a line of them and read it back.
    let pieces: Vec<&[u8]> = data
        .split(|&b| b == 0xff)
        .filter(|p| !p.contains(&b'\'') && !p.contains(&0))
        .take(dotargs::MAX_ARGS - 1)
        .collect();
    let mut built = b".cmd".to_vec();
    for p in &pieces {
        built.extend_from_slice(b" '");
        built.extend_from_slice(p);
        built.push(b'\'');
    }
    let back = dotargs::parse_dot_args(&built);
    assert_eq!(back[0], b"cmd");
    assert_eq!(&back[1..], &pieces[..], "single-quoted arguments changed");
    let resolved = dotargs::resolve_backslashes(data);
    assert!(resolved.len() <= data.len());
}

/// The option parser, on `argv` made of the input's NUL-separated pieces (see the module
/// doc).
pub fn cli(data: &[u8]) {
    let mut argv: Vec<OsString> = vec!["litesh".into()];
    if !data.is_empty() {
        argv.extend(
            data.split(|&b| b == 0)
                .map(|a| OsString::from_vec(a.to_vec())),
        );
    }
    let passes = cli::second_pass;
    match cli::parse(&argv) {
        Ok(args) => {
            let mut used = usize::from(args.filename.is_some()) + args.commands.len();
            for o in &args.options {
                if o.opt == Opt::Archive {
                    // The option itself and everything after it.
                    used += o.values.len();
                    continue;
                }
                if o.opt == Opt::Unknown {
                    // Its value is the name as sqlite3 shows it, not another argument.
                    used += 1;
                    continue;
                }
                used += 1 + o.values.len();
                {
                    let def = OPTIONS
                        .iter()
                        .find(|d| d.opt == o.opt)
                        .expect("a table option");
                    assert_eq!(
                        o.values.len(),
                        def.arity,
                        "{:?} took the wrong count",
                        o.opt
                    );
                }
            }
            assert_eq!(used, argv.len() - 1, "arguments lost or used twice");
            let second = passes(&args);
            assert!(second.len() <= args.options.len() + argv.len());
            for o in &second {
                assert!(o
                    .values
                    .iter()
                    .all(|v| argv.iter().any(|a| a.as_bytes() == v.as_bytes())
                        || o.opt == Opt::Unknown));
            }
        }
        Err(e) => {
            let m = e.to_string();
            assert!(m.starts_with("litesh: Error: missing argument to "), "{m}");
        }
    }
}

/// One field as read: its bytes and what ended it (`None`: the end of the input).
type Field = (Vec<u8>, Option<u8>);

/// The fields, warnings and final line count of a [`FieldReader`] over `data`.
fn read_fields(
    data: &[u8],
    format: Format,
    col: Sep,
    row: Sep,
    buffer: usize,
) -> (Vec<Field>, usize) {
    let mut r = FieldReader::new(BufReader::with_capacity(buffer, data), format, col, row);
    let mut fields = Vec::new();
    while r.next_field() {
        let term = if r.at_eof() {
            None
        } else if r.ended_by_col() {
            Some(col.0)
        } else {
            Some(row.0)
        };
        fields.push((r.field().to_vec(), term));
        assert!(
            fields.len() <= data.len(),
            "more fields than bytes: no progress"
        );
    }
    assert!(r.at_eof());
    (fields, r.line())
}

/// 3.40.1's `csv_read_one_field` and `ascii_read_one_field`, one byte at a time, with
/// separators compared as `Sep::matches` does (a byte of 0x80 or more never matches).
fn fields_model(data: &[u8], format: Format, col: Sep, row: Sep) -> (Vec<Field>, usize) {
    let mut pos = 0;
    let mut getc = || {
        let c = data.get(pos).copied();
        pos += 1;
        c
    };
    let (is_col, is_row) = (
        |c: Option<u8>| col.matches(c),
        |c: Option<u8>| row.matches(c),
    );
    let mut line = 1;
    let mut not_first = false;
    let mut out = Vec::new();
    'fields: loop {
        let mut z: Vec<u8> = Vec::new();
        let Some(mut c) = getc() else {
            return (out, line);
        };
        let term;
        if format == Format::Ascii {
            let mut c = Some(c);
            while c.is_some() && !is_col(c) && !is_row(c) {
                z.push(c.unwrap_or_default());
                c = getc();
            }
            if is_row(c) {
                line += 1;
            }
            term = c;
        } else if c == b'"' {
            let (mut pc, mut ppc) = (0u8, 0u8);
            loop {
                let c = getc();
                if is_row(c) {
                    line += 1;
                }
                if c == Some(b'"') && pc == b'"' {
                    pc = 0;
                    continue;
                }
                if (pc == b'"' && (is_col(c) || is_row(c) || c.is_none()))
                    || (is_row(c) && pc == b'\r' && ppc == b'"')
                {
                    while z.pop() != Some(b'"') {}
                    term = c;
                    break;
                }
                let Some(b) = c else {
                    term = None;
                    break;
                };
                z.push(b);
                ppc = pc;
                pc = b;
            }
        } else {
            let mut cc = Some(c);
            if c == 0xef && !not_first {
                z.push(c);
                cc = getc();
                if cc == Some(0xbb) {
                    z.push(0xbb);
                    cc = getc();
                    if cc == Some(0xbf) {
                        not_first = true;
                        continue 'fields;
                    }
                }
            }
            while cc.is_some() && !is_col(cc) && !is_row(cc) {
                c = cc.unwrap_or_default();
                z.push(c);
                cc = getc();
            }
            if is_row(cc) {
                line += 1;
                if z.last() == Some(&b'\r') {
                    z.pop();
                }
            }
            term = cc;
        }
        not_first = true;
        out.push((z, term));
    }
}

/// `.import`'s readers (see the module doc). The first byte picks the dialect, the
/// separators and the buffer size.
pub fn import(data: &[u8]) {
    let mut src = Src::new(data);
    let mode = src.byte();
    let format = if mode & 1 == 0 {
        Format::Csv
    } else {
        Format::Ascii
    };
    let (col, row) = match (mode >> 1) % 4 {
        0 if format == Format::Csv => (Sep(b','), Sep(b'\n')),
        0 => (Sep(0x1f), Sep(0x1e)),
        1 => (Sep(b'\t'), Sep(b'\n')),
        2 => (Sep(b'|'), Sep(b'\n')),
        _ => (Sep(src.byte()), Sep(src.byte())),
    };
    let buffer = buffer_size(mode >> 3);
    let text = src.rest();
    let (fields, lines) = read_fields(text, format, col, row, buffer);
    let (big, big_lines) = read_fields(text, format, col, row, 8192);
    assert_eq!(fields, big, "fields depend on the buffer size");
    assert_eq!(lines, big_lines);
    let (model, model_lines) = fields_model(text, format, col, row);
    assert_eq!(fields, model, "fields differ from 3.40.1's reader");
    assert_eq!(
        lines, model_lines,
        "line count differs from 3.40.1's reader"
    );
    // A separator of 0x80 or more never matches; an opening quote is not counted even
    // when `"` is the row separator (3.40.1 reads it before its loop).
    if row.0 >= 0x80 {
        assert_eq!(lines, 1, "a high separator ended a line");
    } else if format == Format::Ascii || row.0 != b'"' {
        let rows = text.iter().filter(|&&b| b == row.0).count();
        assert_eq!(lines, 1 + rows, "lines are not counted by row separators");
    }
    if format == Format::Ascii {
        // Nothing is dropped: fields and separators rebuild the input.
        let mut back = Vec::new();
        for (f, t) in &fields {
            back.extend_from_slice(f);
            back.extend(t);
        }
        assert_eq!(back, text, "ASCII fields lose bytes");
    }
}

fn table(schema: &str, name: &str, columns: &[&str]) -> Table {
    Table {
        schema: schema.into(),
        name: name.into(),
        is_view: false,
        columns: columns.iter().map(|c| (*c).into()).collect(),
    }
}

/// A schema with odd names for the completer.
fn sample_schema() -> Schema {
    Schema {
        schemas: ["main", "temp", "aux"].map(String::from).to_vec(),
        tables: vec![
            table("main", "orders", &["order_id", "customer_id", "total"]),
            table("main", "odd \"name\"", &["a b", "c", ""]),
            table("main", "order", &["select", "id"]),
            table("main", "café", &["crème", "naïve"]),
            table("main", "[x]", &["`q`", "'s'"]),
            table("temp", "scratch", &["s"]),
            table("aux", "Mixed Case", &["Col"]),
        ],
        functions: ["abs", "count", "max", "sqlite_version", "zipfile"]
            .map(String::from)
            .to_vec(),
    }
}

/// The word as typed, without an opening quote.
fn unquoted(word: &str) -> &str {
    word.strip_prefix(['"', '[', '`', '\'']).unwrap_or(word)
}

/// The completer at any position of any text (see the module doc). Two bytes give the
/// cursor.
pub fn complete(data: &[u8]) {
    let mut src = Src::new(data);
    let pos = usize::from(src.byte()) << 8 | usize::from(src.byte());
    let text = String::from_utf8_lossy(src.rest());
    let schema = sample_schema();
    let (start, candidates) = complete_at(&text, pos, &schema);
    let mut at = pos.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    assert!(start <= at, "the word starts after the cursor");
    assert!(text.is_char_boundary(start));
    let word = &text[start..at];
    // A dot-command argument stands for its value with backslash escapes resolved (`\141`
    // is `a`, `\0` ends it), and that value is what a candidate continues.
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let escaped = text[line_start..].starts_with('.') && word.contains('\\');
    let mut seen = std::collections::HashSet::new();
    for c in &candidates {
        assert!(
            seen.insert(&c.replacement),
            "{:?} offered twice",
            c.replacement
        );
        assert!(!c.replacement.is_empty());
        let (w, r) = (unquoted(word), unquoted(&c.replacement));
        let prefix = r.get(..w.len()).is_some_and(|p| p.eq_ignore_ascii_case(w));
        assert!(prefix || escaped, "{r:?} does not continue {w:?}");
    }
}

/// The highlighter at any position, on either kind of buffer (see the module doc).
pub fn highlight(data: &[u8]) {
    let mut src = Src::new(data);
    let flags = src.byte();
    let pos = match flags >> 1 {
        0 => crate::repl::highlight::NO_CURSOR,
        _ => usize::from(src.byte()),
    };
    let line = String::from_utf8_lossy(src.rest());
    let theme = Theme::default();
    let out = highlight_with(&line, pos, &theme, flags & 1 == 1);
    let _ = needs_redraw(&line, pos);
    if !line.contains('\x1b') {
        assert_eq!(strip_ansi(&out), line, "highlighting changed the text");
    }
}

/// The snapshot repository's manifest and pack index readers (see the module doc).
pub fn manifest(data: &[u8]) {
    if let Ok(m) = Manifest::parse(data) {
        assert_eq!(
            Manifest::parse(&m.to_bytes()).as_ref(),
            Ok(&m),
            "no round trip"
        );
        let mut pages = 0u64;
        for i in 0..m.chunks.len() {
            let n = m.pages_in_chunk(i);
            assert!((1..=m.chunk_pages).contains(&n));
            let bytes = u64::from(n) * u64::from(m.page_size);
            assert!(
                bytes <= manifest::MAX_CHUNK_BYTES,
                "a chunk of {bytes} bytes"
            );
            pages += u64::from(n);
        }
        assert_eq!(pages, u64::from(m.page_count));
        assert!(m.page_size.is_power_of_two() && (512..=65536).contains(&m.page_size));
        let _ = manifest::parse_time(&m.time);
        let _ = manifest::format_time(m.unix_time);
    }
    if let Ok(x) = PackIndex::parse(data) {
        assert_eq!(
            PackIndex::parse(&x.to_bytes()).as_ref(),
            Ok(&x),
            "no round trip"
        );
        for c in &x.chunks {
            assert!(
                c.len <= manifest::MAX_STORED_CHUNK,
                "a stored chunk of {} bytes",
                c.len
            );
            assert!(c.offset + c.len <= x.size);
        }
    }
}

/// `.open --hexdb`'s reader over any text, from the current input and from a file (see the
/// module doc).
pub fn hexdb(data: &[u8]) {
    use crate::input::hexdb::{fgets_chunks, line_chunks, read, HexError};
    let Some((&first, text)) = data.split_first() else {
        return;
    };
    let lineno = usize::from(first);
    // Whole input lines (as the shell's reader gives them) and `fgets` chunks of a file.
    let lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let total = lines.len();
    let mut it = lines.into_iter();
    let mut taken = 0usize;
    let mut from_input = line_chunks(|| {
        let l = it.next();
        taken += usize::from(l.is_some());
        Ok(l)
    });
    let (r, line) = read(&mut from_input, lineno, true);
    drop(from_input);
    assert!(taken <= total);
    assert!(line > lineno, "no line counted");
    match r {
        Ok(image) => {
            // Whole pages of a size SQLite can have (the first line said which).
            assert!(image.len() % 512 == 0 && image.len() <= i32::MAX as usize);
        }
        Err(HexError::BadInput { line: l }) => assert_eq!(l, line),
        Err(HexError::OutOfMemory) => {}
        Err(HexError::Io(e)) => panic!("reading memory failed: {e}"),
    }
    let mut from_file = fgets_chunks(text);
    let (r, line) = read(&mut from_file, 0, false);
    assert!(line >= 1);
    if let Ok(image) = r {
        assert!(image.len() % 512 == 0);
    }
}
