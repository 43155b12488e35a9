//! Wasm OCI images in the forms Istio's agent pulls (`pkg/wasm/imagefetcher.go`), written as OCI
//! layouts or pushed with [`crate::registry`].
//!
//! The default, [`Format::Oci`], is the *compat* variant of the Wasm image specification with
//! standard OCI media types: an OCI image manifest, an OCI image config, and exactly one layer
//! (`application/vnd.oci.image.layer.v1.tar+gzip`) holding `plugin.wasm`, annotated
//! `module.wasm.image/variant: compat`. Istio's fetcher tries this form before the custom-artifact
//! variant, whose fixed two-layer shape has broken other projects' single-layer images, and
//! standard media types let any OCI tool (skopeo, crane, docker) pull, inspect and mirror it.
//! [`Format::Docker`] is the same with Docker's media types (for registries or mirrors that keep
//! only Docker manifests) and [`Format::WasmArtifact`] the *oci* variant (the raw module as an
//! `application/vnd.module.wasm.content.layer.v1+wasm` layer beside its Wasm config). Everything is
//! deterministic (no timestamps, fixed tar headers), so the manifest digest, the `sha256` a
//! WasmPlugin pins, depends only on the module and the format.

use sha2::{Digest, Sha256};
use std::io::Write;

pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const DOCKER_MANIFEST_MEDIA_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_CONFIG_MEDIA_TYPE: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER_MEDIA_TYPE: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
pub const WASM_CONFIG_MEDIA_TYPE: &str = "application/vnd.module.wasm.config.v1+json";
pub const WASM_LAYER_MEDIA_TYPE: &str = "application/vnd.module.wasm.content.layer.v1+wasm";

/// The image forms Istio's agent accepts, in the order it tries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Docker image manifest, last layer a Docker tar+gzip layer holding `plugin.wasm`.
    Docker,
    /// OCI image manifest, last layer an OCI tar+gzip layer holding `plugin.wasm` (the default).
    #[default]
    Oci,
    /// OCI manifest with exactly two layers: the raw module and the Wasm config.
    WasmArtifact,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Docker, Format::Oci, Format::WasmArtifact];

    /// The `--format` value.
    pub fn name(self) -> &'static str {
        match self {
            Format::Docker => "docker",
            Format::Oci => "oci",
            Format::WasmArtifact => "wasm-artifact",
        }
    }

    pub fn parse(name: &str) -> Result<Format, String> {
        Format::ALL.into_iter().find(|f| f.name() == name).ok_or_else(|| {
            format!("unknown image format {name:?}: one of {}", Format::ALL.map(Format::name).join(", "))
        })
    }

    pub fn manifest_media_type(self) -> &'static str {
        match self {
            Format::Docker => DOCKER_MANIFEST_MEDIA_TYPE,
            Format::Oci | Format::WasmArtifact => MANIFEST_MEDIA_TYPE,
        }
    }
}

/// A built image: its manifest and the blobs it names (config first, then the layers).
#[derive(Debug, Clone)]
pub struct Image {
    pub format: Format,
    pub manifest: Vec<u8>,
    pub blobs: Vec<Vec<u8>>,
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

fn descriptor(media_type: &str, blob: &[u8]) -> serde_json::Value {
    serde_json::json!({"mediaType": media_type, "digest": digest(blob), "size": blob.len()})
}

/// `plugin.wasm` in a tar, gzipped, with fixed metadata; also the tar (for the config's diff_id).
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
    /// The default format ([`Format::Oci`]).
    pub fn build(module: &[u8], name: &str, version: &str) -> Result<Image, String> {
        Image::build_as(Format::Oci, module, name, version)
    }

    pub fn build_as(format: Format, module: &[u8], name: &str, version: &str) -> Result<Image, String> {
        let to_vec = |value: &serde_json::Value| serde_json::to_vec(value).map_err(|e| e.to_string());
        let (manifest, blobs) = match format {
            Format::Docker | Format::Oci => {
                let (layer, tar) = layer(module).map_err(|e| format!("cannot build the layer: {e}"))?;
                let config = to_vec(&serde_json::json!({
                    "architecture": "wasm",
                    "os": "wasip1",
                    "config": {},
                    "rootfs": {"type": "layers", "diff_ids": [digest(&tar)]},
                }))?;
                let manifest = if format == Format::Docker {
                    // Docker's schema 2 has no annotations.
                    serde_json::json!({
                        "schemaVersion": 2,
                        "mediaType": DOCKER_MANIFEST_MEDIA_TYPE,
                        "config": descriptor(DOCKER_CONFIG_MEDIA_TYPE, &config),
                        "layers": [descriptor(DOCKER_LAYER_MEDIA_TYPE, &layer)],
                    })
                } else {
                    let annotations = serde_json::json!({
                        "module.wasm.image/variant": "compat",
                        "org.opencontainers.image.title": name,
                        "org.opencontainers.image.version": version,
                    });
                    serde_json::json!({
                        "schemaVersion": 2,
                        "mediaType": MANIFEST_MEDIA_TYPE,
                        "config": descriptor(CONFIG_MEDIA_TYPE, &config),
                        "layers": [descriptor(LAYER_MEDIA_TYPE, &layer)],
                        "annotations": annotations,
                    })
                };
                (manifest, vec![config, layer])
            }
            Format::WasmArtifact => {
                // The Wasm image specification's config; Istio wants it as the second layer too.
                let config = to_vec(&serde_json::json!({"type": "envoy_proxy", "abiVersions": ["v0.2.1"]}))?;
                let manifest = serde_json::json!({
                    "schemaVersion": 2,
                    "mediaType": MANIFEST_MEDIA_TYPE,
                    "config": descriptor(WASM_CONFIG_MEDIA_TYPE, &config),
                    "layers": [descriptor(WASM_LAYER_MEDIA_TYPE, module), descriptor(WASM_CONFIG_MEDIA_TYPE, &config)],
                    "annotations": {
                        "org.opencontainers.image.title": name,
                        "org.opencontainers.image.version": version,
                    },
                });
                (manifest, vec![config, module.to_vec()])
            }
        };
        Ok(Image { format, manifest: to_vec(&manifest)?, blobs })
    }

    /// Config and layers: what a push uploads before the manifest.
    pub fn blobs(&self) -> &[Vec<u8>] {
        &self.blobs
    }

    pub fn manifest_media_type(&self) -> &'static str {
        self.format.manifest_media_type()
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

    /// Writes the image as an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/...`) that
    /// skopeo, crane or oras can copy to any registry: `skopeo copy oci:DIR:TAG docker://...`.
    pub fn write_layout(&self, dir: &std::path::Path, tag: &str) -> Result<(), String> {
        let blobs = dir.join("blobs/sha256");
        std::fs::create_dir_all(&blobs).map_err(|e| e.to_string())?;
        for blob in std::iter::once(&self.manifest).chain(&self.blobs) {
            std::fs::write(blobs.join(sha256_hex(blob)), blob).map_err(|e| e.to_string())?;
        }
        std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).map_err(|e| e.to_string())?;
        let index = serde_json::json!({
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": self.manifest_media_type(),
                "digest": self.digest(),
                "size": self.manifest.len(),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }],
        });
        std::fs::write(dir.join("index.json"), serde_json::to_vec_pretty(&index).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())
    }
}

/// Pushes `image` to `registry` (`host:port`) as `repository:tag` with `options` (HTTPS unless
/// `plain_http`; credentials from Docker's config); returns the digest the registry reports.
pub fn push(
    registry: &str,
    repository: &str,
    tag: &str,
    image: &Image,
    options: &crate::registry::PushOptions,
) -> Result<String, String> {
    crate::registry::Registry::connect(registry, options)?.push(repository, tag, image)
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
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(a.blobs[1].as_slice()));
        let mut entries = tar.entries().unwrap();
        let mut entry = entries.next().unwrap().unwrap();
        assert_eq!(entry.path().unwrap().to_str(), Some("plugin.wasm"));
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        assert_eq!(bytes, b"\0asm\x01\0\0\0");
        assert!(entries.next().is_none(), "exactly one file");
    }
}
