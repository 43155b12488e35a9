//! OCI images pushed to a real registry (Debian's `docker-registry`, on loopback) and pulled back
//! by digest with an independent client (skopeo), then compared with the built modules.

use sieve_e2e::generate::{sources, VERSION};
use sieve_e2e::oci::{self, Image};
use sieve_e2e::{modules, scratch_root};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

struct Registry {
    child: Child,
    addr: String,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn registry(dir: &Path) -> Registry {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    std::fs::create_dir_all(dir.join("storage")).unwrap();
    let config = format!(
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
        dir.join("storage").display()
    );
    std::fs::write(dir.join("config.yml"), config).unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(dir.join("config.yml"))
        .stdout(std::fs::File::create(dir.join("registry.log")).unwrap())
        .stderr(std::fs::File::create(dir.join("registry.err")).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start docker-registry (apt-get install docker-registry): {e}"));
    let registry = Registry { child, addr };
    let deadline = Instant::now() + Duration::from_secs(20);
    while sieve_e2e::client::raw_request(
        registry.addr.parse().unwrap(),
        b"GET /v2/ HTTP/1.1\r\nhost: r\r\nconnection: close\r\n\r\n",
    )
    .map_or(true, |r| !r.starts_with("HTTP/1.1 200"))
    {
        assert!(Instant::now() < deadline, "the registry did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
    registry
}

fn skopeo(args: &[&str]) -> Vec<u8> {
    let output = Command::new("skopeo")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run skopeo (apt-get install skopeo): {e}"));
    assert!(output.status.success(), "skopeo {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

#[test]
fn images_push_to_a_registry_and_pull_back_by_digest_identical() {
    let dir = scratch_root().join(format!("registry-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let registry = registry(&dir);
    let wasm_dir = modules::wasm_dir().unwrap();
    for source in sources().unwrap() {
        let name = format!("sieve-{}", source.filter);
        let module = std::fs::read(wasm_dir.join(format!("sieve_{}.wasm", source.filter))).unwrap();
        let image = Image::build(&module, &name, VERSION).unwrap();
        let digest = oci::push(&registry.addr, &format!("sieve/{name}"), VERSION, &image).unwrap();
        assert_eq!(digest, image.digest());
        let reference = format!("docker://{}/sieve/{name}@{digest}", registry.addr);

        // The manifest as the registry serves it, by digest: the bytes whose sha256 a WasmPlugin pins.
        let raw = skopeo(&["inspect", "--tls-verify=false", "--raw", &reference]);
        assert_eq!(format!("sha256:{}", oci::sha256_hex(&raw)), digest);
        let manifest: serde_json::Value = serde_json::from_slice(&raw).unwrap();
        assert_eq!(manifest["mediaType"], oci::MANIFEST_MEDIA_TYPE);
        assert_eq!(manifest["config"]["mediaType"], oci::CONFIG_MEDIA_TYPE);
        assert_eq!(manifest["layers"].as_array().unwrap().len(), 1, "exactly one layer");
        assert_eq!(manifest["layers"][0]["mediaType"], oci::LAYER_MEDIA_TYPE);
        assert_eq!(manifest["annotations"]["module.wasm.image/variant"], "compat");

        // Pulled by digest into a directory, and the module unpacked by tar: the same bytes.
        let out = dir.join(&name);
        let _ = std::fs::remove_dir_all(&out);
        skopeo(&["copy", "--src-tls-verify=false", &reference, &format!("dir:{}", out.display())]);
        let layer_digest = manifest["layers"][0]["digest"].as_str().unwrap().trim_start_matches("sha256:").to_string();
        let unpacked = out.join("unpacked");
        std::fs::create_dir_all(&unpacked).unwrap();
        let status =
            Command::new("tar").arg("-xzf").arg(out.join(&layer_digest)).arg("-C").arg(&unpacked).status().unwrap();
        assert!(status.success());
        let pulled = std::fs::read(unpacked.join("plugin.wasm")).unwrap();
        assert_eq!(oci::sha256_hex(&pulled), oci::sha256_hex(&module), "{name}: the module's sha256");
        assert!(pulled == module, "{name}: byte for byte");
        assert!(pulled.starts_with(b"\0asm"), "a Wasm module (istio-agent checks the magic)");
        // And the WasmPlugin in istio/ pins this very digest.
        let plugin: serde_yaml::Value = serde_yaml::from_str(
            &std::fs::read_to_string(
                sieve_e2e::workspace_root().join(format!("istio/{}/wasmplugin.yaml", source.filter)),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(plugin["spec"]["sha256"].as_str(), Some(digest.trim_start_matches("sha256:")));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
