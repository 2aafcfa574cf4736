//! WIT `syncport:connector@0.2.0`: the generated bindings, the host side of
//! its imports, and conversions into the host's model, batches included.
//! What 0.1.0 already had converts as there ([`super::convert`]).

use super::GuestResult;
use crate::connector::{batch, model};
use crate::runtime::state::HostState;

/// The store every call of this version runs in.
type Store = wasmtime::Store<HostState>;

wasmtime::component::bindgen!({
    path: "../wit/v0.2",
    world: "syncport:connector/plugin@0.2.0",
    imports: { "syncport:connector/host.log": trappable },
    exports: { default: async },
});

use self::syncport::connector::{host, types};
use exports::syncport::connector::connector as guest;

/// The name under which a 0.2.0 component exports its connector.
pub(crate) const EXPORT: &str = "syncport:connector/connector@0.2.0";

/// The `syncport:` interfaces a 0.2.0 component may import.
pub(crate) const IMPORTS: &[&str] = &["syncport:connector/types@0.2.0", "syncport:connector/host@0.2.0"];

/// The typed pre-instantiated plugin of this version.
pub(crate) type Pre = PluginPre<HostState>;

/// Adds this version's imports (the host `log`) to a linker.
pub(crate) fn add_to_linker(linker: &mut wasmtime::component::Linker<HostState>) -> wasmtime::Result<()> {
    Plugin::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(linker, |s| s)
}

super::convert::shared_conversions!();

/// `describe`, converted (the error says what breaks the contract).
pub(crate) async fn describe(p: &Plugin, s: &mut Store) -> GuestResult<Result<model::ConnectorInfo, String>> {
    let i = guest(p).call_describe(s).await?;
    let roles = roles(i.roles);
    Ok(Ok(connector_info(i.name, i.version, i.display_name, i.description, i.properties, roles)))
}

super::convert::job_conversions!();
