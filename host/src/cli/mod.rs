//! Subcommands of `syncport` other than `serve`.

pub mod connector;
pub mod trust;
