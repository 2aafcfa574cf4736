//! The three documented connection settings.

use serde::{Deserialize, Serialize};

/// How long cached metadata stays fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub enum RefreshInterval {
    /// Until `reset_metadata` or a reset.
    Never,
    /// One hour.
    Hourly,
    /// One day.
    #[default]
    Daily,
    /// Refreshed when a job starts; served from the cache otherwise.
    #[serde(rename = "Start_of_Job")]
    StartOfJob,
}

/// Which plugin log lines a connection keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Verbosity {
    /// None, not even operations.
    None,
    /// Errors only.
    Error,
    /// Operations and steps.
    #[default]
    Info,
    /// Also payload sizes.
    Transfer,
    /// Also payloads.
    Verbose,
}

impl Verbosity {
    /// The most verbose level of log line kept: `None` keeps none.
    pub fn max_level(self) -> Option<crate::connector::model::LogLevel> {
        use crate::connector::model::LogLevel;
        match self {
            Verbosity::None => None,
            Verbosity::Error => Some(LogLevel::Error),
            Verbosity::Info => Some(LogLevel::Info),
            Verbosity::Transfer => Some(LogLevel::Transfer),
            Verbosity::Verbose => Some(LogLevel::Verbose),
        }
    }
}

/// A connection's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Settings {
    /// How long cached metadata stays fresh (default `Daily`).
    pub metadata_refresh_interval: RefreshInterval,
    /// Which log lines are kept (default `Info`).
    pub logfile_verbosity: Verbosity,
    /// Whether OAuth uses the CData callback URL (default false).
    #[serde(rename = "use_cdata_callback_url")]
    pub use_cdata_callback_url: bool,
}

/// Parses `value` as one of `variants` (their serde names), case-insensitively.
pub fn parse_variant<T: Copy>(value: &str, variants: &[(&str, T)]) -> Option<T> {
    variants.iter().find(|(name, _)| name.eq_ignore_ascii_case(value.trim())).map(|(_, v)| *v)
}

impl RefreshInterval {
    /// Every value with its documented spelling.
    pub const VARIANTS: [(&'static str, RefreshInterval); 4] = [
        ("Never", RefreshInterval::Never),
        ("Hourly", RefreshInterval::Hourly),
        ("Daily", RefreshInterval::Daily),
        ("Start_of_Job", RefreshInterval::StartOfJob),
    ];

    /// How long a cached answer stays fresh; `None` is for ever.
    pub fn max_age(self) -> Option<chrono::Duration> {
        match self {
            RefreshInterval::Hourly => Some(chrono::Duration::hours(1)),
            RefreshInterval::Daily => Some(chrono::Duration::days(1)),
            RefreshInterval::Never | RefreshInterval::StartOfJob => None,
        }
    }
}

impl Verbosity {
    /// Every value with its documented spelling.
    pub const VARIANTS: [(&'static str, Verbosity); 5] = [
        ("None", Verbosity::None),
        ("Error", Verbosity::Error),
        ("Info", Verbosity::Info),
        ("Transfer", Verbosity::Transfer),
        ("Verbose", Verbosity::Verbose),
    ];
}
