//! TEMPORARY experiment; deleted after use.
#![allow(missing_docs, clippy::unwrap_used)]
use std::time::Instant;
use wasmtime::component::{Component, Linker, ResourceTable, Val};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

struct S {
    wasi: WasiCtx,
    table: ResourceTable,
}
impl WasiView for S {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

fn run(name: &str, config: Config) {
    let engine = Engine::new(&config).unwrap();
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../plugins/dist/fixtures/stub.wasm")).unwrap();
    let component = Component::new(&engine, &bytes).unwrap();
    let mut linker: Linker<S> = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    linker.define_unknown_imports_as_traps(&component).unwrap();
    let pre = linker.instantiate_pre(&component).unwrap();
    let e = engine.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(10));
            e.increment_epoch();
        }
    });
    let once = || {
        let mut store = Store::new(&engine, S { wasi: WasiCtx::builder().build(), table: ResourceTable::new() });
        store.set_epoch_deadline(1000);
        let inst = pre.instantiate(&mut store).unwrap();
        let iface = inst.get_export_index(&mut store, None, "syncport:connector/connector@0.1.0").unwrap();
        let f = inst.get_export_index(&mut store, Some(&iface), "list-tables").unwrap();
        let f = inst.get_func(&mut store, f).unwrap();
        let mut out = [Val::Bool(false)];
        f.call(&mut store, &[Val::List(vec![]), Val::Option(None), Val::List(vec![])], &mut out).unwrap();
    };
    for _ in 0..2000 {
        once();
    }
    let mut v: Vec<f64> = (0..20000)
        .map(|_| {
            let t = Instant::now();
            once();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    v.sort_by(f64::total_cmp);
    println!("{name}: median {:.1} us p90 {:.1}", v[v.len() / 2], v[v.len() * 9 / 10]);
}

fn base(epoch: bool) -> Config {
    let mut c = Config::new();
    c.wasm_component_model(true);
    c.epoch_interruption(epoch);
    c
}
fn pool(keep: usize) -> PoolingAllocationConfig {
    let mut p = PoolingAllocationConfig::default();
    p.max_memory_size(64 << 20);
    p.linear_memory_keep_resident(keep);
    p.table_keep_resident(keep);
    p
}

fn main() {
    let mut c = base(true);
    c.allocation_strategy(InstanceAllocationStrategy::Pooling(pool(0)));
    run("pooling (as host)", c);
    let mut c = base(true);
    c.allocation_strategy(InstanceAllocationStrategy::Pooling(pool(1 << 20)));
    run("pooling + keep_resident 1 MiB", c);
    let mut c = base(false);
    c.allocation_strategy(InstanceAllocationStrategy::Pooling(pool(0)));
    run("pooling, no epoch", c);
    run("on-demand", base(true));
}
#[test] fn scratch() { main() }
