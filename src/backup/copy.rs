//! `.backup`/`.save`: a consistent point-in-time copy, written under a temporary name and
//! renamed when complete.
