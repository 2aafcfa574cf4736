//! Connections: the configured use of a connector version in a workspace.

pub mod model;
pub mod properties;
pub mod settings;
pub mod validate;

pub use model::{Connection, Status};
pub use properties::Properties;
pub use settings::{RefreshInterval, Settings, Verbosity};
