//! The rule that says which property names look like secrets.

use syncport::check::looks_secret;

#[test]
fn names_ending_in_a_secret_word_look_secret_and_lookalikes_do_not() {
    let secret = [
        "Password",
        "password",
        "DB_PASSWORD",
        "Pwd",
        "ApiKey",
        "APIKey",
        "api_key",
        "api-key",
        "apikey",
        "ClientSecret",
        "AccessToken",
        "OAuthAccessToken",
        "SecurityToken",
        "PrivateKey",
        "SecretKey",
        "SigningKey2",
        "Passphrase",
        "Credentials",
        "accesstoken",
    ];
    let not_secret = [
        "Keyspace",
        "Monkey",
        "Turkey",
        "Tokenizer",
        "Passwordless",
        "TokenUrl",
        "TokenEndpoint",
        "KeyId",
        "AccessKeyId",
        "SecretName",
        "PasswordPolicy",
        "PublicKey",
        "PrimaryKey",
        "SortKey",
        "User",
        "OAuthClientId",
        "CompanyId",
        "",
    ];
    for name in secret {
        assert!(looks_secret(name), "`{name}` looks like a secret");
    }
    for name in not_secret {
        assert!(!looks_secret(name), "`{name}` does not look like a secret");
    }
}
