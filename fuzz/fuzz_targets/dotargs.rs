//! Fuzz target `dotargs`: the input bytes go to [`litesh::fuzzing::dotargs`], which panics when one
//! of its properties fails.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litesh::fuzzing::dotargs(data));
