//! OCI images pushed to a real registry (Debian's `docker-registry`, on loopback) and pulled back
//! by digest with an independent client (skopeo), then compared with the built modules.

use sieve_e2e::generate::{sources, VERSION};
use sieve_e2e::oci::{self, Format, Image};
use sieve_e2e::{modules, scratch_root};
use sieve_tooling::registry::PushOptions;
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

/// Debian's `docker-registry` on loopback, plain HTTP and anonymous.
fn registry(dir: &Path) -> Registry {
    start_registry(dir, "", false)
}

/// The registry with `extra` appended to its config (`http.tls`, `auth`); waits until it accepts
/// connections (with TLS and auth, every unauthenticated answer is a 401 or a handshake).
fn start_registry(dir: &Path, extra: &str, tls: bool) -> Registry {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    std::fs::create_dir_all(dir.join("storage")).unwrap();
    let config = format!(
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n{extra}",
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
    let mut registry = Registry { child, addr };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let up = if tls {
            std::net::TcpStream::connect(&registry.addr).is_ok()
        } else {
            sieve_e2e::client::raw_request(
                registry.addr.parse().unwrap(),
                b"GET /v2/ HTTP/1.1\r\nhost: r\r\nconnection: close\r\n\r\n",
            )
            .is_ok_and(|r| r.starts_with("HTTP/1.1 200"))
        };
        if up {
            break;
        }
        if let Ok(Some(status)) = registry.child.try_wait() {
            panic!(
                "docker-registry exited ({status}): {}",
                std::fs::read_to_string(dir.join("registry.err")).unwrap_or_default()
            );
        }
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
        let plain = PushOptions { plain_http: true, ..PushOptions::default() };
        let digest = oci::push(&registry.addr, &format!("sieve/{name}"), VERSION, &image, &plain).unwrap();
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

// ---------------------------------------------------------------------------------------------
// A registry as users run them: TLS with their own CA, and credentials (htpasswd, or a token
// service). The CA and every certificate are made here; nothing trusts them but this test.
// ---------------------------------------------------------------------------------------------

const USER: &str = "sieve-ci";
const PASSWORD: &str = "correct horse battery staple 7";

/// A CA made for one test, and certificates it signs.
struct Pki {
    ca_key: rcgen::KeyPair,
    ca: rcgen::Certificate,
    dir: std::path::PathBuf,
}

impl Pki {
    fn new(dir: &Path) -> Pki {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
        params.distinguished_name.push(rcgen::DnType::CommonName, "Sieve test registry CA");
        let ca = params.self_signed(&ca_key).unwrap();
        std::fs::create_dir_all(dir.join("certs")).unwrap();
        // skopeo's --cert-dir reads the CA from ca.crt.
        std::fs::write(dir.join("certs/ca.crt"), ca.pem()).unwrap();
        Pki { ca_key, ca, dir: dir.to_path_buf() }
    }

    fn ca_file(&self) -> std::path::PathBuf {
        self.dir.join("certs/ca.crt")
    }

    fn cert_dir(&self) -> String {
        self.dir.join("certs").display().to_string()
    }

    /// (certificate PEM, PKCS#8 key PEM) for a server on 127.0.0.1, or for signing tokens.
    fn issue(&self, name: &str, server: bool) -> (rcgen::Certificate, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, name);
        if server {
            params.subject_alt_names = vec![rcgen::SanType::IpAddress([127, 0, 0, 1].into())];
            params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        }
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        let cert = params.signed_by(&key, &self.ca, &self.ca_key).unwrap();
        (cert, key.serialize_pem())
    }

    /// The registry's `http.tls` block, its certificate and key written next to the CA.
    fn registry_tls(&self) -> String {
        let (cert, key) = self.issue("registry", true);
        std::fs::write(self.dir.join("registry.crt"), cert.pem()).unwrap();
        std::fs::write(self.dir.join("registry.key"), key).unwrap();
        format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            self.dir.join("registry.crt").display(),
            self.dir.join("registry.key").display()
        )
    }
}

/// A Docker `config.json` with `password` for `registry` under `auths`, as `docker login` writes it.
fn auth_file(dir: &Path, name: &str, registry: &str, password: &str) -> std::path::PathBuf {
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{password}"));
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::json!({"auths": {registry: {"auth": auth}}}).to_string()).unwrap();
    path
}

/// The module Istio's agent takes out of a pulled image (`pkg/wasm/imagefetcher.go`): a Docker
/// manifest's last layer must be a Docker tar+gzip layer; otherwise an OCI last layer in tar+gzip;
/// otherwise exactly two layers, one of them the raw Wasm layer. `plugin.wasm` is the file taken.
fn module_as_istio_takes_it(manifest: &serde_json::Value, blob: impl Fn(&str) -> Vec<u8>) -> Result<Vec<u8>, String> {
    let layers = manifest["layers"].as_array().ok_or("no layers")?;
    let last = layers.last().ok_or("no layers")?;
    let unpack = |digest: &str| -> Result<Vec<u8>, String> {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(std::io::Cursor::new(blob(digest))));
        for entry in archive.entries().map_err(|e| e.to_string())? {
            let mut entry = entry.map_err(|e| e.to_string())?;
            if entry.path().map_err(|e| e.to_string())?.file_name().is_some_and(|n| n == "plugin.wasm") {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut bytes).map_err(|e| e.to_string())?;
                return Ok(bytes);
            }
        }
        Err("plugin.wasm not found in the archive".into())
    };
    let digest = |layer: &serde_json::Value| layer["digest"].as_str().unwrap_or_default().to_string();
    if manifest["mediaType"] == oci::DOCKER_MANIFEST_MEDIA_TYPE {
        if last["mediaType"] != oci::DOCKER_LAYER_MEDIA_TYPE {
            return Err(format!("invalid media type {}", last["mediaType"]));
        }
        return unpack(&digest(last));
    }
    if last["mediaType"] == oci::LAYER_MEDIA_TYPE {
        return unpack(&digest(last));
    }
    if layers.len() != 2 {
        return Err(format!("number of layers must be 2 but got {}", layers.len()));
    }
    let wasm = layers.iter().find(|l| l["mediaType"] == oci::WASM_LAYER_MEDIA_TYPE).ok_or("no Wasm layer")?;
    Ok(blob(&digest(wasm)))
}

/// The smallest module, for the registry tests.
fn headers_module() -> Vec<u8> {
    std::fs::read(modules::wasm_dir().unwrap().join("sieve_headers.wasm")).unwrap()
}

/// A registry with TLS from `pki` and the `auth` config block, and the options that push to it
/// trusting that CA, with [`USER`]'s password in a `config.json`.
fn tls_registry(dir: &Path, pki: &Pki, auth: &str) -> (Registry, PushOptions) {
    let registry = start_registry(dir, &format!("{}{auth}", pki.registry_tls()), true);
    let options = PushOptions {
        ca_file: Some(pki.ca_file()),
        auth_file: Some(auth_file(dir, "good", &registry.addr, PASSWORD)),
        ..PushOptions::default()
    };
    (registry, options)
}

/// Pushes the headers module in every format Istio pulls with `options`, and pulls each back by
/// digest with skopeo (as [`USER`]), checking the module Istio would take out of it.
fn push_every_format_and_pull_back(registry: &str, pki: &Pki, options: &PushOptions, out: &Path) {
    let creds = &format!("{USER}:{PASSWORD}");
    let module = headers_module();
    for format in Format::ALL {
        let image = Image::build_as(format, &module, "sieve-headers", VERSION).unwrap();
        let repository = format!("sieve/headers-{}", format.name());
        let digest = oci::push(registry, &repository, VERSION, &image, options)
            .unwrap_or_else(|e| panic!("{}: {e}", format.name()));
        assert_eq!(digest, image.digest());
        let reference = format!("docker://{registry}/{repository}@{digest}");
        let raw = skopeo(&["inspect", "--cert-dir", &pki.cert_dir(), "--creds", creds, "--raw", &reference]);
        assert_eq!(format!("sha256:{}", oci::sha256_hex(&raw)), digest, "{}", format.name());
        let manifest: serde_json::Value = serde_json::from_slice(&raw).unwrap();
        assert_eq!(manifest["mediaType"], format.manifest_media_type());
        let copy = out.join(format.name());
        let _ = std::fs::remove_dir_all(&copy);
        std::fs::create_dir_all(out).unwrap();
        skopeo(&[
            "copy",
            "--src-cert-dir",
            &pki.cert_dir(),
            "--src-creds",
            creds,
            &reference,
            &format!("dir:{}", copy.display()),
        ]);
        let pulled = module_as_istio_takes_it(&manifest, |digest| {
            std::fs::read(copy.join(digest.trim_start_matches("sha256:"))).unwrap()
        })
        .unwrap_or_else(|e| panic!("{}: {e}", format.name()));
        assert!(pulled == module, "{}: the module, byte for byte", format.name());
    }
}

/// Runs skopeo expecting it to fail; returns what it said.
fn skopeo_refused(args: &[&str]) -> String {
    let output = Command::new("skopeo").args(args).output().unwrap();
    assert!(!output.status.success(), "skopeo {args:?} should be refused");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn images_push_to_a_tls_registry_with_htpasswd_auth_and_pull_back_in_every_format_istio_takes() {
    let dir = scratch_root().join(format!("registry-htpasswd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let pki = Pki::new(&dir);
    let hash =
        bcrypt::hash_with_salt(PASSWORD, 5, *b"sieve-test-salt!").unwrap().format_for_version(bcrypt::Version::TwoY);
    std::fs::write(dir.join("htpasswd"), format!("{USER}:{hash}\n")).unwrap();
    let auth = format!("auth:\n  htpasswd:\n    realm: sieve-test\n    path: {}\n", dir.join("htpasswd").display());
    let (registry, options) = tls_registry(&dir, &pki, &auth);
    push_every_format_and_pull_back(&registry.addr, &pki, &options, &dir.join("pulled"));

    // The registry really wants the password: anonymous pulls are refused.
    let image = Image::build(&headers_module(), "sieve-headers", VERSION).unwrap();
    let reference = format!("docker://{}/sieve/headers-oci@{}", registry.addr, image.digest());
    let said = skopeo_refused(&["inspect", "--cert-dir", &pki.cert_dir(), "--no-creds", "--raw", &reference]);
    assert!(said.contains("401") || said.to_lowercase().contains("unauthorized"), "{said}");

    let push = |options: &PushOptions| oci::push(&registry.addr, "sieve/refused", VERSION, &image, options);
    // A wrong password: refused, named, and the password not repeated.
    let wrong = PushOptions {
        auth_file: Some(auth_file(&dir, "wrong", &registry.addr, "not-the-password")),
        ..options.clone()
    };
    let error = push(&wrong).unwrap_err();
    assert!(error.contains("wrong user name or password") && error.contains(USER), "{error}");
    assert!(!error.contains("not-the-password"), "{error}");
    eprintln!("a wrong password is refused as: {error}");
    // No credentials for this registry: says where it looked and how to add them.
    let none =
        PushOptions { auth_file: Some(auth_file(&dir, "other", "registry.example.com", PASSWORD)), ..options.clone() };
    let error = push(&none).unwrap_err();
    assert!(
        error.contains("asks for credentials") && error.contains("other.json") && error.contains("docker login"),
        "{error}"
    );
    eprintln!("no credentials: {error}");
    // The registry's CA not given: the certificate is refused, and the message says what to do.
    let untrusted = PushOptions { ca_file: None, ..options.clone() };
    let error = push(&untrusted).unwrap_err();
    assert!(error.contains("--ca"), "{error}");
    eprintln!("an unknown CA is refused as: {error}");
    // Plain HTTP to a TLS registry does not get through either.
    let plain = PushOptions { plain_http: true, ..options.clone() };
    assert!(push(&plain).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn images_push_to_a_tls_registry_with_token_auth_through_the_bearer_flow() {
    use sieve_services::registry_token::{self, TokenService};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let dir = scratch_root().join(format!("registry-token-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let pki = Pki::new(&dir);
    let (signing_cert, signing_key) = pki.issue("sieve test token signer", false);
    let (server_cert, server_key) = pki.issue("sieve test token service", true);
    let tokens = registry_token::handler(TokenService {
        issuer: "sieve-test-token-service".into(),
        service: "sieve-test-registry".into(),
        users: vec![(USER.into(), registry_token::password_digest(PASSWORD))],
        signing_key_pem: signing_key,
        certificate_der: signing_cert.der().to_vec(),
    })
    .unwrap();
    // Counts what the token service answers, to prove the flow went through it.
    let issued = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let counted: sieve_services::Handler = {
        let (issued, refused) = (issued.clone(), refused.clone());
        Arc::new(move |request| {
            let response = tokens(request);
            match response.status {
                200 => issued.fetch_add(1, Ordering::SeqCst),
                _ => refused.fetch_add(1, Ordering::SeqCst),
            };
            response
        })
    };
    let service =
        sieve_services::spawn_tls(([127, 0, 0, 1], 0).into(), counted, &server_cert.pem(), &server_key).unwrap();
    let auth = format!(
        "auth:\n  token:\n    realm: https://{}/token\n    service: sieve-test-registry\n    issuer: sieve-test-token-service\n    rootcertbundle: {}\n",
        service.addr,
        pki.ca_file().display()
    );
    let (registry, options) = tls_registry(&dir, &pki, &auth);
    push_every_format_and_pull_back(&registry.addr, &pki, &options, &dir.join("pulled"));
    assert!(issued.load(Ordering::SeqCst) >= 6, "a token for each push and each pull");

    // Wrong password: the token service refuses it, and the message says who refused whom.
    let image = Image::build(&headers_module(), "sieve-headers", VERSION).unwrap();
    let wrong = PushOptions {
        auth_file: Some(auth_file(&dir, "wrong", &registry.addr, "not-the-password")),
        ..options.clone()
    };
    let before = refused.load(Ordering::SeqCst);
    let error = oci::push(&registry.addr, "sieve/refused", VERSION, &image, &wrong).unwrap_err();
    assert!(
        error.contains("token service") && error.contains("wrong user name or password") && error.contains(USER),
        "{error}"
    );
    assert!(!error.contains("not-the-password"), "{error}");
    eprintln!("a wrong password is refused as: {error}");
    assert_eq!(refused.load(Ordering::SeqCst), before + 1);
    // The registry does not take anything without a token of its issuer.
    let reference = format!("docker://{}/sieve/headers-oci@{}", registry.addr, image.digest());
    let said = skopeo_refused(&[
        "inspect",
        "--cert-dir",
        &pki.cert_dir(),
        "--creds",
        &format!("{USER}:nope"),
        "--raw",
        &reference,
    ]);
    assert!(said.contains("401") || said.to_lowercase().contains("unauthorized"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}
