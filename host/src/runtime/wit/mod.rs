//! The WIT package versions the host serves, side by side.
//!
//! Each version has one module (`v0_1` for `syncport:connector@0.1.0`) with
//! its `bindgen!` output, the host side of its imports, and conversions into
//! the host's model ([`crate::connector::model`], shaped like the newest
//! version). The enums here dispatch a call to the module of the
//! component's version; nothing else in the host names a WIT version's
//! generated types. Serving a new version adds a module, a variant to
//! [`WitVersion`], [`Pre`] and [`Instance`], and its arms here.

mod convert;
pub(crate) mod v0_1;
pub(crate) mod v0_2;
pub(crate) mod v0_3;

use super::plugin::WitVersion;
use super::state::HostState;
use crate::connector::{batch, model};
use wasmtime::component::{InstancePre, Linker};

type Store = wasmtime::Store<HostState>;

/// What a call into a component gives: a wasmtime error (trap, interrupt)
/// or the export's own result, its error in the host's model.
pub(crate) type GuestResult<T> = wasmtime::Result<Result<T, model::ConnectorError>>;

/// The connector export of each served version, newest last.
pub(crate) const EXPORTS: &[(WitVersion, &str)] =
    &[(WitVersion::V0_1_0, v0_1::EXPORT), (WitVersion::V0_2_0, v0_2::EXPORT), (WitVersion::V0_3_0, v0_3::EXPORT)];

/// Every `syncport:` interface a component of a served version may import.
pub(crate) const IMPORTS: &[&str] =
    &[v0_1::IMPORTS[0], v0_1::IMPORTS[1], v0_2::IMPORTS[0], v0_2::IMPORTS[1], v0_3::IMPORTS[0], v0_3::IMPORTS[1]];

/// The prefix of the interfaces only 0.3.0 and later may import: outbound
/// HTTP. Components of earlier versions have no network.
pub(crate) const NETWORK_IMPORTS: &str = "wasi:http/";

/// Adds the host side of every served version's imports to `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    v0_1::add_to_linker(linker)?;
    v0_2::add_to_linker(linker)?;
    v0_3::add_to_linker(linker)
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
    /// `syncport:connector@0.2.0`.
    V0_2(v0_2::Pre),
    /// `syncport:connector@0.3.0`.
    V0_3(v0_3::Pre),
}

/// A live instance of a component.
pub(crate) enum Instance {
    /// `syncport:connector@0.1.0`.
    V0_1(v0_1::Plugin),
    /// `syncport:connector@0.2.0`.
    V0_2(v0_2::Plugin),
    /// `syncport:connector@0.3.0`.
    V0_3(v0_3::Plugin),
}

impl Pre {
    /// Checks `pre`'s exports against the world of `version`.
    pub(crate) fn new(version: WitVersion, pre: InstancePre<HostState>) -> wasmtime::Result<Self> {
        match version {
            WitVersion::V0_1_0 => Ok(Self::V0_1(v0_1::Pre::new(pre)?)),
            WitVersion::V0_2_0 => Ok(Self::V0_2(v0_2::Pre::new(pre)?)),
            WitVersion::V0_3_0 => Ok(Self::V0_3(v0_3::Pre::new(pre)?)),
        }
    }

    /// A new instance in `store`.
    pub(crate) async fn instantiate(&self, store: &mut Store) -> wasmtime::Result<Instance> {
        match self {
            Self::V0_1(pre) => pre.instantiate_async(store).await.map(Instance::V0_1),
            Self::V0_2(pre) => pre.instantiate_async(store).await.map(Instance::V0_2),
            Self::V0_3(pre) => pre.instantiate_async(store).await.map(Instance::V0_3),
        }
    }
}

impl Instance {
    /// `describe`, converted; the inner error says what breaks the contract.
    pub(crate) async fn describe(&self, s: &mut Store) -> GuestResult<Result<model::ConnectorInfo, String>> {
        match self {
            Self::V0_1(p) => v0_1::describe(p, s).await,
            Self::V0_2(p) => v0_2::describe(p, s).await,
            Self::V0_3(p) => v0_3::describe(p, s).await,
        }
    }

    /// `test` with `config`.
    pub(crate) async fn test(&self, s: &mut Store, config: &[model::Property]) -> GuestResult<String> {
        match self {
            Self::V0_1(p) => v0_1::test(p, s, config).await,
            Self::V0_2(p) => v0_2::test(p, s, config).await,
            Self::V0_3(p) => v0_3::test(p, s, config).await,
        }
    }

    /// `list-tables` with `config`, a schema filter and a type filter.
    pub(crate) async fn list_tables(
        &self,
        s: &mut Store,
        config: &[model::Property],
        schema: Option<&str>,
        types: &[model::TableType],
    ) -> GuestResult<Vec<model::TableInfo>> {
        match self {
            Self::V0_1(p) => v0_1::list_tables(p, s, config, schema, types).await,
            Self::V0_2(p) => v0_2::list_tables(p, s, config, schema, types).await,
            Self::V0_3(p) => v0_3::list_tables(p, s, config, schema, types).await,
        }
    }

    /// `list-columns` of `table` with `config`.
    pub(crate) async fn list_columns(
        &self,
        s: &mut Store,
        config: &[model::Property],
        table: &str,
    ) -> GuestResult<Vec<model::ColumnInfo>> {
        match self {
            Self::V0_1(p) => v0_1::list_columns(p, s, config, table).await,
            Self::V0_2(p) => v0_2::list_columns(p, s, config, table).await,
            Self::V0_3(p) => v0_3::list_columns(p, s, config, table).await,
        }
    }

    /// `reset-metadata` with `config`.
    pub(crate) async fn reset_metadata(&self, s: &mut Store, config: &[model::Property]) -> GuestResult<()> {
        match self {
            Self::V0_1(p) => v0_1::reset_metadata(p, s, config).await,
            Self::V0_2(p) => v0_2::reset_metadata(p, s, config).await,
            Self::V0_3(p) => v0_3::reset_metadata(p, s, config).await,
        }
    }

    /// `read` of one page; 0.1.0 connectors cannot be sources.
    pub(crate) async fn read(
        &self,
        s: &mut Store,
        config: &[model::Property],
        request: &batch::ReadRequest,
    ) -> GuestResult<batch::Page> {
        match self {
            Self::V0_1(_) => Ok(Err(no_jobs("read"))),
            Self::V0_2(p) => v0_2::read(p, s, config, request).await,
            Self::V0_3(p) => v0_3::read(p, s, config, request).await,
        }
    }

    /// `prepare` of `table` for `columns`; 0.1.0 connectors cannot be destinations.
    pub(crate) async fn prepare(
        &self,
        s: &mut Store,
        config: &[model::Property],
        table: &str,
        columns: &[model::ColumnInfo],
    ) -> GuestResult<()> {
        match self {
            Self::V0_1(_) => Ok(Err(no_jobs("prepare"))),
            Self::V0_2(p) => v0_2::prepare(p, s, config, table, columns).await,
            Self::V0_3(p) => v0_3::prepare(p, s, config, table, columns).await,
        }
    }

    /// `write` of `rows` into `table`; the rows written.
    pub(crate) async fn write(
        &self,
        s: &mut Store,
        config: &[model::Property],
        table: &str,
        rows: batch::Batch,
    ) -> GuestResult<u64> {
        match self {
            Self::V0_1(_) => Ok(Err(no_jobs("write"))),
            Self::V0_2(p) => v0_2::write(p, s, config, table, rows).await,
            Self::V0_3(p) => v0_3::write(p, s, config, table, rows).await,
        }
    }

    /// `finish` of `table`.
    pub(crate) async fn finish(&self, s: &mut Store, config: &[model::Property], table: &str) -> GuestResult<()> {
        match self {
            Self::V0_1(_) => Ok(Err(no_jobs("finish"))),
            Self::V0_2(p) => v0_2::finish(p, s, config, table).await,
            Self::V0_3(p) => v0_3::finish(p, s, config, table).await,
        }
    }
}

/// The error of a job call on a version that has no such export.
fn no_jobs(call: &str) -> model::ConnectorError {
    model::ConnectorError {
        kind: model::ErrorKind::Unsupported,
        message: format!("`{call}` needs a connector on WIT 0.2.0 or later; this one is on 0.1.0"),
        property: None,
        retry_after: None,
    }
}
