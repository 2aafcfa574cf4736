//! Connectors as the host knows them: the model their answers convert into,
//! and the registry of installed versions.

pub mod model;
pub mod registry;
