//! Fuzz target `roundtrip`: the input bytes go to [`litesh::fuzzing::roundtrip`], which panics when one
//! of its properties fails.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litesh::fuzzing::roundtrip(data));
