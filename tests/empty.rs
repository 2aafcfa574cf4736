//! Nothing here: the tests live in the `syncport` test binary (main.rs).
