//! Reliability under hostile conditions (docs/reliability.md): hostile
//! input, hostile plugins under load, and no lost writes, including across a
//! SIGKILL of the real server process.

mod hostile_input;
mod hostile_plugins;
mod killed_run;
mod lost_writes;
mod server;
mod storm;
