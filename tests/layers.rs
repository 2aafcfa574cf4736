//! The layers of `host/src`: each top-level module imports only from
//! modules below it, so the graph of their `crate::` references has no
//! cycle (docs/architecture.md). Read from the source text: `use crate::a`,
//! paths such as `crate::a::b` anywhere in code, grouped `use crate::{a,
//! b::c}`, `super::` chains that climb out of a top-level module, and the
//! binary's `syncport::a`. Comment lines are not code and are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `host/src`.
fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules (`a.rs` or `a/`) and the files of each. `lib.rs`
/// is the root; `main.rs` is the binary's, counted as a module of its own.
fn top_level_modules() -> BTreeMap<String, Vec<PathBuf>> {
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(src()).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().expect("a name").to_string_lossy().into_owned();
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" {
            files.push(path);
        } else {
            continue;
        }
        modules.insert(name, files);
    }
    modules
}

/// How deep `file`'s module sits below the crate root: `a.rs` and
/// `a/mod.rs` 1, `a/b.rs` 2, ...
fn depth(file: &Path) -> usize {
    let relative = file.strip_prefix(src()).expect("under src");
    let parts = relative.components().count();
    if file.file_name().is_some_and(|n| n == "mod.rs") { parts - 1 } else { parts }
}

/// The identifier at the start of `text`.
fn ident(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

/// The first segment of each path of a `{...}` group at the start of
/// `text` (after the brace).
fn group_heads(text: &str) -> Vec<&str> {
    let (mut heads, mut level, mut start) = (Vec::new(), 0usize, true);
    for (i, c) in text.char_indices() {
        match c {
            '{' => level += 1,
            '}' if level == 0 => break,
            '}' => level -= 1,
            ',' if level == 0 => start = true,
            c if start && !c.is_whitespace() => {
                heads.push(ident(&text[i..]));
                start = false;
            }
            _ => {}
        }
    }
    heads
}

/// The top-level names a text of code refers to.
fn references(line: &str, depth: usize) -> Vec<String> {
    let mut names = Vec::new();
    for prefix in ["crate::", "syncport::"] {
        for (at, _) in line.match_indices(prefix) {
            let before = line[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &line[at + prefix.len()..];
            match rest.strip_prefix('{') {
                Some(group) => names.extend(group_heads(group).into_iter().map(str::to_string)),
                None => names.push(ident(rest).to_string()),
            }
        }
    }
    // `super::super::a` from depth 2 names the top-level `a`.
    for (at, _) in line.match_indices("super::") {
        if line[..at].ends_with("super::") || line[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let mut rest = &line[at..];
        let mut climbs = 0;
        while let Some(next) = rest.strip_prefix("super::") {
            climbs += 1;
            rest = next;
        }
        if climbs >= depth {
            match rest.strip_prefix('{') {
                Some(group) => names.extend(group_heads(group).into_iter().map(str::to_string)),
                None => names.push(ident(rest).to_string()),
            }
        }
    }
    names
}

/// Each top-level module and the other top-level modules it refers to.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = top_level_modules();
    let mut graph = BTreeMap::new();
    for (name, files) in &modules {
        let mut uses = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(file).expect("read source");
            // The code as one text, so that a `use crate::{` group that
            // rustfmt spreads over several lines is read whole.
            let code: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
            for used in references(&code.join("\n"), depth(file)) {
                if used != *name && modules.contains_key(&used) {
                    uses.insert(used);
                }
            }
        }
        graph.insert(name.clone(), uses);
    }
    graph
}

/// A cycle of `graph`, as the modules on it, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in &graph[node] {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

/// The modules bottom up: each after everything it refers to.
fn layers(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut layers = Vec::new();
    while placed.len() < graph.len() {
        let layer: Vec<String> = graph
            .iter()
            .filter(|(name, uses)| !placed.contains(*name) && uses.is_subset(&placed))
            .map(|(name, _)| name.clone())
            .collect();
        assert!(!layer.is_empty(), "a cycle is left");
        placed.extend(layer.iter().cloned());
        layers.push(layer);
    }
    layers
}

#[test]
fn top_level_modules_import_only_from_layers_below() {
    let graph = graph();
    println!("The top-level modules of host/src and what each imports:");
    for (name, uses) in &graph {
        println!("  {name} -> {}", uses.iter().cloned().collect::<Vec<_>>().join(" "));
    }
    if let Some(cycle) = cycle(&graph) {
        panic!("an import cycle between top-level modules: {}", cycle.join(" -> "));
    }
    println!("Their layers, bottom up:");
    for (i, layer) in layers(&graph).iter().enumerate() {
        println!("  {i}: {}", layer.join(" "));
    }
}

#[test]
fn the_layer_scanner_reads_grouped_nested_multi_line_and_climbing_references() {
    assert_eq!(references("use crate::{a, b::c, d::{e, f}};", 2), ["a", "b", "d"]);
    assert_eq!(references("let x = crate::store::now();", 1), ["store"]);
    assert_eq!(references("use super::super::api::state;", 2), ["api"]);
    assert!(references("use super::super::api::state;", 3).is_empty());
    assert!(references("use mycrate::api;", 1).is_empty());
    assert_eq!(references("use syncport::registry::Registry;", 1), ["registry"]);
    // rustfmt's way with a long group, and a group that climbs out.
    assert_eq!(references("use crate::{\n    api::state,\n    store::{Store, now},\n};", 1), ["api", "store"]);
    assert_eq!(references("use super::super::{jobs, metadata::Answer};", 2), ["jobs", "metadata"]);
}
