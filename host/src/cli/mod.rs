//! Subcommands of `syncport` other than `serve`.

pub mod check;
pub mod connector;
pub mod limits;
pub mod trust;
