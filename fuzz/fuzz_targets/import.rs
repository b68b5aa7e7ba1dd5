//! Fuzz target `import`: the input bytes go to [`litesh::fuzzing::import`], which panics when one
//! of its properties fails.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litesh::fuzzing::import(data));
