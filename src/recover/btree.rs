//! Reading b-tree pages the way a recovery must: nothing on a page is trusted.
//!
//! A page is parsed only as far as it is consistent with SQLite's file format: a known page
//! type, a cell count whose pointer array fits, cells inside the content area that do not
//! overlap each other, payloads whose overflow chains stay within the database, and records
//! whose header and body sizes add up exactly to the payload. A cell that fails any check
//! is dropped (never guessed at), so what comes out is data the database really held.

use std::collections::HashSet;

/// Page types (the first byte of a b-tree page header).
pub const INDEX_INTERIOR: u8 = 0x02;
/// An interior page of a table (intkey) b-tree: child pointers and keys, no records.
pub const TABLE_INTERIOR: u8 = 0x05;
/// A leaf page of an index (or WITHOUT ROWID table) b-tree.
pub const INDEX_LEAF: u8 = 0x0a;
/// A leaf page of a table b-tree: rowids and records.
pub const TABLE_LEAF: u8 = 0x0d;

/// One value of a record, as stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// NULL
    Null,
    /// An integer (serial types 1–6, 8, 9).
    Int(i64),
    /// An IEEE double (serial type 7).
    Real(f64),
    /// Text bytes in the database's encoding.
    Text(Vec<u8>),
    /// A blob.
    Blob(Vec<u8>),
}

/// A varint at the start of `a`: its value and length, or `None` when `a` ends first.
pub fn varint(a: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..8 {
        let b = *a.get(i)?;
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    let b = *a.get(8)?;
    Some(((v << 8) | u64::from(b), 9))
}

fn u16_at(a: &[u8], i: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes(
        a.get(i..i + 2)?.try_into().ok()?,
    )))
}

/// A big-endian u32 at `i`.
pub fn u32_at(a: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_be_bytes(a.get(i..i + 4)?.try_into().ok()?))
}

/// Where a page's cells are, once its header has been checked.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page type.
    pub kind: u8,
    /// Offsets of the cells, in key order, that lie inside the content area without
    /// overlapping one another.
    cells: Vec<usize>,
    /// The right-most child of an interior page.
    pub right_child: Option<u32>,
}

/// What a cell holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The left child of an interior cell.
    pub child: Option<u32>,
    /// The rowid (table leaf) or key (table interior).
    pub rowid: Option<i64>,
    /// The record's fields (empty for table interior cells).
    pub fields: Vec<Field>,
}

/// The page geometry of a database.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    /// Usable bytes of a page (page size less the reserved bytes).
    pub usable: usize,
    /// Pages in the database.
    pub page_count: u32,
}

impl Page {
    /// Parses the header of page `pgno` (`data` is its usable bytes); `None` when it is not
    /// a b-tree page.
    pub fn parse(pgno: u32, data: &[u8]) -> Option<Page> {
        let hdr = if pgno == 1 { 100 } else { 0 };
        let kind = *data.get(hdr)?;
        let interior = match kind {
            INDEX_INTERIOR | TABLE_INTERIOR => true,
            INDEX_LEAF | TABLE_LEAF => false,
            _ => return None,
        };
        let n = data.len();
        let ncell = u16_at(data, hdr + 3)?;
        let mut content = u16_at(data, hdr + 5)?;
        if content == 0 {
            content = 65536;
        }
        let ptrs = hdr + if interior { 12 } else { 8 };
        if ptrs + 2 * ncell > content.min(n) || content > n {
            return None;
        }
        let right_child = if interior {
            Some(u32_at(data, hdr + 8)?)
        } else {
            None
        };
        let mut cells = Vec::with_capacity(ncell);
        for i in 0..ncell {
            let off = u16_at(data, ptrs + 2 * i)?;
            if off >= content && off < n {
                cells.push(off);
            }
        }
        Some(Page {
            kind,
            cells,
            right_child,
        })
    }

    /// True for an index b-tree page (records on interior pages too).
    pub fn is_index(&self) -> bool {
        matches!(self.kind, INDEX_INTERIOR | INDEX_LEAF)
    }

    /// True for an interior page.
    pub fn is_interior(&self) -> bool {
        matches!(self.kind, INDEX_INTERIOR | TABLE_INTERIOR)
    }

    /// The child page numbers, in key order (the right-most last).
    pub fn children(&self, data: &[u8]) -> Vec<u32> {
        if !self.is_interior() {
            return Vec::new();
        }
        let mut v: Vec<u32> = self
            .cells
            .iter()
            .filter_map(|&off| u32_at(data, off))
            .collect();
        v.extend(self.right_child);
        v
    }

    /// The cells that parse, with overflow pages read through `page`. A cell whose bytes
    /// overlap an earlier cell's, whose overflow chain is broken, or whose record does
    /// not add up is left out.
    pub fn cells(
        &self,
        data: &[u8],
        geo: Geometry,
        page: &mut dyn FnMut(u32) -> Option<Vec<u8>>,
    ) -> Vec<Cell> {
        let mut out = Vec::new();
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for &off in &self.cells {
            let Some((cell, len)) = self.cell_at(data, off, geo, page) else {
                continue;
            };
            let end = off + len;
            if taken.iter().any(|&(a, b)| off < b && a < end) {
                continue;
            }
            taken.push((off, end));
            out.push(cell);
        }
        out
    }

    /// One cell at `off`, and how many bytes of the page it takes.
    fn cell_at(
        &self,
        data: &[u8],
        off: usize,
        geo: Geometry,
        page: &mut dyn FnMut(u32) -> Option<Vec<u8>>,
    ) -> Option<(Cell, usize)> {
        let mut i = off;
        let child = if self.is_interior() {
            let c = u32_at(data, i)?;
            i += 4;
            Some(c)
        } else {
            None
        };
        if self.kind == TABLE_INTERIOR {
            let (key, n) = varint(data.get(i..)?)?;
            return Some((
                Cell {
                    child,
                    rowid: Some(key as i64),
                    fields: Vec::new(),
                },
                i + n - off,
            ));
        }
        let (payload, n) = varint(data.get(i..)?)?;
        i += n;
        let rowid = if self.kind == TABLE_LEAF {
            let (r, n) = varint(data.get(i..)?)?;
            i += n;
            Some(r as i64)
        } else {
            None
        };
        let payload = usize::try_from(payload).ok()?;
        let u = geo.usable;
        // No payload is longer than the database (nor than SQLite's longest value).
        if payload > 1_000_000_000 || payload > (geo.page_count as usize).saturating_mul(u) {
            return None;
        }
        // How much of the payload is on this page (the file format's rule).
        let max_local = if self.kind == TABLE_LEAF {
            u.checked_sub(35)?
        } else {
            ((u.checked_sub(12)?) * 64 / 255).checked_sub(23)?
        };
        let min_local = ((u - 12) * 32 / 255).checked_sub(23)?;
        let local = if payload <= max_local {
            payload
        } else {
            let k = min_local + (payload - min_local) % (u - 4);
            if k <= max_local {
                k
            } else {
                min_local
            }
        };
        let mut bytes = data.get(i..i + local)?.to_vec();
        let mut len = i + local - off;
        if local < payload {
            let first = u32_at(data, i + local)?;
            len += 4;
            read_overflow(first, payload, &mut bytes, geo, page)?;
        }
        let fields = record(&bytes)?;
        Some((
            Cell {
                child,
                rowid,
                fields,
            },
            len,
        ))
    }
}

/// Appends the overflow chain starting at `first` to `bytes` until it holds `payload`
/// bytes; `None` when a page is missing, out of range or met twice.
fn read_overflow(
    first: u32,
    payload: usize,
    bytes: &mut Vec<u8>,
    geo: Geometry,
    page: &mut dyn FnMut(u32) -> Option<Vec<u8>>,
) -> Option<()> {
    let mut seen = HashSet::new();
    let mut next = first;
    while bytes.len() < payload {
        if next == 0 || next > geo.page_count || !seen.insert(next) {
            return None;
        }
        let p = page(next)?;
        let want = (payload - bytes.len()).min(geo.usable - 4);
        bytes.extend_from_slice(p.get(4..4 + want)?);
        next = u32_at(&p, 0)?;
    }
    // The chain ends where the payload does: a last page pointing on is not one.
    (next == 0).then_some(())
}

/// Decodes a record; `None` unless its header and body add up to exactly its bytes.
pub fn record(bytes: &[u8]) -> Option<Vec<Field>> {
    let (hsize, n) = varint(bytes)?;
    let hsize = usize::try_from(hsize).ok()?;
    if hsize < n || hsize > bytes.len() {
        return None;
    }
    let mut types = Vec::new();
    let mut i = n;
    while i < hsize {
        let (t, n) = varint(&bytes[i..hsize])?;
        types.push(t);
        i += n;
    }
    if i != hsize {
        return None;
    }
    let mut body = hsize;
    let mut fields = Vec::with_capacity(types.len());
    for t in types {
        let size = match t {
            0 | 8 | 9 => 0,
            1 => 1,
            2 => 2,
            3 => 3,
            4 => 4,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return None,
            n => usize::try_from((n - 12) / 2).ok()?,
        };
        let v = bytes.get(body..body.checked_add(size)?)?;
        body += size;
        fields.push(match t {
            0 => Field::Null,
            8 => Field::Int(0),
            9 => Field::Int(1),
            1..=6 => {
                // Big-endian two's complement of `size` bytes.
                let mut x: i64 = if v[0] & 0x80 != 0 { -1 } else { 0 };
                for b in v {
                    x = (x << 8) | i64::from(*b);
                }
                Field::Int(x)
            }
            7 => Field::Real(f64::from_bits(u64::from_be_bytes(v.try_into().ok()?))),
            n if n % 2 == 0 => Field::Blob(v.to_vec()),
            _ => Field::Text(v.to_vec()),
        });
    }
    (body == bytes.len()).then_some(fields)
}

/// Decides whether `data` (a page's usable bytes, not page 1) is a b-tree page whose
/// every byte is accounted for: header, cell pointers, cells, free blocks and exactly the
/// number of fragmented bytes the header records. Used to find the page size of a file
/// whose header cannot be trusted.
pub fn is_whole_page(data: &[u8]) -> bool {
    let n = data.len();
    let kind = data[0];
    let interior = match kind {
        INDEX_INTERIOR | TABLE_INTERIOR => true,
        INDEX_LEAF | TABLE_LEAF => false,
        _ => return false,
    };
    let (Some(mut free), Some(ncell), Some(mut content)) =
        (u16_at(data, 1), u16_at(data, 3), u16_at(data, 5))
    else {
        return false;
    };
    if content == 0 {
        content = 65536;
    }
    let frag = usize::from(data[7]);
    if content > n || ncell == 0 {
        return false;
    }
    let mut used = vec![false; n];
    used[..content].fill(true);
    if free != 0 && free <= content {
        return false;
    }
    let mut hops = 0;
    while free != 0 {
        hops += 1;
        let (Some(next), Some(size)) = (u16_at(data, free), u16_at(data, free + 2)) else {
            return false;
        };
        if free + size > n || size < 4 || (next != 0 && next < free + size) || hops > n {
            return false;
        }
        used[free..free + size].fill(true);
        free = next;
    }
    let ptrs = if interior { 12 } else { 8 };
    if ptrs + 2 * ncell > content {
        return false;
    }
    let geo = Geometry {
        usable: n,
        page_count: u32::MAX,
    };
    for i in 0..ncell {
        let Some(off) = u16_at(data, ptrs + 2 * i) else {
            return false;
        };
        if off < content || off >= n {
            return false;
        }
        // The cell's size on this page, overflow pages not followed.
        let Some(len) = local_cell_size(kind, &data[off..], geo) else {
            return false;
        };
        if off + len > n || used[off..off + len].iter().any(|u| *u) {
            return false;
        }
        used[off..off + len].fill(true);
    }
    used.iter().filter(|u| !**u).count() == frag
}

/// The bytes a cell takes on its page.
fn local_cell_size(kind: u8, a: &[u8], geo: Geometry) -> Option<usize> {
    let mut i = if matches!(kind, INDEX_INTERIOR | TABLE_INTERIOR) {
        4
    } else {
        0
    };
    let (payload, n) = varint(a.get(i..)?)?;
    i += n;
    if kind == TABLE_INTERIOR {
        return Some(i);
    }
    if kind == TABLE_LEAF {
        let (_, n) = varint(a.get(i..)?)?;
        i += n;
    }
    let u = geo.usable;
    let payload = usize::try_from(payload).ok()?;
    let max_local = if kind == TABLE_LEAF {
        u.checked_sub(35)?
    } else {
        ((u.checked_sub(12)?) * 64 / 255).checked_sub(23)?
    };
    let min_local = ((u - 12) * 32 / 255).checked_sub(23)?;
    if payload <= max_local {
        return Some(i + payload);
    }
    let k = min_local + (payload - min_local) % (u - 4);
    Some(i + if k <= max_local { k } else { min_local } + 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
    }

    #[test]
    fn records_must_add_up() {
        // header 4 bytes: types 1 (int8), 13+2*2=17 (text of 2), 0 (NULL)
        let r = [4, 1, 17, 0, 0xff, b'h', b'i'];
        assert_eq!(
            record(&r),
            Some(vec![
                Field::Int(-1),
                Field::Text(b"hi".to_vec()),
                Field::Null
            ])
        );
        assert_eq!(record(&r[..6]), None, "body too short");
        let mut long = r.to_vec();
        long.push(0);
        assert_eq!(record(&long), None, "bytes left over");
        assert_eq!(record(&[2, 10]), None, "reserved serial type");
        assert_eq!(record(&[0]), None, "header size below its own varint");
        assert_eq!(record(&[]), None);
    }

    #[test]
    fn a_leaf_page_gives_its_cells() {
        let mut p = vec![0u8; 512];
        p[0] = TABLE_LEAF;
        p[3..5].copy_from_slice(&1u16.to_be_bytes());
        // One cell at 500: payload 2, rowid 7, record [2, 9]: one field, the integer 1.
        let cell = [2u8, 7, 2, 9];
        p[5..7].copy_from_slice(&500u16.to_be_bytes());
        p[8..10].copy_from_slice(&500u16.to_be_bytes());
        p[500..504].copy_from_slice(&cell);
        let page = Page::parse(2, &p).unwrap();
        let geo = Geometry {
            usable: 512,
            page_count: 2,
        };
        let cells = page.cells(&p, geo, &mut |_| None);
        assert_eq!(
            cells,
            vec![Cell {
                child: None,
                rowid: Some(7),
                fields: vec![Field::Int(1)]
            }]
        );
        // The same cell pointed at twice is taken once.
        let mut q = p.clone();
        q[3..5].copy_from_slice(&2u16.to_be_bytes());
        q[10..12].copy_from_slice(&500u16.to_be_bytes());
        assert_eq!(
            Page::parse(2, &q)
                .unwrap()
                .cells(&q, geo, &mut |_| None)
                .len(),
            1
        );
        assert!(Page::parse(2, &[0u8; 512]).is_none());
    }
}
