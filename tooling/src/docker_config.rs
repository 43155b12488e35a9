//! Registry credentials from Docker's `config.json`, found and read the way the docker CLI,
//! skopeo, crane and Istio's agent read them: `auths` entries (`auth` = base64 `user:password`, or
//! `username` and `password`, or an `identitytoken`), and the `credHelpers` / `credsStore`
//! programs (`docker-credential-NAME get`, the server on stdin, `{"Username","Secret"}` on stdout).
//!
//! Where the file is: the path given (`--authfile`), else `$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`. A missing file means no credentials (anonymous), as for docker.

use base64::Engine;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a registry is sent to prove who the client is.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// Basic auth to the registry, or to its token service.
    Password { username: String, password: String },
    /// An OAuth2 refresh token (`identitytoken`), exchanged at the token service.
    IdentityToken(String),
}

// Never print a secret, not even in a debug dump.
impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Password { username, .. } => {
                write!(f, "Password {{ username: {username:?}, password: <redacted> }}")
            }
            Credential::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

impl Credential {
    pub fn username(&self) -> &str {
        match self {
            Credential::Password { username, .. } => username,
            Credential::IdentityToken(_) => "<token>",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// The config file used when none is given: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`.
pub fn default_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker/config.json"))
}

/// `host[:port]` of an `auths` key, which docker writes as `host`, `https://host/v1/` and so on.
fn key_host(key: &str) -> &str {
    let key = key.strip_prefix("https://").or_else(|| key.strip_prefix("http://")).unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

/// The credential for `registry` (`host[:port]`) in the config file at `path`; `Ok(None)` when
/// the file does not exist or holds nothing for that registry.
pub fn lookup(path: &Path, registry: &str) -> Result<Option<Credential>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let config: ConfigFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: not a Docker config file: {e}", path.display()))?;
    let helper = config
        .cred_helpers
        .iter()
        .find(|(key, _)| key_host(key) == registry)
        .map(|(_, helper)| helper.clone())
        .or(config.creds_store.clone());
    if let Some(entry) = config.auths.iter().find(|(key, _)| key_host(key) == registry).map(|(_, e)| e) {
        if let Some(credential) =
            entry_credential(entry).map_err(|e| format!("{}: auths.{registry}: {e}", path.display()))?
        {
            return Ok(Some(credential));
        }
    }
    match helper {
        Some(helper) => from_helper(Path::new(&format!("docker-credential-{helper}")), registry),
        None => Ok(None),
    }
}

fn entry_credential(entry: &AuthEntry) -> Result<Option<Credential>, String> {
    if let Some(token) = entry.identitytoken.as_ref().filter(|t| !t.is_empty()) {
        return Ok(Some(Credential::IdentityToken(token.clone())));
    }
    if let Some(auth) = entry.auth.as_ref().filter(|a| !a.is_empty()) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|_| "`auth` is not base64".to_string())?;
        let decoded = String::from_utf8(decoded).map_err(|_| "`auth` is not UTF-8".to_string())?;
        let (username, password) =
            decoded.split_once(':').ok_or_else(|| "`auth` is not base64 of user:password".to_string())?;
        return Ok(Some(Credential::Password { username: username.into(), password: password.into() }));
    }
    match (&entry.username, &entry.password) {
        (Some(username), Some(password)) if !username.is_empty() => {
            Ok(Some(Credential::Password { username: username.clone(), password: password.clone() }))
        }
        _ => Ok(None),
    }
}

/// Asks a credential helper program (docker's protocol: `PROGRAM get`, the server on stdin).
pub fn from_helper(program: &Path, registry: &str) -> Result<Option<Credential>, String> {
    let name = program.display();
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run the credential helper {name}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(registry.as_bytes()).map_err(|e| format!("{name}: {e}"))?;
    }
    let output = child.wait_with_output().map_err(|e| format!("{name}: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        // The protocol's answer for "nothing stored for this server".
        if stdout.contains("credentials not found")
            || String::from_utf8_lossy(&output.stderr).contains("credentials not found")
        {
            return Ok(None);
        }
        return Err(format!("the credential helper {name} failed ({})", output.status));
    }
    #[derive(Deserialize)]
    struct Answer {
        #[serde(rename = "Username")]
        username: String,
        #[serde(rename = "Secret")]
        secret: String,
    }
    let answer: Answer = serde_json::from_str(&stdout)
        .map_err(|e| format!("the credential helper {name} answered something else: {e}"))?;
    Ok(Some(if answer.username == "<token>" {
        Credential::IdentityToken(answer.secret)
    } else {
        Credential::Password { username: answer.username, password: answer.secret }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path, text: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join("config.json");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn scratch(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("sieve-docker-config-{name}-{}", std::process::id()))
    }

    #[test]
    fn entries_are_found_under_every_key_form_docker_writes() {
        let dir = scratch("keys");
        // "sieve:s3cret:with:colons" — the password keeps its colons.
        let path = config(
            &dir,
            r#"{"auths": {
                "https://registry.example.com/v1/": {"auth": "c2lldmU6czNjcmV0OndpdGg6Y29sb25z"},
                "127.0.0.1:5000": {"username": "u", "password": "p"},
                "acr.example.com": {"identitytoken": "refresh-me"}
            }}"#,
        );
        assert_eq!(
            lookup(&path, "registry.example.com").unwrap(),
            Some(Credential::Password { username: "sieve".into(), password: "s3cret:with:colons".into() })
        );
        assert_eq!(
            lookup(&path, "127.0.0.1:5000").unwrap(),
            Some(Credential::Password { username: "u".into(), password: "p".into() })
        );
        assert_eq!(lookup(&path, "acr.example.com").unwrap(), Some(Credential::IdentityToken("refresh-me".into())));
        assert_eq!(lookup(&path, "127.0.0.1:5001").unwrap(), None, "another port is another registry");
        assert_eq!(lookup(&dir.join("absent.json"), "127.0.0.1:5000").unwrap(), None);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn broken_entries_are_named() {
        let dir = scratch("broken");
        let path = config(&dir, r#"{"auths": {"r.example.com": {"auth": "not base64!"}}}"#);
        let error = lookup(&path, "r.example.com").unwrap_err();
        assert!(error.contains("auths.r.example.com") && error.contains("base64"), "{error}");
        let path = config(&dir, "{not json");
        assert!(lookup(&path, "r.example.com").unwrap_err().contains("not a Docker config file"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn credential_helpers_speak_dockers_protocol() {
        let dir = scratch("helper");
        std::fs::create_dir_all(&dir).unwrap();
        let helper = dir.join("docker-credential-test");
        // Answers for one server only, as a real helper does.
        std::fs::write(
            &helper,
            "#!/bin/sh\nread server\nif [ \"$1\" = get ] && [ \"$server\" = r.example.com ]; then\n  echo '{\"ServerURL\":\"r.example.com\",\"Username\":\"robot\",\"Secret\":\"from-helper\"}'\nelse\n  echo 'credentials not found in native keychain'; exit 1\nfi\n",
        )
        .unwrap();
        std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        // A script just written can be "busy" while another test thread forks: try again then.
        let ask = |server: &str| {
            for _ in 0..20 {
                match from_helper(&helper, server) {
                    Err(e) if e.contains("busy") => std::thread::sleep(std::time::Duration::from_millis(50)),
                    other => return other,
                }
            }
            from_helper(&helper, server)
        };
        assert_eq!(
            ask("r.example.com").unwrap(),
            Some(Credential::Password { username: "robot".into(), password: "from-helper".into() })
        );
        assert_eq!(ask("other.example.com").unwrap(), None);
        let debug = format!("{:?}", ask("r.example.com").unwrap());
        assert!(!debug.contains("from-helper"), "{debug}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
