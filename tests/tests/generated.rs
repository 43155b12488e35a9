//! `envoy/all.yaml` and `istio/` are generated from the filter configs in `envoy/` by
//! `cargo xtask generate`; this fails when a checked-in file drifts from its source.

#[test]
fn generated_files_match_their_sources() {
    let wasm_dir = sieve_e2e::modules::wasm_dir().unwrap();
    let drift = sieve_e2e::generate::drift(&wasm_dir).unwrap();
    assert!(
        drift.is_empty(),
        "these files differ from what their sources produce: {drift:?}\nrun `cargo xtask generate`"
    );
}

#[test]
fn istio_manifests_carry_the_source_config_translated_for_the_mesh() {
    let files = sieve_e2e::generate::generate(&sieve_e2e::modules::wasm_dir().unwrap()).unwrap();
    let wasmplugin = &files.iter().find(|(p, _)| p == "istio/auth/wasmplugin.yaml").unwrap().1;
    let doc: serde_yaml::Value = serde_yaml::from_str(wasmplugin).unwrap();
    let jwt = &doc["spec"]["pluginConfig"]["providers"][2]["jwt"]["remote_jwks"];
    assert_eq!(jwt["cluster"], "outbound|80||jwks.example.com", "Istio's name for the JWKS service");
    assert_eq!(jwt["authority"], "jwks.example.com");
    assert_eq!(doc["spec"]["failStrategy"], "FAIL_RELOAD", "the source's failure_policy");
    assert!(files.iter().any(|(p, _)| p == "istio/auth/serviceentry-jwks.yaml"));
    let module = std::fs::read(sieve_e2e::modules::wasm_dir().unwrap().join("sieve_auth.wasm")).unwrap();
    let image = sieve_e2e::oci::Image::build(&module, "sieve-auth", sieve_e2e::generate::VERSION).unwrap();
    assert_eq!(doc["spec"]["sha256"], image.sha256().as_str(), "the digest of the image built from this module");
}
