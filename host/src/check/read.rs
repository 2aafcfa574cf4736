//! The `read` check of sources (WIT 0.2.0): every page matches the columns
//! asked for and the batch size, the cursor moves on to an end, a column
//! subset is honoured, and an unknown table is not-found.

use super::Findings;
use super::probe::{Failure, Observed, Probe};
use crate::connector::batch::{Page, ReadRequest};
use crate::connector::model::{ColumnInfo, ErrorKind, Property};
use crate::runtime::{Operation, Session, block_on};

/// Tables read, the first ones `list-tables` gives.
const TABLES: usize = 3;
/// Rows per page asked for.
const BATCH: u32 = 100;
/// Rows read per table at most; a longer table is read this far.
const MAX_ROWS: u64 = 1_000;
/// A table no connector has.
const NO_SUCH_TABLE: &str = "SyncportCheckNoSuchTable";

/// Runs the check with `config`, which `test` accepted.
pub(crate) fn check(probe: &mut Probe, config: &[Property]) -> Findings {
    let info = probe.plugin().info().clone();
    if !info.roles.source {
        let mut findings = Findings::default();
        findings.covered("not a source (no `source` role in `describe`): nothing to read");
        return findings;
    }
    let mut findings = Findings::default();
    let Some(tables) = probe.list_tables(config, None, &[]).value(&mut findings, "list-tables") else {
        return findings;
    };
    let mut read = (0, 0);
    for table in tables.iter().take(TABLES) {
        let name = table.qualified_name();
        let what = format!("list-columns of `{name}`");
        let Some(columns) = probe.list_columns(config, &name).value(&mut findings, &what) else { continue };
        let Some(mut session) = open(probe, &mut findings) else { return findings };
        read.0 += 1;
        read.1 += whole_table(&mut findings, probe, &mut session, config, &name, &columns);
        if let Some(last) = columns.last() {
            subset(&mut findings, probe, &mut session, config, &name, last);
        }
    }
    if let Some(mut session) = open(probe, &mut findings) {
        unknown_table(&mut findings, probe, &mut session, config);
    }
    findings.covered(format!(
        "{} rows of {} tables in pages of {BATCH} (at most {MAX_ROWS} per table), a one-column read and an \
         unknown table",
        read.1, read.0
    ));
    findings
}

/// A job session of the source, or why there is none.
fn open(probe: &Probe, findings: &mut Findings) -> Option<Session> {
    match block_on(probe.plugin().job_session(Operation::Read, None)) {
        Ok(session) => Some(session),
        Err(error) => {
            findings.skip(format!("could not start the source: {error}"));
            None
        }
    }
}

/// One `read`, recorded.
fn page(
    probe: &mut Probe,
    session: &mut Session,
    config: &[Property],
    request: &ReadRequest,
    what: String,
) -> Observed<Page> {
    let call = block_on(session.read(config, request));
    probe.record(Operation::Read, what, call)
}

/// Reads `table` page by page up to [`MAX_ROWS`]; the rows read.
fn whole_table(
    findings: &mut Findings,
    probe: &mut Probe,
    session: &mut Session,
    config: &[Property],
    table: &str,
    columns: &[ColumnInfo],
) -> u64 {
    let names = columns.iter().map(|c| c.name.clone()).collect();
    let mut request = ReadRequest { table: table.into(), columns: names, cursor: None, batch_size: BATCH };
    let (mut rows, mut pages) = (0, 0);
    while rows < MAX_ROWS {
        pages += 1;
        let what = format!("read of `{table}` (page {pages})");
        let Some(page) = page(probe, session, config, &request, what.clone()).value(findings, &what) else {
            return rows;
        };
        if let Err(problem) = page.batch.check(columns) {
            findings.problem(format!("{what} does not match the columns `list-columns` gives: {problem}"));
            return rows;
        }
        if page.batch.row_count > BATCH {
            findings.problem(format!("{what} holds {} rows for a batch size of {BATCH}", page.batch.row_count));
            return rows;
        }
        rows += u64::from(page.batch.row_count);
        match page.next_cursor {
            None => return rows,
            Some(cursor) if request.cursor.as_ref() == Some(&cursor) => {
                findings.problem(format!(
                    "{what} gives back the cursor it was given (`{cursor}`): a job would never end; return the \
                     cursor of the next page, or none after the last"
                ));
                return rows;
            }
            Some(cursor) => request.cursor = Some(cursor),
        }
    }
    rows
}

/// Reads only `column` of `table`: the page must hold that column alone.
fn subset(
    findings: &mut Findings,
    probe: &mut Probe,
    session: &mut Session,
    config: &[Property],
    table: &str,
    column: &ColumnInfo,
) {
    let request = ReadRequest { table: table.into(), columns: vec![column.name.clone()], cursor: None, batch_size: 10 };
    let what = format!("read of column `{}` of `{table}`", column.name);
    if let Some(page) = page(probe, session, config, &request, what.clone()).value(findings, &what)
        && let Err(problem) = page.batch.check(std::slice::from_ref(column))
    {
        findings.problem(format!("{what} must give that column alone, in that order: {problem}"));
    }
}

/// Reads a table that does not exist: it must fail as not-found.
fn unknown_table(findings: &mut Findings, probe: &mut Probe, session: &mut Session, config: &[Property]) {
    let request = ReadRequest { table: NO_SUCH_TABLE.into(), columns: Vec::new(), cursor: None, batch_size: 10 };
    let what = format!("read of the unknown table `{NO_SUCH_TABLE}`");
    match page(probe, session, config, &request, what.clone()).result {
        Err(Failure::Connector(e)) if e.kind == ErrorKind::NotFound => {}
        Err(Failure::Limit(limit)) => findings.skip(limit),
        Err(failure) => findings.problem(format!("{what} must fail as not-found; it {failure}")),
        Ok(_) => findings.problem(format!("{what} must fail as not-found; it answered with rows")),
    }
}
