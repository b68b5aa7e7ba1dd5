//! `generate_series(START, STOP, STEP)`: the table-valued function of sqlite3 3.40.1's
//! series extension.
//!
//! It is an eponymous virtual table `(value, start HIDDEN, stop HIDDEN, step HIDDEN)`; the
//! arguments are equality constraints on the hidden columns. The 3.40.1 behaviour kept here
//! (rusqlite's own `series` module differs on several points, so it is not used):
//! * START is required: without a usable `start=` constraint planning fails with
//!   `first argument to "generate_series()" missing or unusable`;
//! * STOP defaults to 4294967295, STEP to 1; a STEP of 0 counts as 1; a negative STEP walks
//!   from the top down (unless the query asks for ascending `value` order);
//! * arguments convert like `sqlite3_value_int64` (`'3'` → 3, `5.7` → 5, `'abc'` → 0);
//! * any NULL argument gives no rows;
//! * constraints on `value` (`WHERE value BETWEEN …`) are left to SQLite to filter;
//! * `ORDER BY value` is served from the table when START and STOP are both given;
//! * 64-bit arithmetic wraps, as in C, so a series that reaches `i64::MAX` carries on from
//!   `i64::MIN` (3.40.1 then runs until interrupted).

use std::ffi::c_int;

use rusqlite::vtab::{Context, Filters, IndexConstraintOp, IndexInfo, VTabConfig};

use super::{sql_error, value};
use crate::exec::raw::{DbHandle, TableCursor, TableFunction};

/// Bits of the plan number (`idxNum`).
const HAS_START: c_int = 1;
const HAS_STOP: c_int = 2;
const HAS_STEP: c_int = 4;
const DESCENDING: c_int = 8;
const ASCENDING: c_int = 16;

/// Column numbers.
const COL_START: c_int = 1;
const COL_STOP: c_int = 2;
const COL_STEP: c_int = 3;

/// The `generate_series` table.
pub struct Series;

/// A walk over one series.
#[derive(Default)]
pub struct SeriesCursor {
    descending: bool,
    rowid: i64,
    value: i64,
    min: i64,
    max: i64,
    step: i64,
}

impl TableFunction for Series {
    type Cursor = SeriesCursor;
    type Aux = ();
    const SCHEMA: &'static std::ffi::CStr =
        c"CREATE TABLE x(value,start hidden,stop hidden,step hidden)";
    const CONFIG: VTabConfig = VTabConfig::Innocuous;

    fn connect(_db: DbHandle, _aux: Option<&()>) -> Self {
        Series
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<bool> {
        let mut plan = 0;
        let mut unusable = 0;
        let mut start_seen = false;
        // Constraint index for start, stop and step.
        let mut chosen: [Option<usize>; 3] = [None; 3];
        for (i, c) in info.constraints().enumerate() {
            let col = c.column();
            if col < COL_START {
                continue;
            }
            let slot = (col - COL_START) as usize;
            let bit = 1 << slot;
            if col == COL_START {
                start_seen = true;
            }
            if !c.is_usable() {
                unusable |= bit;
            } else if c.operator() == IndexConstraintOp::SQLITE_INDEX_CONSTRAINT_EQ {
                plan |= bit;
                chosen[slot] = Some(i);
            }
        }
        let mut argv = 0;
        for i in chosen.into_iter().flatten() {
            argv += 1;
            let mut usage = info.constraint_usage(i);
            usage.set_argv_index(argv);
            usage.set_omit(true);
        }
        if !start_seen {
            return Err(sql_error(
                "first argument to \"generate_series()\" missing or unusable",
            ));
        }
        if unusable & !plan != 0 {
            return Ok(false);
        }
        if plan & (HAS_START | HAS_STOP) == HAS_START | HAS_STOP {
            info.set_estimated_cost(if plan & HAS_STEP != 0 { 1.0 } else { 2.0 });
            info.set_estimated_rows(1000);
            let first_order = info
                .order_bys()
                .next()
                .map(|o| (o.column(), o.is_order_by_desc()));
            if let Some((0, desc)) = first_order {
                plan |= if desc { DESCENDING } else { ASCENDING };
                info.set_order_by_consumed(true);
            }
        } else {
            info.set_estimated_rows(2_147_483_647);
        }
        info.set_idx_num(plan);
        Ok(true)
    }

    fn open(&self) -> SeriesCursor {
        SeriesCursor::default()
    }
}

impl TableCursor for SeriesCursor {
    fn filter(&mut self, idx_num: c_int, args: &Filters<'_>) -> rusqlite::Result<()> {
        let args: Vec<_> = args.iter().collect();
        let mut next_arg = args.iter();
        let mut plan = idx_num;
        let mut take = |bit: c_int| -> Option<i64> {
            if plan & bit != 0 {
                next_arg.next().map(value::int64)
            } else {
                None
            }
        };
        self.min = take(HAS_START).unwrap_or(0);
        self.max = take(HAS_STOP).unwrap_or(0xffff_ffff);
        self.step = match take(HAS_STEP) {
            None | Some(0) => 1,
            Some(s) if s < 0 => {
                if plan & ASCENDING == 0 {
                    plan |= DESCENDING;
                }
                s.wrapping_neg()
            }
            Some(s) => s,
        };
        if args
            .iter()
            .any(|a| matches!(a, rusqlite::types::ValueRef::Null))
        {
            self.min = 1;
            self.max = 0;
        }
        self.descending = plan & DESCENDING != 0;
        self.value = if self.descending {
            let mut top = self.max;
            if self.step > 0 {
                top = top.wrapping_sub(self.max.wrapping_sub(self.min).wrapping_rem(self.step));
            }
            top
        } else {
            self.min
        };
        self.rowid = 1;
        Ok(())
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        self.value = if self.descending {
            self.value.wrapping_sub(self.step)
        } else {
            self.value.wrapping_add(self.step)
        };
        self.rowid = self.rowid.wrapping_add(1);
        Ok(())
    }

    fn eof(&self) -> bool {
        if self.descending {
            self.value < self.min
        } else {
            self.value > self.max
        }
    }

    fn column(&self, ctx: &mut Context, col: c_int) -> rusqlite::Result<()> {
        ctx.set_result(match col {
            COL_START => self.min,
            COL_STOP => self.max,
            COL_STEP => self.step,
            _ => self.value,
        })
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        Ok(self.rowid)
    }
}
