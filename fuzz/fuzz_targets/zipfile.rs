//! Fuzz target `zipfile`: the input bytes go to [`litesh::fuzzing::zipfile`], which panics when one
//! of its properties fails.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litesh::fuzzing::zipfile(data));
