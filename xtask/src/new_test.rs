use super::*;

#[test]
fn names_must_be_safe_identifiers() {
    let root = workspace_root();
    for good in ["deny_header", "a", "rate2", "geo_block"] {
        assert_eq!(check_name(good, &root), Ok(()), "{good}");
    }
    for bad in ["", "Deny", "deny-header", "2fast", "x_", "a__b", "with space", "ünï", &"x".repeat(33)] {
        assert!(check_name(bad, &root).unwrap_err().contains("not a valid filter name"), "{bad}");
    }
}

#[test]
fn names_that_clash_are_refused() {
    let root = workspace_root();
    for taken in ["headers", "auth", "screen"] {
        assert!(check_name(taken, &root).unwrap_err().contains("clashes"), "{taken}");
    }
    for reserved in ["chain", "all", "e2e", "services", "emulator", "type", "mod"] {
        assert!(check_name(reserved, &root).unwrap_err().contains("reserved"), "{reserved}");
    }
}

#[test]
fn placeholders_are_replaced() {
    assert_eq!(type_name("deny_header"), "DenyHeader");
    assert_eq!(
        render("{{name}} {{dashed}} {{Type}} {{port}}", "deny_header", 10007),
        "deny_header deny-header DenyHeader 10007"
    );
}

#[test]
fn the_template_covers_a_whole_filter() {
    let files = plan(&workspace_root(), "demo").unwrap();
    let targets: Vec<String> =
        files.iter().map(|(_, target)| target.strip_prefix(workspace_root()).unwrap().display().to_string()).collect();
    for expected in [
        "envoy/demo.yaml",
        "tests/scenarios/demo.yaml",
        "filters/demo/Cargo.toml",
        "filters/demo/README.md",
        "filters/demo/src/lib.rs",
        "filters/demo/src/config.rs",
        "filters/demo/src/config_test.rs",
        "filters/demo/tests/emulator.rs",
        "filters/demo/tests/envoy.rs",
    ] {
        assert!(targets.contains(&expected.to_string()), "{expected} missing from {targets:?}");
    }
}

#[test]
fn members_are_read_from_the_manifest() {
    let manifest = "[workspace]\nmembers = [\n    \"sdk-ext\",\n    \"filters/a\",\n]\n";
    assert_eq!(members(manifest), ["sdk-ext", "filters/a"]);
}
