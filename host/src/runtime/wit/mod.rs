//! The WIT package versions the host serves, side by side.
//!
//! Each version has one module (`v0_1` for `syncport:connector@0.1.0`) with
//! its `bindgen!` output, the host side of its imports, and conversions into
//! the host's model ([`crate::connector::model`], shaped like the newest
//! version). The enums here dispatch a call to the module of the
//! component's version; nothing else in the host names a WIT version's
//! generated types. Serving a new version adds a module, a variant to
//! [`WitVersion`], [`Pre`] and [`Instance`], and its arms here.

pub(crate) mod v0_1;

use super::plugin::WitVersion;
use super::state::HostState;
use crate::connector::model;
use wasmtime::component::{InstancePre, Linker};

type Store = wasmtime::Store<HostState>;

/// What a call into a component gives: a wasmtime error (trap, interrupt)
/// or the export's own result, its error in the host's model.
pub(crate) type GuestResult<T> = wasmtime::Result<Result<T, model::ConnectorError>>;

/// The connector export of each served version, newest last.
pub(crate) const EXPORTS: &[(WitVersion, &str)] = &[(WitVersion::V0_1_0, v0_1::EXPORT)];

/// Every `syncport:` interface a component of a served version may import.
pub(crate) const IMPORTS: &[&str] = v0_1::IMPORTS;

/// Adds the host side of every served version's imports to `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    v0_1::add_to_linker(linker)
}

/// The served version whose connector export is among `exports`, the newest
/// if several are.
pub(crate) fn detect(exports: &[&str]) -> Option<WitVersion> {
    EXPORTS.iter().rev().find(|(_, name)| exports.contains(name)).map(|(version, _)| *version)
}

/// A component linked and type-checked against its version's world.
pub(crate) enum Pre {
    /// `syncport:connector@0.1.0`.
    V0_1(v0_1::Pre),
}

/// A live instance of a component.
pub(crate) enum Instance {
    /// `syncport:connector@0.1.0`.
    V0_1(v0_1::Plugin),
}

impl Pre {
    /// Checks `pre`'s exports against the world of `version`.
    pub(crate) fn new(version: WitVersion, pre: InstancePre<HostState>) -> wasmtime::Result<Self> {
        match version {
            WitVersion::V0_1_0 => Ok(Self::V0_1(v0_1::Pre::new(pre)?)),
        }
    }

    /// A new instance in `store`.
    pub(crate) fn instantiate(&self, store: &mut Store) -> wasmtime::Result<Instance> {
        match self {
            Self::V0_1(pre) => pre.instantiate(store).map(Instance::V0_1),
        }
    }
}

impl Instance {
    /// `describe`, converted; the inner error says what breaks the contract.
    pub(crate) fn describe(&self, s: &mut Store) -> GuestResult<Result<model::ConnectorInfo, String>> {
        match self {
            Self::V0_1(p) => v0_1::describe(p, s),
        }
    }

    /// `test` with `config`.
    pub(crate) fn test(&self, s: &mut Store, config: &[model::Property]) -> GuestResult<String> {
        match self {
            Self::V0_1(p) => v0_1::test(p, s, config),
        }
    }

    /// `list-tables` with `config`, a schema filter and a type filter.
    pub(crate) fn list_tables(
        &self,
        s: &mut Store,
        config: &[model::Property],
        schema: Option<&str>,
        types: &[model::TableType],
    ) -> GuestResult<Vec<model::TableInfo>> {
        match self {
            Self::V0_1(p) => v0_1::list_tables(p, s, config, schema, types),
        }
    }

    /// `list-columns` of `table` with `config`.
    pub(crate) fn list_columns(
        &self,
        s: &mut Store,
        config: &[model::Property],
        table: &str,
    ) -> GuestResult<Vec<model::ColumnInfo>> {
        match self {
            Self::V0_1(p) => v0_1::list_columns(p, s, config, table),
        }
    }

    /// `reset-metadata` with `config`.
    pub(crate) fn reset_metadata(&self, s: &mut Store, config: &[model::Property]) -> GuestResult<()> {
        match self {
            Self::V0_1(p) => v0_1::reset_metadata(p, s, config),
        }
    }
}
