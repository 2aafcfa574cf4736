//! The CSV destination connector: every table a job copies into it becomes
//! one file, `<table>.csv`, in the connection's directory (`/data` inside
//! the sandbox). The format is in this crate's `README.md`.
//!
//! `prepare` creates (or truncates) `<table>.csv.partial` and writes the
//! header, every `write` appends a batch to it, and `finish` renames it to
//! `<table>.csv`, replacing an older one: readers never see half a table.
//! Nothing is kept between calls but the `.partial` file.

mod format;
#[cfg(test)]
mod tests;

pub use format::{format_batch, format_header};

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use syncport_connector_sdk::{
    self as sdk, Batch, ColumnInfo, Config, Connector, ConnectorError, ConnectorInfo, Result, Roles,
};

/// The connector's version.
pub const VERSION: &str = "1.0.0";
/// The directory a destination's job calls see: the connection's own.
pub const ROOT: &str = "/data";

/// Property names.
pub mod prop {
    /// The field separator: `,` `;` `|` or `tab`.
    pub const DELIMITER: &str = "Delimiter";
    /// Whether the first line names the columns.
    pub const HEADER: &str = "Header";
}

/// The CSV destination.
#[derive(Debug, Default)]
pub struct Csv;

/// The configured format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The field separator byte.
    pub delimiter: u8,
    /// Whether `prepare` writes a header line.
    pub header: bool,
}

impl Options {
    /// The options of `config` (the SDK has checked the allowed values).
    pub fn of(config: &Config) -> Result<Self> {
        let delimiter = match config.get(prop::DELIMITER).map(str::to_ascii_lowercase).as_deref() {
            None | Some(",") => b',',
            Some(";") => b';',
            Some("|") => b'|',
            Some("tab") => b'\t',
            Some(other) => {
                return Err(ConnectorError::invalid_config(
                    prop::DELIMITER,
                    format!("Property `{}` must be one of , ; | tab; got `{other}`.", prop::DELIMITER),
                ));
            }
        };
        Ok(Self { delimiter, header: config.flag(prop::HEADER)? })
    }

    fn describe(&self) -> String {
        let delimiter =
            if self.delimiter == b'\t' { "tab".to_string() } else { char::from(self.delimiter).to_string() };
        format!("delimiter `{delimiter}`, header {}", if self.header { "on" } else { "off" })
    }
}

impl Connector for Csv {
    fn describe() -> ConnectorInfo {
        sdk::connector_info(
            "CSV",
            VERSION,
            "CSV files",
            "Writes every table a job copies into it as one CSV file (RFC 4180, `\\n` line ends), \
             `<table>.csv`, in the connection's own directory. A table's file is replaced as a \
             whole when the job finishes it.",
            vec![
                sdk::property(prop::DELIMITER, "Delimiter", "The field separator: `,` `;` `|` or `tab`.")
                    .allowed(&[",", ";", "|", "tab"])
                    .default(","),
                sdk::property(prop::HEADER, "Header", "Whether the first line of a file names the columns.")
                    .allowed(&["true", "false"])
                    .default("true"),
            ],
        )
    }

    fn roles() -> Roles {
        Roles::DESTINATION
    }

    fn test(&self, config: &Config) -> Result<String> {
        let options = Options::of(config)?;
        Ok(format!("CSV writes one file per table into the connection's directory ({}).", options.describe()))
    }

    fn prepare(&self, config: &Config, table: &str, columns: &[ColumnInfo]) -> Result<()> {
        prepare_in(Path::new(ROOT), Options::of(config)?, table, columns)
    }

    fn write(&self, config: &Config, table: &str, rows: &Batch) -> Result<u64> {
        write_in(Path::new(ROOT), Options::of(config)?, table, rows)
    }

    fn finish(&self, _config: &Config, table: &str) -> Result<()> {
        finish_in(Path::new(ROOT), table)
    }
}

/// Checks that `table` can be a file name: not empty, no `/`, `\`, `..`,
/// NUL or other control character; an invalid-config error otherwise.
pub fn check_table_name(table: &str) -> Result<()> {
    let problem = if table.is_empty() {
        Some("is empty")
    } else if table.contains(['/', '\\']) {
        Some("contains `/` or `\\`")
    } else if table.contains("..") {
        Some("contains `..`")
    } else if table.chars().any(char::is_control) {
        Some("contains a control character")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(ConnectorError {
            kind: sdk::ErrorKind::InvalidConfig,
            message: format!("The table name {table:?} {problem}: it cannot be a file name."),
            property: None,
            retry_after: None,
        }),
    }
}

fn partial_path(root: &Path, table: &str) -> PathBuf {
    root.join(format!("{table}.csv.partial"))
}

fn io_error(what: &str, path: &Path, error: &io::Error) -> ConnectorError {
    ConnectorError::internal(format!("Could not {what} {}: {error}.", path.display()))
}

/// `prepare` in directory `root`.
pub fn prepare_in(root: &Path, options: Options, table: &str, columns: &[ColumnInfo]) -> Result<()> {
    check_table_name(table)?;
    let path = partial_path(root, table);
    let mut out = Vec::new();
    if options.header {
        format_header(&mut out, columns, options.delimiter);
    }
    fs::write(&path, &out).map_err(|e| io_error("create", &path, &e))?;
    sdk::info!("prepared {table}.csv ({} columns, {})", columns.len(), options.describe());
    Ok(())
}

/// `write` in directory `root`: appends `rows` to the `.partial` file of a
/// prepared table; not-found when the table was not prepared.
pub fn write_in(root: &Path, options: Options, table: &str, rows: &Batch) -> Result<u64> {
    check_table_name(table)?;
    let path = partial_path(root, table);
    let mut file = OpenOptions::new().append(true).open(&path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ConnectorError::not_found(format!("Table `{table}` was not prepared.")),
        _ => io_error("open", &path, &e),
    })?;
    let mut out = Vec::with_capacity(rows.row_count() as usize * (rows.column_count() * 8 + 1));
    format_batch(&mut out, rows, options.delimiter);
    file.write_all(&out).map_err(|e| io_error("write", &path, &e))?;
    sdk::transfer!("wrote {} rows ({} bytes) to {table}.csv.partial", rows.row_count(), out.len());
    Ok(u64::from(rows.row_count()))
}

/// `finish` in directory `root`: renames the `.partial` file to
/// `<table>.csv`, replacing it; not-found when the table was not prepared.
pub fn finish_in(root: &Path, table: &str) -> Result<()> {
    check_table_name(table)?;
    let partial = partial_path(root, table);
    let done = root.join(format!("{table}.csv"));
    fs::rename(&partial, &done).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ConnectorError::not_found(format!("Table `{table}` was not prepared.")),
        _ => io_error("rename", &partial, &e),
    })?;
    sdk::info!("finished {table}.csv");
    Ok(())
}

// The component's `connector` interface (wasm32 only).
sdk::export_connector!(Csv);
