//! The content-addressed, compressed snapshot repository (local directory or S3).
