//! Hostile components made in the test from a real one: the bundled stub
//! (`fixtures/stub.wasm`, which exports a served connector interface, so it
//! passes the export check) with sections appended to its top level. A
//! component's sections may come in any order, so what is appended is part
//! of the component, checked and compiled with it.

use wasm_encoder::{
    CodeSection, ComponentImportSection, ComponentTypeRef, FunctionSection, Instruction, MemorySection, MemoryType,
    Module, ModuleArg, ModuleSection, TypeBounds, TypeSection, ValType,
};
use wasmparser::{ComponentAlias, ComponentExternalKind, ComponentOuterAliasKind, ComponentTypeRef as TypeRef};

/// `bytes` with `n` more core instances: one empty core module and `n`
/// instantiations of it.
pub fn with_extra_instances(bytes: &[u8], n: usize) -> Vec<u8> {
    let empty = Module::new();
    let index = core_modules(bytes);
    let mut instances = wasm_encoder::InstanceSection::new();
    for _ in 0..n {
        instances.instantiate(index, std::iter::empty::<(&str, ModuleArg)>());
    }
    let mut extra = wasm_encoder::Component::new();
    extra.section(&ModuleSection(&empty)).section(&instances);
    appended(bytes, &extra)
}

/// `bytes` with `count` more core modules, each defining one linear memory
/// of `pages_each` 64 KiB pages (its minimum: an instance gets all of it at
/// once), each instantiated once.
pub fn with_extra_memories(bytes: &[u8], count: usize, pages_each: u32) -> Vec<u8> {
    let mut module = Module::new();
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: u64::from(pages_each),
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    module.section(&memories);
    let first = core_modules(bytes);
    let mut extra = wasm_encoder::Component::new();
    let mut instances = wasm_encoder::InstanceSection::new();
    for i in 0..count {
        extra.section(&ModuleSection(&module));
        instances.instantiate(first + i as u32, std::iter::empty::<(&str, ModuleArg)>());
    }
    extra.section(&instances);
    appended(bytes, &extra)
}

/// `bytes` with one more core module, instantiated once, whose one function
/// is `instructions` long: a component that takes Cranelift seconds to
/// compile (about 2 s per million on this machine's kind) and nothing to
/// inspect.
pub fn slow_to_compile(bytes: &[u8], instructions: usize) -> Vec<u8> {
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    let mut functions = FunctionSection::new();
    functions.function(0);
    // Many locals, each read and written again and again: register
    // allocation over one huge function, which no thread can share.
    let locals = 64u32;
    let mut body = wasm_encoder::Function::new([(locals, ValType::I64)]);
    for i in 0..instructions / 4 {
        let (a, b) = ((i as u32 * 7) % locals, (i as u32 * 13 + 1) % locals);
        body.instruction(&Instruction::LocalGet(a))
            .instruction(&Instruction::LocalGet(b))
            .instruction(&Instruction::I64Add)
            .instruction(&Instruction::LocalSet((a + b) % locals));
    }
    body.instruction(&Instruction::End);
    let mut code = CodeSection::new();
    code.function(&body);
    module.section(&types).section(&functions).section(&code);
    let index = core_modules(bytes);
    let mut instances = wasm_encoder::InstanceSection::new();
    instances.instantiate(index, std::iter::empty::<(&str, ModuleArg)>());
    let mut extra = wasm_encoder::Component::new();
    extra.section(&ModuleSection(&module)).section(&instances);
    appended(bytes, &extra)
}

/// `bytes` with one more top-level import, named `name` (a resource type,
/// which needs no type index of its own).
pub fn importing(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut imports = ComponentImportSection::new();
    imports.import(name, ComponentTypeRef::Type(TypeBounds::SubResource));
    let mut extra = wasm_encoder::Component::new();
    extra.section(&imports);
    appended(bytes, &extra)
}

/// `bytes` followed by the sections of `extra` (without its header).
fn appended(bytes: &[u8], extra: &wasm_encoder::Component) -> Vec<u8> {
    let extra = extra.clone().finish();
    [bytes, &extra[8..]].concat()
}

/// How many core modules the top level of the component `bytes` has in its
/// index space: the next one appended gets this index.
pub fn core_modules(bytes: &[u8]) -> u32 {
    let mut depth = 0usize;
    let mut count = 0u32;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.expect("a valid component") {
            wasmparser::Payload::Version { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            wasmparser::Payload::ModuleSection { .. } if depth == 1 => count += 1,
            wasmparser::Payload::ComponentAliasSection(reader) if depth == 1 => {
                for alias in reader {
                    match alias.expect("alias") {
                        ComponentAlias::InstanceExport { kind: ComponentExternalKind::Module, .. }
                        | ComponentAlias::Outer { kind: ComponentOuterAliasKind::CoreModule, .. } => count += 1,
                        _ => {}
                    }
                }
            }
            wasmparser::Payload::ComponentImportSection(reader) if depth == 1 => {
                count +=
                    reader.into_iter().filter(|i| matches!(i.as_ref().map(|i| i.ty), Ok(TypeRef::Module(_)))).count()
                        as u32;
            }
            wasmparser::Payload::ComponentExportSection(reader) if depth == 1 => {
                count += reader
                    .into_iter()
                    .filter(|e| matches!(e.as_ref().map(|e| e.kind), Ok(ComponentExternalKind::Module)))
                    .count() as u32;
            }
            _ => {}
        }
    }
    count
}

/// The `stub-renamable` fixture (`fixtures/stub-renamable.wasm`) patched to
/// describe itself as `name` at `version` (each at most 48 bytes): a
/// component of any name, e.g. one claiming a bundled connector's name.
pub fn renamed(bytes: &[u8], name: &str, version: &str) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    for (marker, value) in [(&b"@@NAME@@"[..], name), (&b"@@VERS@@"[..], version)] {
        assert!(value.len() <= 48, "{value} is longer than 48 bytes");
        let at = bytes.windows(marker.len()).position(|w| w == marker).expect("the renamable fixture") + marker.len();
        let padded = format!("{value:<48}");
        bytes[at..at + 48].copy_from_slice(padded.as_bytes());
    }
    bytes
}
