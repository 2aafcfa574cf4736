//! Rows per second through a job (QuickBooks 2.0.0 source -> host -> CSV
//! destination, both sandboxed) against the same rows sent as Singer JSON
//! lines through a pipe from a tap process to a target process, in the same
//! run. The tap generates with the same generator code (natively) and the
//! target writes the same CSV file (natively, with the `csv` crate); the
//! benchmark compares the two files byte for byte and fails where they differ.
//!
//! `cargo xtask plugins && cargo bench -p syncport --bench jobs`

mod support;

use hyper::Method;
use serde_json::{Map, Value, json};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::once;
use syncport_connector_sdk::{ColumnInfo, DataType, Value as Cell, format_date, format_timestamp};

/// Rows per table copied in each round.
const ROWS: u64 = 1_000_000;
/// Rows per page and batch in the job.
const BATCH: u64 = 5_000;
/// The number of columns of the table copied.
const COLUMNS: usize = 10;
/// Rounds of each case, interleaved.
const ROUNDS: usize = 3;
/// Which process this is: unset (the benchmark), `tap` or `target`.
const ROLE: &str = "SYNCPORT_BENCH_ROLE";

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("tap") => tap(),
        Ok("target") => target(),
        _ => tokio::runtime::Runtime::new().expect("runtime").block_on(bench()),
    }
}

/// The table of the source with [`COLUMNS`] columns: its qualified and bare
/// name and its columns (JSON from the API).
async fn table(addr: std::net::SocketAddr, source: &str) -> (String, String, Vec<Value>) {
    let tables = once(addr, Method::GET, &format!("/api.rsc/v2/connections/{source}/tables"), None).await;
    for t in tables["value"].as_array().expect("tables") {
        let (schema, name) = (t["schema"].as_str().expect("schema"), t["name"].as_str().expect("name"));
        let qualified = format!("{schema}.{name}");
        let path = format!("/api.rsc/v2/connections/{source}/tables/{qualified}/columns");
        let columns = once(addr, Method::GET, &path, None).await["value"].as_array().expect("columns").clone();
        if columns.len() == COLUMNS {
            return (qualified, name.to_string(), columns);
        }
    }
    panic!("QuickBooks has no table of {COLUMNS} columns");
}

async fn bench() {
    let data = tempfile::tempdir().expect("data dir");
    let server = support::syncport(data.path(), &support::dist(), &[]);
    let addr = server.addr;
    let books = json!({"name": "Books", "connector": "QuickBooks", "connector_version": "2.0.0", "properties": {
        "CompanyId": "9130357766", "OAuthClientId": "id", "OAuthClientSecret": "secret", "OAuthAccessToken": "token",
        "RowsPerTable": ROWS.to_string()}});
    let connections = "/api.rsc/v2/workspaces/default/connections";
    let source = once(addr, Method::POST, connections, Some(books)).await["id"].as_str().expect("id").to_string();
    let files = json!({"name": "Files", "connector": "CSV"});
    let destination = once(addr, Method::POST, connections, Some(files)).await["id"].as_str().expect("id").to_string();
    let (qualified, bare, columns) = table(addr, &source).await;
    let job = json!({"name": "Bench", "source": source, "destination": destination, "tables": [qualified],
        "batch_size": BATCH});
    let job = once(addr, Method::POST, "/api.rsc/v2/workspaces/default/jobs", Some(job)).await;
    let job = job["id"].as_str().expect("id").to_string();
    let types: Vec<&str> = columns.iter().map(|c| c["data_type"].as_str().expect("type")).collect();
    println!("table {qualified}: {ROWS} rows of {COLUMNS} columns ({})", types.join(", "));

    let out = data.path().join("singer.csv");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let syncport = run_job(addr, &job).await;
        let singer = run_singer(&bare, &columns, &out);
        println!(
            "round {round}: syncport {:.0} rows/s ({:.2} s); singer JSON lines {:.0} rows/s ({:.2} s); ratio {:.2}",
            ROWS as f64 / syncport.as_secs_f64(),
            syncport.as_secs_f64(),
            ROWS as f64 / singer.as_secs_f64(),
            singer.as_secs_f64(),
            singer.as_secs_f64() / syncport.as_secs_f64()
        );
        ours.push(syncport);
        theirs.push(singer);
    }
    let csv = data.path().join("connection-files").join(&destination).join(format!("{bare}.csv"));
    let bytes = same_bytes(&csv, &out);
    println!("output: the job and singer wrote the same {bytes} bytes to {bare}.csv");
    ours.sort();
    theirs.sort();
    let (ours, theirs) = (ours[ROUNDS / 2], theirs[ROUNDS / 2]);
    println!();
    println!("| path | rows/s (median of {ROUNDS}) | time for {ROWS} rows |");
    println!("|---|---:|---:|");
    println!(
        "| Syncport job (source -> host -> destination) | {:.0} | {:.2} s |",
        ROWS as f64 / ours.as_secs_f64(),
        ours.as_secs_f64()
    );
    println!(
        "| Singer JSON lines (tap \\| target) | {:.0} | {:.2} s |",
        ROWS as f64 / theirs.as_secs_f64(),
        theirs.as_secs_f64()
    );
    println!("ratio: {:.2}x (target: at least 3x)", theirs.as_secs_f64() / ours.as_secs_f64());
    drop(server);
}

/// Compares the job's CSV file with Singer's byte for byte; their length.
/// Panics at the first difference, with its offset and line and both
/// lines from there.
fn same_bytes(job: &std::path::Path, singer: &std::path::Path) -> u64 {
    let open = |path: &std::path::Path| {
        BufReader::with_capacity(
            1 << 16,
            std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
    };
    let (mut a, mut b) = (open(job), open(singer));
    let (mut offset, mut line) = (0u64, 1u64);
    loop {
        let (x, y) = (a.fill_buf().expect("read the job's output"), b.fill_buf().expect("read singer's output"));
        if x.is_empty() && y.is_empty() {
            return offset;
        }
        let n = x.len().min(y.len());
        if let Some(i) = (0..n).find(|&i| x[i] != y[i]).or((n == 0).then_some(0)) {
            let at = offset + i as u64;
            let line = line + x[..i].iter().filter(|&&c| c == b'\n').count() as u64;
            let rest = |r: &[u8]| String::from_utf8_lossy(&r[i..(i + 80).min(r.len())]).into_owned();
            panic!(
                "the job's output ({}) and singer's ({}) differ at byte {at} (line {line} of {}): job {:?}, singer {:?}",
                job.display(),
                singer.display(),
                job.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(),
                rest(x),
                rest(y),
            );
        }
        line += x[..n].iter().filter(|&&c| c == b'\n').count() as u64;
        offset += n as u64;
        a.consume(n);
        b.consume(n);
    }
}

/// Runs the job and waits for its end; the run's own duration.
async fn run_job(addr: std::net::SocketAddr, job: &str) -> Duration {
    once(addr, Method::POST, &format!("/api.rsc/v2/jobs/{job}/execute"), None).await;
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let run = once(addr, Method::GET, &format!("/api.rsc/v2/jobs/{job}/status"), None).await;
        match run["status"].as_str() {
            Some("Starting" | "Testing" | "Running") => continue,
            Some("Successful") => {
                assert_eq!(run["rows"], ROWS, "{run}");
                return Duration::from_millis(run["duration_ms"].as_u64().expect("duration"));
            }
            _ => panic!("the job failed: {run}"),
        }
    }
}

/// Runs `tap | target` for `table` and waits for the target; the wall time.
fn run_singer(table: &str, columns: &[Value], out: &std::path::Path) -> Duration {
    let exe = std::env::current_exe().expect("this benchmark");
    let started = Instant::now();
    let mut tap = Command::new(&exe)
        .env(ROLE, "tap")
        .arg(table)
        .arg(Value::from(columns.to_vec()).to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("tap");
    let status = Command::new(&exe)
        .env(ROLE, "target")
        .arg(out)
        .stdin(tap.stdout.take().expect("tap stdout"))
        .status()
        .expect("target");
    assert!(status.success() && tap.wait().expect("tap").success());
    started.elapsed()
}

/// A column of the API's JSON as the SDK's type.
fn column_info(c: &Value) -> ColumnInfo {
    let data_type = match c["data_type"].as_str().expect("type") {
        "boolean" => DataType::Boolean,
        "smallint" => DataType::Smallint,
        "integer" => DataType::Integer,
        "bigint" => DataType::Bigint,
        "decimal" => DataType::Decimal,
        "real" => DataType::Real,
        "double" => DataType::Double,
        "date" => DataType::Date,
        "time" => DataType::Time,
        "timestamp" => DataType::Timestamp,
        "timestamp_tz" => DataType::TimestampTz,
        "binary" => DataType::Binary,
        "uuid" => DataType::Uuid,
        "json" => DataType::Json,
        _ => DataType::String,
    };
    ColumnInfo {
        name: c["name"].as_str().expect("name").to_string(),
        data_type,
        nullable: c["nullable"] == true,
        ordinal: u32::try_from(c["ordinal"].as_u64().expect("ordinal")).expect("small"),
        primary_key: c["primary_key"] == true,
        length: None,
        precision: None,
        scale: None,
        description: None,
    }
}

/// The tap: a SCHEMA message, then one RECORD message per row, as JSON lines.
fn tap() {
    let args: Vec<String> = std::env::args().collect();
    let table = &args[1];
    let columns: Vec<Value> = serde_json::from_str(&args[2]).expect("columns");
    let infos: Vec<ColumnInfo> = columns.iter().map(column_info).collect();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let names: Vec<&str> = infos.iter().map(|c| c.name.as_str()).collect();
    let schema = json!({"type": "SCHEMA", "stream": table, "schema": {"properties": {}}, "columns": names});
    writeln!(out, "{schema}").expect("write");
    let mut scratch = syncport_generator::Scratch::default();
    for row in 0..ROWS {
        let mut record = Map::with_capacity(infos.len());
        for column in &infos {
            let value = match syncport_generator::value(table, column, row, &mut scratch) {
                Cell::Null => Value::Null,
                Cell::Bool(b) => Value::Bool(b),
                Cell::Integer(i) => Value::from(i),
                Cell::Float(f) => Value::from(f),
                Cell::Decimal(s) | Cell::String(s) => Value::from(s),
                Cell::Bytes(b) => Value::from(b.iter().map(|x| format!("{x:02x}")).collect::<String>()),
                Cell::Date(d) => Value::from(format_date(d)),
                Cell::Timestamp(t) => Value::from(format_timestamp(t)),
            };
            record.insert(column.name.clone(), value);
        }
        let message = json!({"type": "RECORD", "stream": table, "record": record});
        serde_json::to_writer(&mut out, &message).expect("write");
        out.write_all(b"\n").expect("write");
    }
    out.flush().expect("flush");
}

/// The target: reads the messages and writes the records as CSV.
fn target() {
    let path = std::env::args().nth(1).expect("output path");
    let mut csv =
        csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, std::fs::File::create(path).expect("out")));
    let mut columns: Vec<String> = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    for line in BufReader::with_capacity(1 << 16, std::io::stdin().lock()).lines() {
        let message: Value = serde_json::from_str(&line.expect("line")).expect("a JSON message");
        match message["type"].as_str() {
            Some("SCHEMA") => {
                columns = message["columns"]
                    .as_array()
                    .expect("columns")
                    .iter()
                    .map(|c| c.as_str().expect("name").to_string())
                    .collect();
                csv.write_record(&columns).expect("header");
            }
            Some("RECORD") => {
                fields.clear();
                for column in &columns {
                    fields.push(match &message["record"][column] {
                        Value::Null => String::new(),
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    });
                }
                csv.write_record(&fields).expect("record");
            }
            _ => {}
        }
    }
    csv.flush().expect("flush");
}
