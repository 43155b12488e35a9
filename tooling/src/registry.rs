//! Pushing an [`Image`] to an OCI distribution registry: HTTPS (with the system's Web PKI roots,
//! or the CA file given), and the two ways registries ask for credentials:
//!
//! - `WWW-Authenticate: Basic` (a registry with htpasswd auth): the user and password are sent to
//!   the registry itself;
//! - `WWW-Authenticate: Bearer realm=...,service=...,scope=...` (Docker's token authentication,
//!   used by Docker Hub, GHCR, Harbor, ECR, ACR, GAR, Quay): the credentials go to the token service
//!   at `realm` (GET with basic auth, or POST of an OAuth2 `refresh_token` for an identity token), and
//!   the token it returns goes to the registry.
//!
//! Credentials come from Docker's `config.json` ([`crate::docker_config`]). Secrets go only over
//! TLS (a realm on plain HTTP is refused unless the registry itself was given as `--plain-http`),
//! are never printed, and a refusal says which user was refused by whom.

use crate::docker_config::{self, Credential};
use crate::oci::{sha256_hex, Image};
use base64::Engine;
use std::path::PathBuf;
use std::time::Duration;

/// How to reach a registry: what `--plain-http`, `--ca FILE` and `--authfile FILE` set.
#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// Plain HTTP instead of HTTPS (a registry on loopback or a private network without TLS).
    pub plain_http: bool,
    /// PEM file of the CA(s) that sign the registry's (and its token service's) certificate,
    /// trusted instead of the Web PKI roots.
    pub ca_file: Option<PathBuf>,
    /// Docker `config.json` to read credentials from, instead of the default one.
    pub auth_file: Option<PathBuf>,
}

impl PushOptions {
    /// The flags, for usage lines.
    pub const FLAGS: &'static str = "[--plain-http] [--ca FILE] [--authfile FILE]";

    /// Takes `flag` if it is one of [`PushOptions::FLAGS`] (`value` reads its argument);
    /// `Ok(false)` if it is not.
    pub fn take_flag(&mut self, flag: &str, value: impl FnOnce() -> Result<String, String>) -> Result<bool, String> {
        match flag {
            "--plain-http" => self.plain_http = true,
            "--ca" => self.ca_file = Some(PathBuf::from(value()?)),
            "--authfile" => self.auth_file = Some(PathBuf::from(value()?)),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// A connection to one registry, authenticated as needed while pushing.
pub struct Registry {
    host: String,
    base: String,
    plain_http: bool,
    agent: ureq::Agent,
    credential: Option<Credential>,
    /// Where the credential was looked for, to say so when there is none.
    credential_source: String,
    /// The `Authorization` header value once authenticated.
    authorization: Option<String>,
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, PartialEq, Eq)]
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// `Bearer realm="https://auth",service="registry",scope="repository:a/b:pull"` (quoted values
/// may hold commas; RFC 7235 auth-params).
fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let mut params = Vec::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, quoted.get(end?..).unwrap_or(""))
        } else {
            let (value, remaining) = after.split_once(',').unwrap_or((after, ""));
            (value.trim().to_string(), remaining)
        };
        params.push((name.trim().to_string(), value));
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    Some(Challenge { scheme: scheme.to_string(), params })
}

fn transport_error(url: &str, error: &ureq::Error) -> String {
    let text = error.to_string();
    let hint = if text.contains("certificate") || text.contains("UnknownIssuer") || text.contains("Certificate") {
        " (the server's certificate is not signed by a CA trusted here: give the CA with --ca FILE)"
    } else if text.contains("InvalidContentType") || text.contains("corrupt message") || text.contains("record") {
        " (is it a registry without TLS? then --plain-http)"
    } else {
        ""
    };
    format!("cannot reach {url}: {text}{hint}")
}

impl Registry {
    /// `host` is `host[:port]`. Reads the credential for it now, so that a broken `config.json`
    /// is reported before anything is sent.
    pub fn connect(host: &str, options: &PushOptions) -> Result<Registry, String> {
        if host.is_empty() || host.contains('/') {
            return Err(format!("{host:?} is not a registry host[:port]"));
        }
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(ca) = &options.ca_file {
            let pem = std::fs::read(ca).map_err(|e| format!("--ca {}: {e}", ca.display()))?;
            let mut certs = Vec::new();
            for item in ureq::tls::parse_pem(&pem) {
                if let Ok(ureq::tls::PemItem::Certificate(cert)) = item {
                    certs.push(cert);
                }
            }
            if certs.is_empty() {
                return Err(format!("--ca {}: no PEM certificate in it", ca.display()));
            }
            tls = tls.root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(certs)));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(tls.build())
            .timeout_global(Some(Duration::from_secs(300)))
            .build()
            .into();
        let path = options.auth_file.clone().or_else(docker_config::default_path);
        let (credential, credential_source) = match &path {
            Some(path) => (docker_config::lookup(path, host)?, path.display().to_string()),
            None => (None, "no Docker config file ($DOCKER_CONFIG and $HOME unset)".to_string()),
        };
        let scheme = if options.plain_http { "http" } else { "https" };
        Ok(Registry {
            host: host.to_string(),
            base: format!("{scheme}://{host}"),
            plain_http: options.plain_http,
            agent,
            credential,
            credential_source,
            authorization: None,
        })
    }

    /// Pushes `image` as `repository:tag`; returns the digest the registry reports, which must be
    /// the image's.
    pub fn push(&mut self, repository: &str, tag: &str, image: &Image) -> Result<String, String> {
        let scope = format!("repository:{repository}:pull,push");
        // Docker's ping: learn how this registry authenticates before sending any blob.
        let ping = format!("{}/v2/", self.base);
        let response = self.send("GET", &ping, None, &scope)?;
        if !response.status().is_success() {
            return Err(format!("{ping}: status {}", response.status()));
        }
        let base = format!("{}/v2/{repository}", self.base);
        for blob in image.blobs() {
            let digest = format!("sha256:{}", sha256_hex(blob));
            let head = self.send("HEAD", &format!("{base}/blobs/{digest}"), None, &scope)?;
            if head.status().is_success() {
                continue;
            }
            let start = self.send("POST", &format!("{base}/blobs/uploads/"), Some(("", &[])), &scope)?;
            if start.status().as_u16() != 202 {
                return Err(format!("{base}: starting an upload: {}", describe(start)));
            }
            let location = start
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("{base}: the registry gave no upload location"))?
                .to_string();
            let location = if location.starts_with("http://") || location.starts_with("https://") {
                location
            } else {
                format!("{}{location}", self.base)
            };
            let separator = if location.contains('?') { '&' } else { '?' };
            let put = self.send(
                "PUT",
                &format!("{location}{separator}digest={digest}"),
                Some(("application/octet-stream", blob)),
                &scope,
            )?;
            if put.status().as_u16() != 201 {
                return Err(format!("{base}: uploading {digest}: {}", describe(put)));
            }
        }
        let url = format!("{base}/manifests/{tag}");
        let put = self.send("PUT", &url, Some((image.manifest_media_type(), &image.manifest)), &scope)?;
        if put.status().as_u16() != 201 {
            return Err(format!("{url}: pushing the manifest: {}", describe(put)));
        }
        let reported =
            put.headers().get("docker-content-digest").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        if reported != image.digest() {
            return Err(format!("the registry reports {reported}, the manifest is {}", image.digest()));
        }
        Ok(reported)
    }

    /// One request; on a 401, authenticate as the challenge asks and try once more.
    fn send(
        &mut self,
        method: &str,
        url: &str,
        body: Option<(&str, &[u8])>,
        scope: &str,
    ) -> Result<ureq::http::Response<ureq::Body>, String> {
        let mut authenticated = false;
        loop {
            let mut request = ureq::http::Request::builder().method(method).uri(url);
            if let Some(authorization) = &self.authorization {
                request = request.header("authorization", authorization);
            }
            let result = match body {
                Some((content_type, bytes)) => {
                    if !content_type.is_empty() {
                        request = request.header("content-type", content_type);
                    }
                    let request = request.body(bytes).map_err(|e| format!("{url}: {e}"))?;
                    self.agent.run(request)
                }
                None => {
                    let request = request.body(()).map_err(|e| format!("{url}: {e}"))?;
                    self.agent.run(request)
                }
            };
            let response = result.map_err(|e| transport_error(url, &e))?;
            if response.status().as_u16() != 401 {
                return Ok(response);
            }
            let challenge = response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_challenge)
                .ok_or_else(|| format!("{url}: status 401 without a usable WWW-Authenticate challenge"))?;
            if authenticated {
                return Err(self.refused_after_authenticating(&challenge, url));
            }
            self.authenticate(&challenge, scope)?;
            authenticated = true;
        }
    }

    fn refused_after_authenticating(&self, challenge: &Challenge, url: &str) -> String {
        let user = self.credential.as_ref().map(Credential::username).unwrap_or("anonymous");
        if challenge.scheme.eq_ignore_ascii_case("basic") {
            format!(
                "registry {} refused the credentials of user {user:?} (basic auth): wrong user name or password",
                self.host
            )
        } else {
            let scope = challenge.param("scope").unwrap_or("?");
            format!("registry {}: the token issued to {user:?} does not grant {scope} ({url})", self.host)
        }
    }

    fn no_credential(&self, how: &str) -> String {
        format!(
            "registry {} asks for credentials ({how}) and there are none for it in {} (add them with \
             `docker login {}`, or give a config file with --authfile)",
            self.host, self.credential_source, self.host
        )
    }

    fn authenticate(&mut self, challenge: &Challenge, scope: &str) -> Result<(), String> {
        let engine = base64::engine::general_purpose::STANDARD;
        if challenge.scheme.eq_ignore_ascii_case("basic") {
            // Basic auth goes to the registry itself: TLS unless the user asked for --plain-http.
            match &self.credential {
                Some(Credential::Password { username, password }) => {
                    self.authorization = Some(format!("Basic {}", engine.encode(format!("{username}:{password}"))));
                    Ok(())
                }
                Some(Credential::IdentityToken(_)) => Err(format!(
                    "registry {} asks for basic auth and the credential for it in {} is an identity token",
                    self.host, self.credential_source
                )),
                None => Err(self.no_credential("basic auth")),
            }
        } else if challenge.scheme.eq_ignore_ascii_case("bearer") {
            let realm = challenge
                .param("realm")
                .ok_or_else(|| format!("registry {}: a Bearer challenge without a realm", self.host))?
                .to_string();
            let over_tls = realm.starts_with("https://");
            if !(over_tls || self.plain_http && realm.starts_with("http://")) {
                return Err(format!(
                    "registry {} sends credentials to the token service {realm:?}, which is not HTTPS: refused",
                    self.host
                ));
            }
            // The challenge names the scope of the request that met it (often only `pull`); ask for
            // what the whole push needs at once.
            let mut scopes = vec![scope.to_string()];
            if let Some(asked) = challenge.param("scope") {
                for asked in asked.split(' ') {
                    if !asked.is_empty() && !scopes.iter().any(|s| s == asked) {
                        scopes.push(asked.to_string());
                    }
                }
            }
            let service = challenge.param("service").unwrap_or_default().to_string();
            let response = match &self.credential {
                Some(Credential::IdentityToken(token)) => {
                    let mut form = vec![
                        ("grant_type", "refresh_token".to_string()),
                        ("service", service.clone()),
                        ("client_id", "sieve".to_string()),
                        ("refresh_token", token.clone()),
                    ];
                    form.extend(scopes.iter().map(|s| ("scope", s.clone())));
                    self.agent.post(&realm).send_form(form.iter().map(|(k, v)| (*k, v.as_str())))
                }
                credential => {
                    let mut request = self.agent.get(&realm).query("service", &service);
                    for scope in &scopes {
                        request = request.query("scope", scope);
                    }
                    if let Some(Credential::Password { username, password }) = credential {
                        request = request.header(
                            "authorization",
                            format!("Basic {}", engine.encode(format!("{username}:{password}"))),
                        );
                    }
                    request.call()
                }
            };
            let response = response.map_err(|e| transport_error(&realm, &e))?;
            let status = response.status().as_u16();
            if status == 401 || status == 403 {
                return Err(match &self.credential {
                    Some(credential) => format!(
                        "the token service {realm} refused the credentials of user {:?} for registry {}: wrong user \
                         name or password (status {status})",
                        credential.username(),
                        self.host
                    ),
                    None => self.no_credential(&format!("a token from {realm}")),
                });
            }
            if status != 200 {
                return Err(format!("the token service {realm}: {}", describe(response)));
            }
            let answer: serde_json::Value = response
                .into_body()
                .read_json()
                .map_err(|e| format!("the token service {realm} answered something else than JSON: {e}"))?;
            let token = answer
                .get("token")
                .or_else(|| answer.get("access_token"))
                .and_then(serde_json::Value::as_str)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| format!("the token service {realm} answered without a token"))?;
            self.authorization = Some(format!("Bearer {token}"));
            Ok(())
        } else {
            Err(format!(
                "registry {} asks for {:?} authentication, which is not supported",
                self.host, challenge.scheme
            ))
        }
    }
}

/// Status and the registry's error text (OCI distribution error JSON), for messages.
fn describe(response: ureq::http::Response<ureq::Body>) -> String {
    let status = response.status();
    let body = response.into_body().read_to_string().unwrap_or_default();
    let body = body.trim();
    if body.is_empty() {
        format!("status {status}")
    } else {
        format!("status {status}: {}", body.chars().take(300).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_parse_as_registries_send_them() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(c.param("service"), Some("registry.docker.io"));
        assert_eq!(c.param("scope"), Some("repository:a/b:pull,push"), "commas inside quotes stay");
        let c = parse_challenge(r#"Basic realm="Registry Realm""#).unwrap();
        assert_eq!((c.scheme.as_str(), c.param("realm")), ("Basic", Some("Registry Realm")));
        let c = parse_challenge(r#"Bearer realm=https://a/token, service = "x\"y""#).unwrap();
        assert_eq!(c.param("realm"), Some("https://a/token"));
        assert_eq!(c.param("service"), Some("x\"y"));
        assert_eq!(parse_challenge("Basic").unwrap().params, vec![]);
        assert!(parse_challenge(r#"Bearer realm="unterminated"#).is_none());
    }

    #[test]
    fn flags_are_taken_and_others_left() {
        let mut options = PushOptions::default();
        assert!(options.take_flag("--plain-http", || Err("no value".into())).unwrap());
        assert!(options.take_flag("--ca", || Ok("ca.pem".into())).unwrap());
        assert!(options.take_flag("--authfile", || Ok("auth.json".into())).unwrap());
        assert!(!options.take_flag("--push", || Ok("x".into())).unwrap());
        assert!(options.plain_http);
        assert_eq!(options.ca_file, Some(PathBuf::from("ca.pem")));
        assert!(options.take_flag("--ca", || Err("--ca needs a value".into())).is_err());
    }

    #[test]
    fn a_bad_ca_file_is_named() {
        let path = std::env::temp_dir().join(format!("sieve-not-a-ca-{}.pem", std::process::id()));
        std::fs::write(&path, "not a certificate").unwrap();
        let options = PushOptions { ca_file: Some(path.clone()), ..PushOptions::default() };
        let error = Registry::connect("127.0.0.1:1", &options).err().unwrap();
        assert!(error.contains("--ca") && error.contains("no PEM certificate"), "{error}");
        let _ = std::fs::remove_file(path);
    }
}
