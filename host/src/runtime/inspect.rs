//! What a component is and what it would take, read before anything is
//! compiled: one pass of `wasmparser` over the bytes (microseconds per KB),
//! so a component that exports no connector, imports what the host does not
//! serve, or declares more core instances, memories or tables than one
//! component may have is refused without spending a compile on it.

use super::LoadError;
use super::limits::PoolLimits;
use super::wit;
use wasmparser::{
    ComponentAlias, ComponentExternalKind, ComponentInstance, ComponentOuterAliasKind, ComponentTypeRef, Encoding,
    Instance, Parser, Payload,
};

pub(crate) use super::pool::Footprint;

/// A per-component cap of [`PoolLimits`] that inspection enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    /// `core_instances_per_component`.
    CoreInstances,
    /// `memories_per_component`.
    Memories,
    /// `tables_per_component`.
    Tables,
}

impl Cap {
    /// What is counted, in words.
    pub fn what(self) -> &'static str {
        match self {
            Cap::CoreInstances => "core instances",
            Cap::Memories => "linear memories",
            Cap::Tables => "tables",
        }
    }

    /// The name of the limit, as `PoolLimits` spells it.
    pub fn limit_name(self) -> &'static str {
        match self {
            Cap::CoreInstances => "core_instances_per_component",
            Cap::Memories => "memories_per_component",
            Cap::Tables => "tables_per_component",
        }
    }
}

/// Checks `bytes` before compiling: a component (not a core module),
/// exporting a connector interface the host serves, importing only `wasi:`
/// interfaces and the `syncport:` ones the host serves, and within the
/// per-component caps of `limits`. Returns what an instance takes.
pub(crate) fn inspect(bytes: &[u8], limits: &PoolLimits) -> Result<Footprint, LoadError> {
    check_header(bytes)?;
    let mut walk = Walk::default();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| LoadError::NotAComponent(e.to_string()))?;
        walk.visit(payload)?;
    }
    let Some(root) = walk.root else {
        return Err(LoadError::NotAComponent("the component ends early".into()));
    };
    let exports: Vec<&str> = walk.exports.iter().map(String::as_str).collect();
    if wit::detect(&exports).is_none() {
        return Err(LoadError::UnsupportedWit {
            supported: wit::EXPORTS.iter().map(|(_, name)| *name).collect::<Vec<_>>().join(", "),
            found: if exports.is_empty() { "nothing".into() } else { exports.join(", ") },
        });
    }
    if let Some(name) =
        walk.imports.iter().find(|name| !name.starts_with("wasi:") && !wit::IMPORTS.contains(&name.as_str()))
    {
        return Err(LoadError::Incompatible(format!(
            "it imports `{name}`, which this host does not serve (it serves `wasi:` interfaces and {})",
            wit::IMPORTS.join(", ")
        )));
    }
    let footprint = root.resolve(walk.largest_module, walk.largest_component);
    let caps = [
        (Cap::CoreInstances, footprint.core_instances, limits.core_instances_per_component),
        (Cap::Memories, footprint.memories, limits.memories_per_component),
        (Cap::Tables, footprint.tables, limits.tables_per_component),
    ];
    for (cap, count, limit) in caps {
        if count > limit {
            return Err(LoadError::OverLimit { cap, count, limit });
        }
    }
    Ok(footprint)
}

/// Tells a core module or something else from a component, with a message
/// that says what to do.
pub(crate) fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    const MAGIC: &[u8] = b"\0asm";
    const CORE_MODULE: &[u8] = &[1, 0, 0, 0];
    match (bytes.get(..4), bytes.get(4..8)) {
        (Some(MAGIC), Some(CORE_MODULE)) => Err(LoadError::NotAComponent(
            "this is a core WebAssembly module, not a component: build with `cargo build --target \
             wasm32-wasip2` (or wrap the module with `wasm-tools component new`)"
                .into(),
        )),
        (Some(MAGIC), Some(_)) => Ok(()),
        _ => Err(LoadError::NotAComponent(format!(
            "this is not WebAssembly ({} bytes that do not start with `\\0asm`)",
            bytes.len()
        ))),
    }
}

/// What instantiating something takes. Counts saturate: a component that
/// nests instantiations to overflow is simply over every cap.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    instances: u64,
    memories: u64,
    tables: u64,
    /// Instantiations of modules that cannot be told here (imported into a
    /// nested component, or taken from an instance's exports): each is
    /// counted as the largest module of the whole file.
    unknown_modules: u64,
    /// Instantiations of components that cannot be told here: each counted
    /// as the largest component of the whole file.
    unknown_components: u64,
}

impl Cost {
    fn add(&mut self, other: &Cost, times: u64) {
        let mul = |n: u64| n.saturating_mul(times);
        self.instances = self.instances.saturating_add(mul(other.instances));
        self.memories = self.memories.saturating_add(mul(other.memories));
        self.tables = self.tables.saturating_add(mul(other.tables));
        self.unknown_modules = self.unknown_modules.saturating_add(mul(other.unknown_modules));
        self.unknown_components = self.unknown_components.saturating_add(mul(other.unknown_components));
    }

    /// The cost with the unknowns counted as `module` and `component`
    /// each (`component` itself resolved without unknown components).
    fn resolve(&self, module: Cost, component: Cost) -> Footprint {
        let mut total = Cost { unknown_modules: 0, unknown_components: 0, ..*self };
        total.add(&module, self.unknown_modules);
        let mut component = Cost { unknown_components: 0, ..component };
        let modules = std::mem::take(&mut component.unknown_modules);
        component.add(&module, modules);
        total.add(&component, self.unknown_components);
        let narrow = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Footprint {
            core_instances: narrow(total.instances),
            memories: narrow(total.memories),
            tables: narrow(total.tables),
        }
    }

    fn max(self, other: Cost) -> Cost {
        Cost {
            instances: self.instances.max(other.instances),
            memories: self.memories.max(other.memories),
            tables: self.tables.max(other.tables),
            unknown_modules: self.unknown_modules.max(other.unknown_modules),
            unknown_components: self.unknown_components.max(other.unknown_components),
        }
    }
}

/// A module or component being read, with its index spaces so far.
enum Frame {
    /// A core module: what one instance of it defines.
    Module { memories: u64, tables: u64 },
    /// A component: its core module and component index spaces (`None`:
    /// cannot be told) and the cost of one instance of it so far.
    Component { modules: Vec<Option<Cost>>, components: Vec<Option<Cost>>, cost: Cost },
}

#[derive(Default)]
struct Walk {
    stack: Vec<Frame>,
    /// The top-level component's cost, once read.
    root: Option<Cost>,
    /// The top-level imports and exports, by name.
    imports: Vec<String>,
    exports: Vec<String>,
    largest_module: Cost,
    largest_component: Cost,
}

impl Walk {
    fn visit(&mut self, payload: Payload<'_>) -> Result<(), LoadError> {
        let malformed = |e: wasmparser::BinaryReaderError| LoadError::NotAComponent(e.to_string());
        let top = self.stack.len() == 1;
        match payload {
            Payload::Version { encoding, .. } => self.stack.push(match encoding {
                Encoding::Module => Frame::Module { memories: 0, tables: 0 },
                Encoding::Component => Frame::Component { modules: vec![], components: vec![], cost: Cost::default() },
            }),
            Payload::MemorySection(reader) => {
                if let Some(Frame::Module { memories, .. }) = self.stack.last_mut() {
                    *memories += u64::from(reader.count());
                }
            }
            Payload::TableSection(reader) => {
                if let Some(Frame::Module { tables, .. }) = self.stack.last_mut() {
                    *tables += u64::from(reader.count());
                }
            }
            Payload::InstanceSection(reader) => {
                for instance in reader {
                    if let Instance::Instantiate { module_index, .. } = instance.map_err(malformed)? {
                        let Some(Frame::Component { modules, cost, .. }) = self.stack.last_mut() else { continue };
                        let module = modules.get(module_index as usize).copied().flatten();
                        cost.add(&module.unwrap_or(Cost { unknown_modules: 1, ..Cost::default() }), 1);
                    }
                }
            }
            Payload::ComponentInstanceSection(reader) => {
                for instance in reader {
                    if let ComponentInstance::Instantiate { component_index, .. } = instance.map_err(malformed)? {
                        let Some(Frame::Component { components, cost, .. }) = self.stack.last_mut() else { continue };
                        let component = components.get(component_index as usize).copied().flatten();
                        cost.add(&component.unwrap_or(Cost { unknown_components: 1, ..Cost::default() }), 1);
                    }
                }
            }
            Payload::ComponentAliasSection(reader) => {
                for alias in reader {
                    let alias = alias.map_err(malformed)?;
                    let (module, component) = match alias {
                        ComponentAlias::InstanceExport { kind: ComponentExternalKind::Module, .. } => {
                            (Some(None), None)
                        }
                        ComponentAlias::InstanceExport { kind: ComponentExternalKind::Component, .. } => {
                            (None, Some(None))
                        }
                        ComponentAlias::Outer { kind: ComponentOuterAliasKind::CoreModule, count, index } => {
                            (Some(self.outer(count, |m, _| m.get(index as usize).copied().flatten())), None)
                        }
                        ComponentAlias::Outer { kind: ComponentOuterAliasKind::Component, count, index } => {
                            (None, Some(self.outer(count, |_, c| c.get(index as usize).copied().flatten())))
                        }
                        _ => (None, None),
                    };
                    self.push_items(module, component);
                }
            }
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let import = import.map_err(malformed)?;
                    if top {
                        self.imports.push(import.name.name.to_string());
                    }
                    match import.ty {
                        ComponentTypeRef::Module(_) => self.push_items(Some(None), None),
                        ComponentTypeRef::Component(_) => self.push_items(None, Some(None)),
                        _ => {}
                    }
                }
            }
            Payload::ComponentExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(malformed)?;
                    if top {
                        self.exports.push(export.name.name.to_string());
                    }
                    // An export is a new index in its sort, for the same item.
                    let Some(Frame::Component { modules, components, .. }) = self.stack.last() else { continue };
                    match export.kind {
                        ComponentExternalKind::Module => {
                            let item = modules.get(export.index as usize).copied().flatten();
                            self.push_items(Some(item), None);
                        }
                        ComponentExternalKind::Component => {
                            let item = components.get(export.index as usize).copied().flatten();
                            self.push_items(None, Some(item));
                        }
                        _ => {}
                    }
                }
            }
            Payload::End(_) => match self.stack.pop() {
                Some(Frame::Module { memories, tables }) => {
                    let cost = Cost { instances: 1, memories, tables, ..Cost::default() };
                    self.largest_module = self.largest_module.max(cost);
                    self.push_items(Some(Some(cost)), None);
                }
                Some(Frame::Component { cost, .. }) => {
                    self.largest_component = self.largest_component.max(cost);
                    if self.stack.is_empty() {
                        self.root = Some(cost);
                    } else {
                        self.push_items(None, Some(Some(cost)));
                    }
                }
                None => {}
            },
            _ => {}
        }
        Ok(())
    }

    /// Adds a module and a component to the index spaces of the component
    /// being read.
    fn push_items(&mut self, module: Option<Option<Cost>>, component: Option<Option<Cost>>) {
        if let Some(Frame::Component { modules, components, .. }) = self.stack.last_mut() {
            modules.extend(module);
            components.extend(component);
        }
    }

    /// An item of the component `count` levels out (0: this one).
    fn outer(&self, count: u32, item: impl Fn(&[Option<Cost>], &[Option<Cost>]) -> Option<Cost>) -> Option<Cost> {
        let components: Vec<&Frame> = self.stack.iter().filter(|f| matches!(f, Frame::Component { .. })).collect();
        let at = components.len().checked_sub(1 + count as usize)?;
        match components[at] {
            Frame::Component { modules, components, .. } => item(modules, components),
            Frame::Module { .. } => None,
        }
    }
}
