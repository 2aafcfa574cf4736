//! Native unit tests: the CSV text, table names, and the file life cycle in
//! a temporary directory standing in for `/data`.

use super::*;
use crate::format::write_value;
use std::sync::atomic::{AtomicUsize, Ordering};
use syncport_connector_sdk::{BatchBuilder, DataType, ErrorKind, Value, column, columns};

fn field(value: Value<'_>, delimiter: u8) -> String {
    let mut out = Vec::new();
    write_value(&mut out, value, delimiter);
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn values_are_formatted_as_documented() {
    assert_eq!(field(Value::Null, b','), "");
    assert_eq!(field(Value::Bool(true), b','), "true");
    assert_eq!(field(Value::Bool(false), b','), "false");
    assert_eq!(field(Value::Integer(-42), b','), "-42");
    assert_eq!(field(Value::Float(0.5), b','), "0.5");
    assert_eq!(field(Value::Float(4.0), b','), "4");
    assert_eq!(field(Value::Float(1e21), b','), "1000000000000000000000");
    assert_eq!(field(Value::Decimal("-12.50"), b','), "-12.50");
    assert_eq!(field(Value::Bytes(&[0, 10, 255]), b','), "000aff");
    assert_eq!(field(Value::Date(19_000), b','), "2022-01-08");
    assert_eq!(field(Value::Timestamp(1_700_000_000_000_001), b','), "2023-11-14T22:13:20.000001Z");
}

#[test]
fn text_is_quoted_only_when_needed() {
    assert_eq!(field(Value::String("plain text"), b','), "plain text");
    assert_eq!(field(Value::String(""), b','), "\"\"", "an empty string is quoted, unlike null");
    assert_eq!(field(Value::String("a,b"), b','), "\"a,b\"");
    assert_eq!(field(Value::String("a,b"), b';'), "a,b", "only the configured delimiter counts");
    assert_eq!(field(Value::String("a;b"), b';'), "\"a;b\"");
    assert_eq!(field(Value::String("a\tb"), b'\t'), "\"a\tb\"");
    assert_eq!(field(Value::String("say \"hi\""), b','), "\"say \"\"hi\"\"\"");
    assert_eq!(field(Value::String("\""), b','), "\"\"\"\"");
    assert_eq!(field(Value::String("line\nbreak"), b','), "\"line\nbreak\"");
    assert_eq!(field(Value::String("cr\r"), b','), "\"cr\r\"");
    assert_eq!(field(Value::String("héllo"), b'|'), "héllo");
}

fn sample_columns() -> Vec<ColumnInfo> {
    columns([
        column("Id", DataType::Bigint).key(),
        column("Name, full", DataType::String),
        column("Day", DataType::Date),
    ])
}

fn sample_batch(first: i64) -> Batch {
    let mut b = BatchBuilder::for_columns(&sample_columns(), 2);
    b.push_row(&[Value::Integer(first), Value::String("Ann \"A\""), Value::Date(0)]).expect("fits");
    b.push_row(&[Value::Integer(first + 1), Value::Null, Value::Null]).expect("fits");
    b.finish()
}

#[test]
fn a_batch_is_lines_of_fields() {
    let mut out = Vec::new();
    format_header(&mut out, &sample_columns(), b',');
    format_batch(&mut out, &sample_batch(1), b',');
    assert_eq!(String::from_utf8(out).expect("UTF-8"), "Id,\"Name, full\",Day\n1,\"Ann \"\"A\"\"\",1970-01-01\n2,,\n");
}

#[test]
fn table_names_must_be_file_names() {
    for good in ["Customers", "QuickBooksOnline.Customers", "a b", "Ünïcode", ".hidden"] {
        check_table_name(good).unwrap_or_else(|e| panic!("{good}: {e:?}"));
    }
    for bad in ["", "a/b", "/etc", "a\\b", "..", "a..b", "nul\0", "tab\t", "new\nline", "esc\u{1b}"] {
        let e = check_table_name(bad).expect_err(bad);
        assert_eq!(e.kind, ErrorKind::InvalidConfig, "{bad:?}");
        assert!(e.message.contains("file name"), "{}", e.message);
    }
}

/// A fresh directory under the system's temporary directory.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("syncport-csv-test-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("temp dir");
        Self(path)
    }

    fn read(&self, name: &str) -> Option<String> {
        fs::read_to_string(self.0.join(name)).ok()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

const COMMA_HEADER: Options = Options { delimiter: b',', header: true };

#[test]
fn prepare_write_finish_makes_the_file_as_a_whole() {
    let dir = TempDir::new();
    let root = dir.0.as_path();
    fs::write(root.join("T.csv"), "old\n").expect("an older file");
    prepare_in(root, COMMA_HEADER, "T", &sample_columns()).expect("prepares");
    assert_eq!(dir.read("T.csv.partial").as_deref(), Some("Id,\"Name, full\",Day\n"));
    assert_eq!(write_in(root, COMMA_HEADER, "T", &sample_batch(1)).expect("writes"), 2);
    assert_eq!(write_in(root, COMMA_HEADER, "T", &sample_batch(3)).expect("writes"), 2);
    assert_eq!(dir.read("T.csv").as_deref(), Some("old\n"), "the old file stays until finish");
    finish_in(root, "T").expect("finishes");
    assert_eq!(dir.read("T.csv.partial"), None);
    let text = dir.read("T.csv").expect("the file");
    assert_eq!(text.lines().count(), 5);
    assert!(text.ends_with("3,\"Ann \"\"A\"\"\",1970-01-01\n4,,\n"), "{text}");

    // Preparing again truncates; without a header the file starts with rows.
    let semicolon = Options { delimiter: b';', header: false };
    prepare_in(root, semicolon, "T", &sample_columns()).expect("prepares");
    write_in(root, semicolon, "T", &sample_batch(7)).expect("writes");
    finish_in(root, "T").expect("finishes");
    assert_eq!(dir.read("T.csv").as_deref(), Some("7;\"Ann \"\"A\"\"\";1970-01-01\n8;;\n"));
}

#[test]
fn unprepared_tables_and_bad_names_are_errors() {
    let dir = TempDir::new();
    let root = dir.0.as_path();
    let e = write_in(root, COMMA_HEADER, "Never", &sample_batch(1)).expect_err("not prepared");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(finish_in(root, "Never").expect_err("not prepared").kind, ErrorKind::NotFound);
    for call in [
        prepare_in(root, COMMA_HEADER, "../escape", &sample_columns()),
        write_in(root, COMMA_HEADER, "a/b", &sample_batch(1)).map(drop),
        finish_in(root, ".."),
    ] {
        assert_eq!(call.expect_err("bad name").kind, ErrorKind::InvalidConfig);
    }
    let missing = dir.0.join("no-such-dir");
    assert_eq!(prepare_in(&missing, COMMA_HEADER, "T", &[]).expect_err("no dir").kind, ErrorKind::Internal);
}

#[test]
fn options_and_describe() {
    let config = |pairs: &[(&str, &str)]| {
        Config::new(pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())), Csv::describe().properties)
    };
    assert_eq!(Options::of(&config(&[])).expect("defaults"), COMMA_HEADER);
    let tab = config(&[(prop::DELIMITER, "TAB"), (prop::HEADER, "false")]);
    assert_eq!(Options::of(&tab).expect("set"), Options { delimiter: b'\t', header: false });
    let bad = config(&[(prop::DELIMITER, ":")]);
    assert_eq!(bad.validate().expect_err("not allowed").property.as_deref(), Some(prop::DELIMITER));
    assert_eq!(Csv::roles(), Roles::DESTINATION);
    let info = Csv::describe();
    assert_eq!((info.name.as_str(), info.version.as_str()), ("CSV", "1.0.0"));
    let message = Csv.test(&config(&[])).expect("test");
    assert!(message.contains("connection's directory"), "{message}");
}
