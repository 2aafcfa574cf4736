//! Connectors as the host knows them: the model their answers convert into,
//! the typed rows jobs move, the registry of installed versions, and
//! component signatures.

pub mod batch;
pub mod model;
pub mod publisher;
pub mod registry;
pub mod shared;
pub mod signature;
