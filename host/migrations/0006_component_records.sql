-- What each installed component's `describe` said when it was installed
-- (base64 of the JSON of the host's `ConnectorInfo`, as `bytes` is base64,
-- so the file shows no property name in clear), and who published it: `bundled`
-- (the server's connectors directory), `key:<base64 public key>` (its
-- signer) or `unsigned` (docs/security.md, "Publishers"). A later
-- `describe` is compared with the record and never replaces it. Rows
-- stored before this migration get both on their next successful load.
ALTER TABLE connector_components ADD COLUMN describe_json TEXT;
ALTER TABLE connector_components ADD COLUMN publisher TEXT;
