//! WIT `syncport:connector@0.2.0`: the generated bindings, the host side of
//! its imports, and conversions into the host's model, batches included.
//! What 0.1.0 already had converts as there ([`super::convert`]).

use super::GuestResult;
use crate::connector::{batch, model};
use crate::runtime::state::HostState;

/// The store every call of this version runs in.
type Store = wasmtime::Store<HostState>;

wasmtime::component::bindgen!({
    path: "../wit/v0.2",
    world: "syncport:connector/plugin@0.2.0",
    imports: { "syncport:connector/host.log": trappable },
    exports: { default: async },
});

use self::syncport::connector::{host, types};
use exports::syncport::connector::connector as guest;

/// The name under which a 0.2.0 component exports its connector.
pub(crate) const EXPORT: &str = "syncport:connector/connector@0.2.0";

/// The `syncport:` interfaces a 0.2.0 component may import.
pub(crate) const IMPORTS: &[&str] = &["syncport:connector/types@0.2.0", "syncport:connector/host@0.2.0"];

/// The typed pre-instantiated plugin of this version.
pub(crate) type Pre = PluginPre<HostState>;

/// Adds this version's imports (the host `log`) to a linker.
pub(crate) fn add_to_linker(linker: &mut wasmtime::component::Linker<HostState>) -> wasmtime::Result<()> {
    Plugin::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(linker, |s| s)
}

super::convert::shared_conversions!();

/// `describe`, converted (the error says what breaks the contract).
pub(crate) async fn describe(p: &Plugin, s: &mut Store) -> GuestResult<Result<model::ConnectorInfo, String>> {
    let i = guest(p).call_describe(s).await?;
    let roles = model::Roles {
        source: i.roles.contains(types::Roles::SOURCE),
        destination: i.roles.contains(types::Roles::DESTINATION),
    };
    Ok(Ok(connector_info(i.name, i.version, i.display_name, i.description, i.properties, roles)))
}

impl From<model::DataType> for types::DataType {
    fn from(t: model::DataType) -> Self {
        use model::DataType as M;
        match t {
            M::Boolean => Self::Boolean,
            M::Smallint => Self::Smallint,
            M::Integer => Self::Integer,
            M::Bigint => Self::Bigint,
            M::Decimal => Self::Decimal,
            M::Real => Self::Real,
            M::Double => Self::Double,
            M::String => Self::String,
            M::Date => Self::Date,
            M::Time => Self::Time,
            M::Timestamp => Self::Timestamp,
            M::TimestampTz => Self::TimestampTz,
            M::Binary => Self::Binary,
            M::Uuid => Self::Uuid,
            M::Json => Self::Json,
        }
    }
}

impl From<&model::ColumnInfo> for types::ColumnInfo {
    fn from(c: &model::ColumnInfo) -> Self {
        Self {
            name: c.name.clone(),
            data_type: c.data_type.into(),
            nullable: c.nullable,
            ordinal: c.ordinal,
            primary_key: c.primary_key,
            length: c.length,
            precision: c.precision,
            scale: c.scale,
            description: c.description.clone(),
        }
    }
}

impl From<types::ColumnValues> for batch::ColumnValues {
    fn from(v: types::ColumnValues) -> Self {
        use types::ColumnValues as W;
        let text = |t: types::TextValues| batch::TextValues { data: t.data, ends: t.ends };
        match v {
            W::Booleans(v) => Self::Booleans(v),
            W::Integers(v) => Self::Integers(v),
            W::Floats(v) => Self::Floats(v),
            W::Decimals(t) => Self::Decimals(text(t)),
            W::Strings(t) => Self::Strings(text(t)),
            W::Bytes(b) => Self::Bytes(batch::BytesValues { data: b.data, ends: b.ends }),
            W::Dates(v) => Self::Dates(v),
            W::Timestamps(v) => Self::Timestamps(v),
        }
    }
}

impl From<batch::ColumnValues> for types::ColumnValues {
    fn from(v: batch::ColumnValues) -> Self {
        use batch::ColumnValues as M;
        let text = |t: batch::TextValues| types::TextValues { data: t.data, ends: t.ends };
        match v {
            M::Booleans(v) => Self::Booleans(v),
            M::Integers(v) => Self::Integers(v),
            M::Floats(v) => Self::Floats(v),
            M::Decimals(t) => Self::Decimals(text(t)),
            M::Strings(t) => Self::Strings(text(t)),
            M::Bytes(b) => Self::Bytes(types::BytesValues { data: b.data, ends: b.ends }),
            M::Dates(v) => Self::Dates(v),
            M::Timestamps(v) => Self::Timestamps(v),
        }
    }
}

impl From<types::Batch> for batch::Batch {
    fn from(b: types::Batch) -> Self {
        let columns =
            b.columns.into_iter().map(|c| batch::ColumnData { values: c.values.into(), nulls: c.nulls }).collect();
        Self { row_count: b.row_count, columns }
    }
}

impl From<batch::Batch> for types::Batch {
    fn from(b: batch::Batch) -> Self {
        let columns =
            b.columns.into_iter().map(|c| types::ColumnData { values: c.values.into(), nulls: c.nulls }).collect();
        Self { row_count: b.row_count, columns }
    }
}

/// `read` of one page.
pub(crate) async fn read(
    p: &Plugin,
    s: &mut Store,
    config: &[model::Property],
    request: &batch::ReadRequest,
) -> GuestResult<batch::Page> {
    let request = types::ReadRequest {
        table: request.table.clone(),
        columns: request.columns.clone(),
        cursor: request.cursor.clone(),
        batch_size: request.batch_size,
    };
    let page = guest(p).call_read(s, &properties(config), &request).await?;
    Ok(own(page).map(|page| batch::Page { batch: page.batch.into(), next_cursor: page.next_cursor }))
}

/// `prepare` of `table` for `columns`.
pub(crate) async fn prepare(
    p: &Plugin,
    s: &mut Store,
    config: &[model::Property],
    table: &str,
    columns: &[model::ColumnInfo],
) -> GuestResult<()> {
    let columns: Vec<types::ColumnInfo> = columns.iter().map(Into::into).collect();
    guest(p).call_prepare(s, &properties(config), table, &columns).await.map(own)
}

/// `write` of `rows` into `table`; the rows written.
pub(crate) async fn write(
    p: &Plugin,
    s: &mut Store,
    config: &[model::Property],
    table: &str,
    rows: batch::Batch,
) -> GuestResult<u64> {
    guest(p).call_write(s, &properties(config), table, &rows.into()).await.map(own)
}

/// `finish` of `table`.
pub(crate) async fn finish(p: &Plugin, s: &mut Store, config: &[model::Property], table: &str) -> GuestResult<()> {
    guest(p).call_finish(s, &properties(config), table).await.map(own)
}
