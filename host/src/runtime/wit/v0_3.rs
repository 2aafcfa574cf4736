//! WIT `syncport:connector@0.3.0`: the generated bindings, the host side of
//! its imports, and conversions into the host's model. 0.3.0 is 0.2.0 plus
//! `egress` and `oauth` in `describe` and the standard `wasi:http/outgoing-handler`,
//! whose host side is wasmtime-wasi-http's under the call's egress hooks
//! ([`crate::runtime::egress`]).

use super::GuestResult;
use crate::connector::{batch, model};
use crate::runtime::state::HostState;

/// The store every call of this version runs in.
type Store = wasmtime::Store<HostState>;

wasmtime::component::bindgen!({
    path: "../wit/v0.3",
    world: "syncport:connector/plugin@0.3.0",
    imports: { "syncport:connector/host.log": trappable },
    exports: { default: async },
    // The WASI interfaces the world names are wasmtime's own.
    with: {
        "wasi:http": wasmtime_wasi_http::p2::bindings::http,
        "wasi:io": wasmtime_wasi::p2::bindings::io,
        "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
    },
});

use self::syncport::connector::{host, types};
use exports::syncport::connector::connector as guest;

/// The name under which a 0.3.0 component exports its connector.
pub(crate) const EXPORT: &str = "syncport:connector/connector@0.3.0";

/// The `syncport:` interfaces a 0.3.0 component may import.
pub(crate) const IMPORTS: &[&str] = &["syncport:connector/types@0.3.0", "syncport:connector/host@0.3.0"];

/// The typed pre-instantiated plugin of this version.
pub(crate) type Pre = PluginPre<HostState>;

/// Adds this version's imports to a linker: the host `log`, and outbound
/// `wasi:http` (every request goes through the store's egress hooks).
pub(crate) fn add_to_linker(linker: &mut wasmtime::component::Linker<HostState>) -> wasmtime::Result<()> {
    host::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(linker, |s| s)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)
}

super::convert::shared_conversions!();

/// `describe`, converted (the error says what breaks the contract).
pub(crate) async fn describe(p: &Plugin, s: &mut Store) -> GuestResult<Result<model::ConnectorInfo, String>> {
    let i = guest(p).call_describe(s).await?;
    let roles = roles(i.roles);
    let info = connector_info(i.name, i.version, i.display_name, i.description, i.properties, roles);
    let oauth = i.oauth.map(oauth_spec);
    Ok(Ok(info.map(|info| model::ConnectorInfo { egress: i.egress, oauth, ..info })))
}

fn oauth_spec(o: types::OauthSpec) -> model::OAuthSpec {
    let g = o.grants;
    model::OAuthSpec {
        authorization_url: o.authorization_url,
        token_url: o.token_url,
        scopes: o.scopes,
        grants: model::OAuthGrants {
            authorization_code: g.contains(types::OauthGrants::AUTHORIZATION_CODE),
            refresh_token: g.contains(types::OauthGrants::REFRESH_TOKEN),
            client_credentials: g.contains(types::OauthGrants::CLIENT_CREDENTIALS),
        },
        client_auth: match o.client_auth {
            types::OauthClientAuth::Basic => model::ClientAuth::Basic,
            types::OauthClientAuth::Body => model::ClientAuth::Body,
        },
        client_id_property: o.client_id_property,
        client_secret_property: o.client_secret_property,
        access_token_property: o.access_token_property,
        refresh_token_property: o.refresh_token_property,
        expires_at_property: o.expires_at_property,
    }
}

super::convert::job_conversions!();
