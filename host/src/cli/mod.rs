//! Subcommands of `syncport` other than `serve`.

pub mod check;
pub mod client;
pub mod connection;
pub mod connector;
pub mod egress;
pub mod job;
pub mod limits;
pub mod oauth;
pub mod trust;
