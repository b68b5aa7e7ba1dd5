//! Fuzz target `dump_insert`: the input bytes go to [`litesh::fuzzing::dump_insert`], which panics when one
//! of its properties fails.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litesh::fuzzing::dump_insert(data));
