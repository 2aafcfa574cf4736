//! Conversions every WIT version shares. The versions' generated types have
//! the same names and shapes for what 0.1.0 defined, so one macro writes
//! their host side and conversions into [`crate::connector::model`] in each
//! version's module.

/// In a version module that has run `bindgen!` and imported its `types` and
/// `host` interfaces: the `log` import, and conversions of properties,
/// connector info (but its roles), tables, columns and errors.
macro_rules! shared_conversions {
    () => {
        impl types::Host for HostState {}

        impl host::Host for HostState {
            fn log(&mut self, level: types::LogLevel, message: String) -> wasmtime::Result<()> {
                self.logs.push(level.into(), message)
            }
        }

        impl From<types::LogLevel> for model::LogLevel {
            fn from(level: types::LogLevel) -> Self {
                match level {
                    types::LogLevel::Error => Self::Error,
                    types::LogLevel::Info => Self::Info,
                    types::LogLevel::Transfer => Self::Transfer,
                    types::LogLevel::Verbose => Self::Verbose,
                }
            }
        }

        /// Converts a `describe` answer with `roles`; the version must be semver.
        fn connector_info(
            name: String,
            version: String,
            display_name: String,
            description: String,
            properties: Vec<types::PropertySpec>,
            roles: model::Roles,
        ) -> Result<model::ConnectorInfo, String> {
            let version =
                semver::Version::parse(&version).map_err(|e| format!("version `{version}` is not semver: {e}"))?;
            let properties = properties
                .into_iter()
                .map(|p| model::PropertySpec {
                    name: p.name,
                    display_name: p.display_name,
                    description: p.description,
                    required: p.required,
                    secret: p.secret,
                    default_value: p.default_value,
                    allowed_values: p.allowed_values,
                })
                .collect();
            Ok(model::ConnectorInfo {
                name,
                version,
                display_name,
                description,
                properties,
                roles,
                egress: Vec::new(),
                oauth: None,
            })
        }

        /// The configuration as this version passes it.
        fn properties(config: &[model::Property]) -> Vec<types::Property> {
            config.iter().map(|p| types::Property { name: p.name.clone(), value: p.value.clone() }).collect()
        }

        /// A table type as this version passes it.
        fn table_type(t: model::TableType) -> types::TableType {
            match t {
                model::TableType::Table => types::TableType::Table,
                model::TableType::View => types::TableType::View,
                model::TableType::Synonym => types::TableType::Synonym,
            }
        }

        impl From<types::TableInfo> for model::TableInfo {
            fn from(t: types::TableInfo) -> Self {
                Self {
                    schema: t.schema,
                    name: t.name,
                    table_type: match t.table_type {
                        types::TableType::Table => model::TableType::Table,
                        types::TableType::View => model::TableType::View,
                        types::TableType::Synonym => model::TableType::Synonym,
                    },
                    description: t.description,
                }
            }
        }

        impl From<types::DataType> for model::DataType {
            fn from(t: types::DataType) -> Self {
                use types::DataType as W;
                match t {
                    W::Boolean => Self::Boolean,
                    W::Smallint => Self::Smallint,
                    W::Integer => Self::Integer,
                    W::Bigint => Self::Bigint,
                    W::Decimal => Self::Decimal,
                    W::Real => Self::Real,
                    W::Double => Self::Double,
                    W::String => Self::String,
                    W::Date => Self::Date,
                    W::Time => Self::Time,
                    W::Timestamp => Self::Timestamp,
                    W::TimestampTz => Self::TimestampTz,
                    W::Binary => Self::Binary,
                    W::Uuid => Self::Uuid,
                    W::Json => Self::Json,
                }
            }
        }

        impl From<types::ColumnInfo> for model::ColumnInfo {
            fn from(c: types::ColumnInfo) -> Self {
                Self {
                    name: c.name,
                    data_type: c.data_type.into(),
                    nullable: c.nullable,
                    ordinal: c.ordinal,
                    primary_key: c.primary_key,
                    length: c.length,
                    precision: c.precision,
                    scale: c.scale,
                    description: c.description,
                }
            }
        }

        impl From<types::ConnectorError> for model::ConnectorError {
            fn from(e: types::ConnectorError) -> Self {
                use types::ErrorKind as W;
                Self {
                    kind: match e.kind {
                        W::InvalidConfig => model::ErrorKind::InvalidConfig,
                        W::AuthFailed => model::ErrorKind::AuthFailed,
                        W::Unreachable => model::ErrorKind::Unreachable,
                        W::NotFound => model::ErrorKind::NotFound,
                        W::RateLimited => model::ErrorKind::RateLimited,
                        W::Unsupported => model::ErrorKind::Unsupported,
                        W::Internal => model::ErrorKind::Internal,
                    },
                    message: e.message,
                    property: e.property,
                    retry_after: e.retry_after,
                }
            }
        }

        /// The connector's own error, in the host's model.
        fn own<T>(result: Result<T, types::ConnectorError>) -> Result<T, model::ConnectorError> {
            result.map_err(model::ConnectorError::from)
        }

        /// `test` with `config`.
        pub(crate) async fn test(p: &Plugin, s: &mut Store, config: &[model::Property]) -> GuestResult<String> {
            guest(p).call_test(s, &properties(config)).await.map(own)
        }

        /// `list-tables` with `config` and the filters, in the host's model.
        pub(crate) async fn list_tables(
            p: &Plugin,
            s: &mut Store,
            config: &[model::Property],
            schema: Option<&str>,
            types: &[model::TableType],
        ) -> GuestResult<Vec<model::TableInfo>> {
            let types: Vec<_> = types.iter().copied().map(table_type).collect();
            let tables = guest(p).call_list_tables(s, &properties(config), schema, &types).await?;
            Ok(own(tables).map(|t| t.into_iter().map(model::TableInfo::from).collect()))
        }

        /// `list-columns` of `table` with `config`, in the host's model.
        pub(crate) async fn list_columns(
            p: &Plugin,
            s: &mut Store,
            config: &[model::Property],
            table: &str,
        ) -> GuestResult<Vec<model::ColumnInfo>> {
            let columns = guest(p).call_list_columns(s, &properties(config), table).await?;
            Ok(own(columns).map(|c| c.into_iter().map(model::ColumnInfo::from).collect()))
        }

        /// `reset-metadata` with `config`.
        pub(crate) async fn reset_metadata(p: &Plugin, s: &mut Store, config: &[model::Property]) -> GuestResult<()> {
            guest(p).call_reset_metadata(s, &properties(config)).await.map(own)
        }

        /// The guest's exported functions.
        fn guest(plugin: &Plugin) -> &guest::Guest {
            plugin.syncport_connector_connector()
        }
    };
}

pub(crate) use shared_conversions;

/// What WIT 0.2.0 and every later version share beyond 0.1.0: the roles,
/// the conversions of typed rows and the job calls (`read`, `prepare`,
/// `write`, `finish`). Expanded in each version's module, where `types`, `guest`,
/// `Plugin` and `Store` are that version's.
macro_rules! job_conversions {
    () => {
        /// The job endpoints a `describe` answer claims.
        fn roles(roles: types::Roles) -> model::Roles {
            model::Roles {
                source: roles.contains(types::Roles::SOURCE),
                destination: roles.contains(types::Roles::DESTINATION),
            }
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
                let columns = b
                    .columns
                    .into_iter()
                    .map(|c| batch::ColumnData { values: c.values.into(), nulls: c.nulls })
                    .collect();
                Self { row_count: b.row_count, columns }
            }
        }

        impl From<batch::Batch> for types::Batch {
            fn from(b: batch::Batch) -> Self {
                let columns = b
                    .columns
                    .into_iter()
                    .map(|c| types::ColumnData { values: c.values.into(), nulls: c.nulls })
                    .collect();
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
        pub(crate) async fn finish(
            p: &Plugin,
            s: &mut Store,
            config: &[model::Property],
            table: &str,
        ) -> GuestResult<()> {
            guest(p).call_finish(s, &properties(config), table).await.map(own)
        }
    };
}

pub(crate) use job_conversions;
