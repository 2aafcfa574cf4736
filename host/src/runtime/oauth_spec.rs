//! The `oauth` of a `describe` answer, checked at install: endpoints over
//! declared properties, a grant, and the properties that hold the client
//! and the tokens (docs/oauth.md).

use super::egress::endpoint::Endpoint;
use crate::connector::model::ConnectorInfo;

/// Checks the `oauth` of a `describe` answer: well-formed endpoints over
/// declared properties, at least one grant, and the properties it names
/// declared, secret where they hold secrets.
pub(crate) fn validate(info: &ConnectorInfo) -> Result<(), String> {
    let Some(o) = &info.oauth else { return Ok(()) };
    for (what, text) in [("authorization-url", &o.authorization_url), ("token-url", &o.token_url)] {
        let endpoint = Endpoint::parse(text).map_err(|why| format!("oauth {what} `{text}` {why}"))?;
        for name in endpoint.properties() {
            let Some(spec) = info.property(name) else {
                return Err(format!("oauth {what} `{text}` names `{name}`, which is not a declared property"));
            };
            // An endpoint is shown to users and sent to providers.
            let token = [&o.access_token_property, &o.refresh_token_property, &o.expires_at_property]
                .iter()
                .any(|t| t.eq_ignore_ascii_case(name));
            if spec.secret || token {
                return Err(format!("oauth {what} `{text}` names `{name}`, a secret or token property"));
            }
        }
    }
    let g = o.grants;
    if !(g.authorization_code || g.client_credentials) {
        return Err("oauth declares neither the authorization-code nor the client-credentials grant".into());
    }
    let named = [
        ("client-id-property", &o.client_id_property, None),
        ("client-secret-property", &o.client_secret_property, Some(true)),
        ("access-token-property", &o.access_token_property, Some(true)),
        ("refresh-token-property", &o.refresh_token_property, Some(true)),
        ("expires-at-property", &o.expires_at_property, Some(false)),
    ];
    for (what, name, secret) in named {
        let spec = info.property(name).ok_or_else(|| format!("oauth {what} `{name}` is not a declared property"))?;
        match secret {
            Some(true) if !spec.secret => return Err(format!("oauth {what} `{name}` must be a secret property")),
            Some(false) if spec.secret => return Err(format!("oauth {what} `{name}` must not be a secret property")),
            _ => {}
        }
        if spec.required && what != "client-id-property" {
            return Err(format!("oauth {what} `{name}` must not be required: the host fills it"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::model::OAuthSpec;
    use crate::connector::model::fixtures::{oauth_connector, property};

    fn info(change: impl FnOnce(&mut ConnectorInfo)) -> ConnectorInfo {
        let mut info = oauth_connector();
        info.properties.push(property("TokenURL", false, None));
        oauth(&mut info).token_url = "{TokenURL}".into();
        change(&mut info);
        info
    }

    fn oauth(info: &mut ConnectorInfo) -> &mut OAuthSpec {
        info.oauth.as_mut().expect("declared")
    }

    #[test]
    fn oauth_declarations_that_break_the_contract_are_refused() {
        type Change = fn(&mut ConnectorInfo);
        let cases: &[(&str, Change)] = &[
            ("authorization-url", |i| oauth(i).authorization_url = "https://{Nope}/a".into()),
            ("token-url", |i| oauth(i).token_url = "ftp://x/t".into()),
            ("a secret or token property", |i| oauth(i).token_url = "https://{Secret}.example.com/t".into()),
            ("a secret or token property", |i| oauth(i).authorization_url = "{Expires}".into()),
            ("neither", |i| oauth(i).grants = Default::default()),
            ("client-secret-property", |i| i.properties[1].secret = false),
            ("access-token-property", |i| oauth(i).access_token_property = "Id".into()),
            ("refresh-token-property", |i| oauth(i).refresh_token_property = "Missing".into()),
            ("expires-at-property", |i| i.properties[4].secret = true),
            ("must not be required", |i| i.properties[2].required = true),
        ];
        for (why, change) in cases {
            let error = validate(&info(*change)).expect_err(why);
            assert!(error.contains(why), "{why}: {error}");
        }
    }
}
