//! Fuzz target `hexdb`: the input bytes go to [`litesh::fuzzing::hexdb`], which panics when one
//! of its properties fails.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litesh::fuzzing::hexdb(data));
