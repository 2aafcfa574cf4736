//! `export_connector!` in a native build: it emits no export symbols (a
//! native linker could not spell them), so this test binary links with no
//! `cfg` around the macro, and no warning (`cargo clippy --all-targets -- -D
//! warnings` checks that).

use syncport_connector_sdk::{self as sdk, Config, Connector, ConnectorInfo, Result};

/// Private, used by nothing but the macro, as in a real connector crate.
#[derive(Default)]
struct Hello;

impl Connector for Hello {
    fn describe() -> ConnectorInfo {
        sdk::connector_info(
            "Hello",
            "1.0.0",
            "Hello",
            "Says hello.",
            vec![sdk::property("User", "User", "Who to greet.").required()],
        )
    }

    fn test(&self, config: &Config) -> Result<String> {
        Ok(format!("Hello, {}!", config.required("User")?))
    }
}

sdk::export_connector!(Hello);

#[test]
fn the_macro_expands_and_links_natively() {
    // Reaching this line is the test: the binary linked.
}
