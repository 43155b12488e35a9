use super::*;

fn fake_envoy(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("envoy");
    std::fs::write(&path, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn scratch(name: &str) -> PathBuf {
    let dir = scratch_root().join(format!("lookup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn no_install(_: &Path) -> Result<(), String> {
    panic!("must not install")
}

#[test]
fn envoy_bin_wins_and_a_bad_one_is_an_error_not_a_fallback() {
    let dir = scratch("bin");
    let on_path = fake_envoy(&dir.join("path"));
    let chosen = fake_envoy(&dir.join("chosen"));
    let found = find_or_install(Some(chosen.clone().into()), Some(dir.join("path").into()), &dir, no_install);
    assert_eq!(found.unwrap(), chosen);
    let error =
        find_or_install(Some(dir.join("missing").into()), Some(on_path.parent().unwrap().into()), &dir, no_install)
            .unwrap_err();
    assert!(error.starts_with("ENVOY_BIN=") && error.contains("is not an executable file"), "{error}");
    assert!(!error.contains('\n'), "one line: {error}");
}

#[test]
fn path_then_local_install_then_installer() {
    let dir = scratch("order");
    let on_path = fake_envoy(&dir.join("path"));
    assert_eq!(find_or_install(None, Some(dir.join("path").into()), &dir.join("local"), no_install).unwrap(), on_path);

    let local = fake_envoy(&dir.join("local").join("envoy").join("_bin"));
    assert_eq!(find_or_install(None, Some(dir.join("empty").into()), &dir.join("local"), no_install).unwrap(), local);

    let error = find_or_install(None, None, &dir.join("nowhere"), |_| Err("no Envoy: pip said no".into())).unwrap_err();
    assert_eq!(error, "no Envoy: pip said no");
}
