//! Wasm OCI images in the layout Istio pulls, and a minimal OCI distribution client to push them.
//!
//! Variant: the *compat* variant of the Wasm image specification with standard OCI media types —
//! an OCI image manifest (`application/vnd.oci.image.manifest.v1+json`), an OCI image config
//! (`application/vnd.oci.image.config.v1+json`), and exactly one layer
//! (`application/vnd.oci.image.layer.v1.tar+gzip`) holding `plugin.wasm`, with the annotation
//! `module.wasm.image/variant: compat`. Istio's fetcher (`pkg/wasm/imagefetcher.go`) tries this form
//! before the custom-artifact (*oci*) variant, whose fixed two-layer shape has broken other
//! projects' single-layer images; and standard media types let any OCI tool (skopeo, crane, docker)
//! pull, inspect and mirror the image. Everything is deterministic (no timestamps, fixed tar
//! headers), so the manifest digest — the `sha256` a WasmPlugin pins — depends only on the module.

use sha2::{Digest, Sha256};
use std::io::Write;

pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// A built image: its three blobs and the manifest digest.
#[derive(Debug, Clone)]
pub struct Image {
    pub manifest: Vec<u8>,
    pub config: Vec<u8>,
    pub layer: Vec<u8>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex_encode(&Sha256::digest(bytes))
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

/// `plugin.wasm` in a tar, gzipped, with fixed metadata.
fn layer(module: &[u8]) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_ustar();
    header.set_path("plugin.wasm")?;
    header.set_size(module.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header.set_cksum();
    tar.append(&header, module)?;
    let tar = tar.into_inner()?;
    let mut gzip = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::best());
    gzip.write_all(&tar)?;
    Ok((gzip.finish()?, tar))
}

impl Image {
    pub fn build(module: &[u8], name: &str, version: &str) -> Result<Image, String> {
        let (layer, tar) = layer(module).map_err(|e| format!("cannot build the layer: {e}"))?;
        let config = serde_json::json!({
            "architecture": "wasm",
            "os": "wasip1",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": [digest(&tar)]},
        });
        let config = serde_json::to_vec(&config).map_err(|e| e.to_string())?;
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_MEDIA_TYPE,
            "config": {"mediaType": CONFIG_MEDIA_TYPE, "digest": digest(&config), "size": config.len()},
            "layers": [{"mediaType": LAYER_MEDIA_TYPE, "digest": digest(&layer), "size": layer.len()}],
            "annotations": {
                "module.wasm.image/variant": "compat",
                "org.opencontainers.image.title": name,
                "org.opencontainers.image.version": version,
            },
        });
        let manifest = serde_json::to_vec(&manifest).map_err(|e| e.to_string())?;
        Ok(Image { manifest, config, layer })
    }

    /// `sha256:<hex>` of the manifest: what a registry calls the image, and what Istio checks
    /// against a WasmPlugin's `sha256`.
    pub fn digest(&self) -> String {
        digest(&self.manifest)
    }

    /// The hex part of [`Image::digest`] (a WasmPlugin's `sha256`).
    pub fn sha256(&self) -> String {
        sha256_hex(&self.manifest)
    }
}

impl Image {
    /// Writes the image as an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/...`) that
    /// skopeo, crane or oras can copy to any registry: `skopeo copy oci:DIR:TAG docker://...`.
    pub fn write_layout(&self, dir: &std::path::Path, tag: &str) -> Result<(), String> {
        let blobs = dir.join("blobs/sha256");
        std::fs::create_dir_all(&blobs).map_err(|e| e.to_string())?;
        for blob in [&self.manifest, &self.config, &self.layer] {
            std::fs::write(blobs.join(sha256_hex(blob)), blob).map_err(|e| e.to_string())?;
        }
        std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).map_err(|e| e.to_string())?;
        let index = serde_json::json!({
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": MANIFEST_MEDIA_TYPE,
                "digest": self.digest(),
                "size": self.manifest.len(),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }],
        });
        std::fs::write(dir.join("index.json"), serde_json::to_vec_pretty(&index).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())
    }
}

/// Pushes `image` to `registry` (`host:port`, plain HTTP) as `repository:tag`; returns the digest
/// the registry reports.
pub fn push(registry: &str, repository: &str, tag: &str, image: &Image) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let base = format!("http://{registry}/v2/{repository}");
    for blob in [&image.config, &image.layer] {
        let blob_digest = digest(blob);
        let head = agent.head(&format!("{base}/blobs/{blob_digest}")).call().map_err(|e| e.to_string())?;
        if head.status().is_success() {
            continue;
        }
        let start = agent.post(&format!("{base}/blobs/uploads/")).send_empty().map_err(|e| e.to_string())?;
        if start.status().as_u16() != 202 {
            return Err(format!("starting an upload: status {}", start.status()));
        }
        let location =
            start.headers().get("location").and_then(|v| v.to_str().ok()).ok_or("no upload location")?.to_string();
        let location = if location.starts_with("http") { location } else { format!("http://{registry}{location}") };
        let separator = if location.contains('?') { '&' } else { '?' };
        let put = agent
            .put(&format!("{location}{separator}digest={blob_digest}"))
            .header("content-type", "application/octet-stream")
            .send(blob.as_slice())
            .map_err(|e| e.to_string())?;
        if put.status().as_u16() != 201 {
            return Err(format!("uploading {blob_digest}: status {}", put.status()));
        }
    }
    let put = agent
        .put(&format!("{base}/manifests/{tag}"))
        .header("content-type", MANIFEST_MEDIA_TYPE)
        .send(image.manifest.as_slice())
        .map_err(|e| e.to_string())?;
    if put.status().as_u16() != 201 {
        let status = put.status();
        let body = put.into_body().read_to_string().unwrap_or_default();
        return Err(format!("pushing the manifest: status {status}: {body}"));
    }
    let reported =
        put.headers().get("docker-content-digest").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if reported != image.digest() {
        return Err(format!("the registry reports {reported}, the manifest is {}", image.digest()));
    }
    Ok(reported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_deterministic_and_hold_the_module() {
        let a = Image::build(b"\0asm\x01\0\0\0", "sieve-x", "1").unwrap();
        let b = Image::build(b"\0asm\x01\0\0\0", "sieve-x", "1").unwrap();
        assert_eq!(a.digest(), b.digest());
        let c = Image::build(b"\0asm\x01\0\0\0 ", "sieve-x", "1").unwrap();
        assert_ne!(a.digest(), c.digest());
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(a.layer.as_slice()));
        let mut entries = tar.entries().unwrap();
        let mut entry = entries.next().unwrap().unwrap();
        assert_eq!(entry.path().unwrap().to_str(), Some("plugin.wasm"));
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        assert_eq!(bytes, b"\0asm\x01\0\0\0");
        assert!(entries.next().is_none(), "exactly one file");
    }
}
