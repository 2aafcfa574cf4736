//! Connectors as the host knows them: the model their answers convert into,
//! the registry of installed versions, and component signatures.

pub mod model;
pub mod registry;
pub mod shared;
pub mod signature;
