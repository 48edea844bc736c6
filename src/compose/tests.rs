//! Loader tests: real files in temporary directories.
