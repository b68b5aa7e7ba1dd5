//! Fuzz target `manifest`: the input bytes go to [`litesh::fuzzing::manifest`], which panics when one
//! of its properties fails.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litesh::fuzzing::manifest(data));
