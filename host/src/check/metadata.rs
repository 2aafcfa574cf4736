//! The metadata checks: `list-tables`, `list-columns`, `determinism` and
//! `reset-metadata`.

use super::probe::{Failure, Probe};
use super::{CheckName, Findings, Results};
use crate::connector::model::{ColumnInfo, DataType, ErrorKind, Property, TableInfo, TableType};
use crate::runtime::Operation;
use crate::runtime::block_on;
use serde::Serialize;
use std::collections::HashSet;

/// A schema no connector has; filtering on it must list nothing.
const NO_SUCH_SCHEMA: &str = "SyncportCheckNoSuchSchema";
/// A table no connector has; its columns must be a not-found error.
const NO_SUCH_TABLE: &str = "SyncportCheckNoSuchTable";

/// One table and its columns, when `list-columns` answered.
struct Table {
    info: TableInfo,
    columns: Option<Vec<ColumnInfo>>,
}

/// Runs the four metadata checks with `config`, which `test` accepted.
pub(crate) fn check(results: &mut Results, probe: &mut Probe, config: &[Property]) {
    let mut findings = Findings::default();
    let Some(tables) = probe.list_tables(config, None, &[]).value(&mut findings, "list-tables") else {
        results.put(CheckName::ListTables, findings);
        for name in [CheckName::ListColumns, CheckName::Determinism, CheckName::ResetMetadata] {
            results.put(name, Findings::skipped("needs `list-tables` to answer first"));
        }
        return;
    };
    list_tables(&mut findings, probe, config, &tables);
    results.put(CheckName::ListTables, findings);

    let mut findings = Findings::default();
    let columns = list_columns(&mut findings, probe, config, &tables);
    results.put(CheckName::ListColumns, findings);
    results.put(CheckName::Determinism, determinism(probe, config, &tables, &columns));
    results.put(CheckName::ResetMetadata, reset_metadata(probe, config, &tables, &columns));
}

/// A table type as the WIT spells it.
fn type_name(t: TableType) -> &'static str {
    match t {
        TableType::Table => "table",
        TableType::View => "view",
        TableType::Synonym => "synonym",
    }
}

/// Whether `name` is 1 to 128 printable characters.
fn printable(name: &str) -> bool {
    !name.trim().is_empty() && name.len() <= 128 && !name.chars().any(char::is_control)
}

/// The table's identity: schema and name, case-insensitively.
fn key(t: &TableInfo) -> (String, String) {
    (t.schema.to_lowercase(), t.name.to_lowercase())
}

/// The `list-tables` rules on the unfiltered list `tables`, then the filters.
fn list_tables(findings: &mut Findings, probe: &mut Probe, config: &[Property], tables: &[TableInfo]) {
    // A destination alone may have no table until a job writes one.
    let roles = probe.plugin().info().roles;
    let destination_only = roles.destination && !roles.source;
    if tables.is_empty() && !destination_only {
        findings.problem("list-tables returned no table: a connection must expose at least one");
    }
    let mut seen = HashSet::new();
    for t in tables {
        if !printable(&t.name) || !printable(&t.schema) {
            findings.problem(format!(
                "table `{}`: schema and name must each be 1 to 128 printable characters",
                t.qualified_name().escape_debug()
            ));
        }
        if !seen.insert(key(t)) {
            findings.problem(format!(
                "table `{}` is listed twice: names are unique within a schema (case-insensitively)",
                t.qualified_name()
            ));
        }
    }
    let mut schemas: Vec<&str> = Vec::new();
    for t in tables {
        if !schemas.iter().any(|s| s.eq_ignore_ascii_case(&t.schema)) {
            schemas.push(&t.schema);
        }
    }
    for schema in schemas {
        let expected: Vec<&TableInfo> = tables.iter().filter(|t| t.schema.eq_ignore_ascii_case(schema)).collect();
        // Compared case-insensitively: ask in another case too.
        let other_case = if schema.to_uppercase() != schema { schema.to_uppercase() } else { schema.to_lowercase() };
        for asked in [schema.to_string(), other_case] {
            let filter = format!("schema filter `{asked}`");
            filtered(findings, probe, config, (Some(&asked), &[]), &filter, tables, &expected);
        }
    }
    let filter = format!("schema filter `{NO_SUCH_SCHEMA}` (no such schema)");
    filtered(findings, probe, config, (Some(NO_SUCH_SCHEMA), &[]), &filter, tables, &[]);
    for table_type in TableType::ALL {
        let expected: Vec<&TableInfo> = tables.iter().filter(|t| t.table_type == table_type).collect();
        let filter = format!("type filter [{}]", type_name(table_type));
        filtered(findings, probe, config, (None, &[table_type]), &filter, tables, &expected);
    }
    if findings.is_clean() {
        let count = |ty| tables.iter().filter(|t| t.table_type == ty).count();
        findings.covered(format!(
            "{} tables, {} views, {} synonyms; schema and type filters honoured",
            count(TableType::Table),
            count(TableType::View),
            count(TableType::Synonym)
        ));
    }
}

/// Lists tables with `filter` and checks the answer is exactly `expected`:
/// a subset of the unfiltered `all` that matches the filter, leaving none out.
fn filtered(
    findings: &mut Findings,
    probe: &mut Probe,
    config: &[Property],
    (schema, types): (Option<&str>, &[TableType]),
    filter: &str,
    all: &[TableInfo],
    expected: &[&TableInfo],
) {
    let what = format!("list-tables with {filter}");
    let Some(got) = probe.list_tables(config, schema, types).value(findings, &what) else { return };
    let wanted: HashSet<_> = expected.iter().map(|t| key(t)).collect();
    let known: HashSet<_> = all.iter().map(key).collect();
    let returned: HashSet<_> = got.iter().map(key).collect();
    let unknown: Vec<String> = got.iter().filter(|t| !known.contains(&key(t))).map(TableInfo::qualified_name).collect();
    let unmatched: Vec<String> = got
        .iter()
        .filter(|t| known.contains(&key(t)) && !wanted.contains(&key(t)))
        .map(TableInfo::qualified_name)
        .collect();
    let left_out: Vec<String> =
        expected.iter().filter(|t| !returned.contains(&key(t))).map(|t| t.qualified_name()).collect();
    if !unknown.is_empty() {
        findings.problem(format!("{what} returned tables the unfiltered list lacks: {}", names(&unknown)));
    }
    if !unmatched.is_empty() {
        findings.problem(format!("{what} returned tables that do not match it: {}", names(&unmatched)));
    }
    if !left_out.is_empty() {
        findings.problem(format!("{what} left out tables that match it: {}", names(&left_out)));
    }
}

/// Up to five names in backquotes, then how many more.
fn names(names: &[String]) -> String {
    let mut shown: Vec<String> = names.iter().take(5).map(|n| format!("`{n}`")).collect();
    if names.len() > 5 {
        shown.push(format!("and {} more", names.len() - 5));
    }
    shown.join(", ")
}

/// `list-columns` of every table, each checked; each table once, with its columns.
fn list_columns(findings: &mut Findings, probe: &mut Probe, config: &[Property], tables: &[TableInfo]) -> Vec<Table> {
    let mut seen = HashSet::new();
    let mut done = Vec::new();
    let mut column_count = 0;
    for info in tables {
        if !seen.insert(key(info)) {
            continue;
        }
        let name = info.qualified_name();
        let columns = probe.list_columns(config, &name).value(findings, &format!("list-columns of `{name}`"));
        if let Some(columns) = &columns {
            column_count += columns.len();
            check_columns(findings, &name, columns);
        }
        done.push(Table { info: info.clone(), columns });
    }
    if let Some(first) = done.iter().find(|t| t.columns.is_some() && !t.info.schema.is_empty()) {
        let bare = &first.info.name;
        let what = format!("list-columns of `{bare}` (not schema-qualified)");
        if let Some(columns) = probe.list_columns(config, bare).value(findings, &what)
            && Some(&columns) != first.columns.as_ref()
        {
            findings.problem(format!("{what} differs from list-columns of `{}`", first.info.qualified_name()));
        }
    }
    let what = format!("list-columns of the unknown table `{NO_SUCH_TABLE}`");
    let expected = "it must fail as not-found";
    match probe.list_columns(config, NO_SUCH_TABLE).result {
        Err(Failure::Connector(e)) if e.kind == ErrorKind::NotFound => {}
        Ok(columns) => findings.problem(format!("{what} returned {} columns: {expected}", columns.len())),
        Err(limit @ Failure::Limit(_)) => findings.skip(limit.to_string()),
        Err(failure) => findings.problem(format!("{what} {failure}: {expected}")),
    }
    if findings.is_clean() {
        findings.covered(format!("{column_count} columns in {} tables", done.len()));
    }
    done
}

/// The rules for the columns of one table.
fn check_columns(findings: &mut Findings, table: &str, columns: &[ColumnInfo]) {
    if columns.is_empty() {
        findings.problem(format!("table `{table}` has no columns: every table needs at least one"));
    }
    let mut seen = HashSet::new();
    for (c, expected) in columns.iter().zip(1u32..) {
        let at = format!("table `{table}`, column `{}`", c.name.escape_debug());
        if !printable(&c.name) {
            findings.problem(format!("{at}: a column name must be 1 to 128 printable characters"));
        }
        if !seen.insert(c.name.to_lowercase()) {
            findings.problem(format!("{at} is listed twice: column names are unique (case-insensitively)"));
        }
        if c.ordinal != expected {
            findings.problem(format!(
                "{at} has ordinal {}, expected {expected}: ordinals count from 1 in the order listed, without gaps",
                c.ordinal
            ));
        }
        let sized = matches!(c.data_type, DataType::String | DataType::Binary);
        if c.length.is_some() && !sized {
            findings.problem(format!("{at} has a length, but only string and binary columns have one"));
        }
        if c.length == Some(0) {
            findings.problem(format!("{at} has length 0; leave the length out when it is not known"));
        }
        match (c.data_type == DataType::Decimal, c.precision, c.scale) {
            (false, None, None) | (true, None, None) => {}
            (false, _, _) => {
                findings.problem(format!("{at} has a precision or scale, but only decimal columns have them"))
            }
            (true, Some(p), Some(s)) if p == 0 || s > p => findings.problem(format!(
                "{at} has precision {p} and scale {s}: precision must be at least 1 and scale at most the precision"
            )),
            (true, None, Some(_)) => findings.problem(format!("{at} has a scale but no precision")),
            (true, _, _) => {}
        }
        if c.primary_key && c.nullable {
            findings.problem(format!("{at} is part of the primary key but nullable: a key column cannot hold null"));
        }
    }
}

/// The `determinism` check: a second run gives the same metadata as the
/// first: `before` (the unfiltered list) and `tables` (with their columns).
fn determinism(probe: &mut Probe, config: &[Property], before: &[TableInfo], tables: &[Table]) -> Findings {
    let mut findings = Findings::default();
    let info = probe.plugin().info().clone();
    let call = probe.plugin().describe_blocking();
    if let Some(again) = probe.record(Operation::Describe, "describe".into(), call).value(&mut findings, "describe")
        && let Some(diff) = difference(&info, &again)
    {
        findings.problem(format!("describe answered differently the second time, at {diff}"));
    }
    if let Some(after) = probe.list_tables(config, None, &[]).value(&mut findings, "list-tables, run again") {
        compare_tables(&mut findings, "in a second run", before, &after);
    }
    for table in tables {
        let Some(before) = &table.columns else { continue };
        let name = table.info.qualified_name();
        let what = format!("list-columns of `{name}`, run again");
        if let Some(after) = probe.list_columns(config, &name).value(&mut findings, &what) {
            compare_columns(&mut findings, "in a second run", &name, before, &after);
        }
    }
    if findings.is_clean() {
        findings.covered(format!(
            "describe, list-tables and list-columns of {} tables gave the same answers twice",
            tables.len()
        ));
    }
    findings
}

/// The `reset-metadata` check: twice in a row (idempotent), in fresh
/// instances as the server calls it, and within one instance (a session, as
/// a job would), after which the metadata must be what it was (`before`,
/// `tables`), descriptions aside (`determinism` covers those).
fn reset_metadata(probe: &mut Probe, config: &[Property], before: &[TableInfo], tables: &[Table]) -> Findings {
    let mut findings = Findings::default();
    for what in ["reset-metadata", "a second reset-metadata"] {
        if probe.reset_metadata(config).value(&mut findings, what).is_none() {
            return findings;
        }
    }
    let mut session = probe.plugin().session(Operation::ListTables);
    let context = "after reset-metadata in the same instance";
    let call = block_on(session.list_tables(config, None, &[]));
    let what = "list-tables in a session".to_string();
    if probe.record(Operation::ListTables, what.clone(), call).value(&mut findings, &what).is_none() {
        return findings;
    }
    for what in ["reset-metadata in the same instance", "a second reset-metadata in the same instance"] {
        let call = block_on(session.reset_metadata(config));
        if probe.record(Operation::ResetMetadata, what.into(), call).value(&mut findings, what).is_none() {
            return findings;
        }
    }
    let call = block_on(session.list_tables(config, None, &[]));
    let what = format!("list-tables {context}");
    if let Some(after) = probe.record(Operation::ListTables, what.clone(), call).value(&mut findings, &what) {
        compare_tables(&mut findings, context, &undescribed(before), &undescribed(&after));
    }
    if let Some(Table { info, columns: Some(before) }) = tables.iter().find(|t| t.columns.is_some()) {
        let name = info.qualified_name();
        let call = block_on(session.list_columns(config, &name));
        let what = format!("list-columns of `{name}` {context}");
        if let Some(after) = probe.record(Operation::ListColumns, what.clone(), call).value(&mut findings, &what) {
            compare_columns(&mut findings, context, &name, &undescribed(before), &undescribed(&after));
        }
    }
    if findings.is_clean() {
        findings.covered("twice in a row, in fresh instances and in one instance; the metadata after it is unchanged");
    }
    findings
}

/// Tables or columns without their descriptions.
fn undescribed<T: Clone + Described>(items: &[T]) -> Vec<T> {
    items.iter().cloned().map(Described::undescribed).collect()
}

/// Metadata with a description.
trait Described {
    /// Itself without its description.
    fn undescribed(self) -> Self;
}

impl Described for TableInfo {
    fn undescribed(self) -> Self {
        Self { description: None, ..self }
    }
}

impl Described for ColumnInfo {
    fn undescribed(self) -> Self {
        Self { description: None, ..self }
    }
}

/// Records how `after` differs from `before` (the first run's tables).
fn compare_tables(findings: &mut Findings, context: &str, before: &[TableInfo], after: &[TableInfo]) {
    if before.len() != after.len() {
        let gone: Vec<String> =
            before.iter().filter(|b| !after.iter().any(|a| key(a) == key(b))).map(TableInfo::qualified_name).collect();
        let new: Vec<String> =
            after.iter().filter(|a| !before.iter().any(|b| key(a) == key(b))).map(TableInfo::qualified_name).collect();
        let mut message = format!("{context}, list-tables returned {} tables instead of {}", after.len(), before.len());
        if !gone.is_empty() {
            message.push_str(&format!("; missing: {}", names(&gone)));
        }
        if !new.is_empty() {
            message.push_str(&format!("; new: {}", names(&new)));
        }
        findings.problem(message);
        return;
    }
    for (b, a) in before.iter().zip(after) {
        if let Some(diff) = difference(b, a) {
            findings.problem(format!("{context}, table `{}` differs at {diff}", b.qualified_name()));
        }
    }
}

/// Records how the columns `after` of `table` differ from `before`.
fn compare_columns(findings: &mut Findings, context: &str, table: &str, before: &[ColumnInfo], after: &[ColumnInfo]) {
    if before.len() != after.len() {
        findings.problem(format!(
            "{context}, list-columns of `{table}` returned {} columns instead of {}",
            after.len(),
            before.len()
        ));
        return;
    }
    for (b, a) in before.iter().zip(after) {
        if let Some(diff) = difference(b, a) {
            findings.problem(format!("{context}, table `{table}`, column `{}` differs at {diff}", b.name));
        }
    }
}

/// Where `a` and `b` first differ, as `path: a-value then b-value`; `None`
/// when they are equal.
fn difference<T: Serialize>(a: &T, b: &T) -> Option<String> {
    let (a, b) = (serde_json::to_value(a).ok()?, serde_json::to_value(b).ok()?);
    first_difference(&a, &b, String::new())
}

fn first_difference(a: &serde_json::Value, b: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        _ if a == b => None,
        (Value::Object(x), Value::Object(y)) => x.iter().find_map(|(k, v)| {
            let path = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            first_difference(v, y.get(k).unwrap_or(&Value::Null), path)
        }),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (v, w))| first_difference(v, w, format!("{path}[{i}]")))
        }
        _ => {
            let show = |v: &Value| {
                let text = v.to_string();
                if text.chars().count() > 80 {
                    format!("{}...", text.chars().take(80).collect::<String>())
                } else {
                    text
                }
            };
            let path = if path.is_empty() { "the answer".into() } else { format!("`{path}`") };
            Some(format!("{path}: {} then {}", show(a), show(b)))
        }
    }
}
