//! Fuzz target `recover`: the input bytes go to [`litesh::fuzzing::recover`], which panics when one
//! of its properties fails.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litesh::fuzzing::recover(data));
