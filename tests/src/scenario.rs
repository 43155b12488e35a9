//! The shared scenario suite: `tests/scenarios/*.yaml` describe requests to a filter and what must
//! come of them. Each scenario runs twice — in a real Envoy with the demo services, and in the host
//! emulator with the same services' handlers answering its callouts — and both must give what the
//! file expects. That is how the emulator is kept honest: it is checked against Envoy, not trusted.
//!
//! The format is described in `tests/scenarios/README.md`.

use crate::config::EnvoyConfig;
use crate::emulated::answer_calls;
use crate::tokens::{self, claims, sign, sign_with, unsigned, DemoKey};
use crate::{workspace_root, Stack};

use serde::Deserialize;
use serde_json::{json, Value};
use sieve_emulator::{Emulator, Outcome, Request as EmulatedRequest};
use sieve_services::{authz, echo, feed::Feed, jwks, Handler};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One scenario file: either one filter (`envoy`, `filter`, `module`, `config`), or `stages` — several
/// filters in order, run as separate filters and as the fused chain.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub description: String,
    /// The Envoy config the real run starts from (relative to the workspace root).
    #[serde(default)]
    pub envoy: Option<String>,
    /// The Wasm filter (its `name` in the Envoy config) whose plugin config `config` replaces.
    #[serde(default)]
    pub filter: Option<String>,
    /// The Cargo package of the module the emulator loads.
    #[serde(default)]
    pub module: Option<String>,
    /// The plugin configuration; absent: the Envoy config's own.
    #[serde(default)]
    pub config: Option<Value>,
    /// Filters in request order, each `{<filter>: <config>}` (`null`: its own Envoy config's).
    #[serde(default)]
    pub stages: Option<Vec<BTreeMap<String, Option<Value>>>>,
    /// Demo services behind clusters: `jwks`, `authz`, `feed`.
    #[serde(default)]
    pub services: Vec<String>,
    /// A case repeated (in Envoy, up to 10 s) until it passes before the others run: for lists and
    /// keys fetched after start.
    #[serde(default)]
    pub ready: Option<Case>,
    pub cases: Vec<Case>,
    #[serde(skip)]
    pub file: PathBuf,
}

/// One way of running a scenario.
pub struct Variant {
    /// How the results are labelled (`Envoy`, `the emulator`, `Envoy, separate filters`, ...).
    pub label: String,
    /// The Envoy config of a real run, ready but for the local rewrites (for an emulated run: where
    /// its clusters and routes come from).
    pub envoy: EnvoyConfig,
    /// The module the emulator loads, and the Wasm filter it stands for.
    pub module: String,
    pub filter: String,
    pub plugin_config: String,
    pub emulated: bool,
}

/// The module of the fused chain, and its filter in `envoy/chain.yaml`.
pub const CHAIN_MODULE: &str = "sieve-chain";
pub const CHAIN_FILTER: &str = "sieve.chain";
pub const CHAIN_CONFIG: &str = "envoy/chain.yaml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    pub request: CaseRequest,
    pub expect: Expect,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRequest {
    #[serde(default = "default_method")]
    pub method: String,
    pub path: String,
    /// Values may use `${...}` placeholders (see the README); a list sends the header repeatedly.
    #[serde(default)]
    pub headers: BTreeMap<String, Values>,
    #[serde(default)]
    pub body: Option<String>,
}

fn default_method() -> String {
    "GET".into()
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Values {
    One(String),
    Many(Vec<String>),
}

impl Values {
    fn to_vec(&self) -> Vec<String> {
        match self {
            Values::One(value) => vec![value.clone()],
            Values::Many(values) => values.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub status: u16,
    /// For local replies: the `error` of the JSON body.
    #[serde(default)]
    pub error: Option<String>,
    /// Request headers the upstream must see (`null`: must not see).
    #[serde(default)]
    pub upstream: BTreeMap<String, Option<Values>>,
    /// Response headers the client must see (`null`: must not see).
    #[serde(default)]
    pub response: BTreeMap<String, Option<Values>>,
    /// The request body the upstream must receive.
    #[serde(default)]
    pub upstream_body: Option<String>,
}

/// What one run made of a case, restricted to what the case checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub status: u16,
    pub error: Option<String>,
    pub upstream: BTreeMap<String, Vec<String>>,
    pub response: BTreeMap<String, Vec<String>>,
    /// Only when the case checks it.
    pub upstream_body: Option<String>,
}

impl Expect {
    /// The observation this expectation describes.
    pub fn as_observed(&self) -> Observed {
        let values = |map: &BTreeMap<String, Option<Values>>| {
            map.iter()
                .map(|(name, values)| (name.clone(), values.as_ref().map(Values::to_vec).unwrap_or_default()))
                .collect()
        };
        Observed {
            status: self.status,
            error: self.error.clone(),
            upstream: values(&self.upstream),
            response: values(&self.response),
            upstream_body: self.upstream_body.clone(),
        }
    }
}

/// Every scenario under `tests/scenarios/`, sorted by file name.
pub fn load_all() -> Result<Vec<Scenario>, String> {
    let dir = workspace_root().join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    files.iter().map(|file| load(file)).collect()
}

pub fn load(file: &Path) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut scenario: Scenario = serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    scenario.file = file.to_path_buf();
    Ok(scenario)
}

impl Scenario {
    pub fn name(&self) -> String {
        self.file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// The module the scenario is about (the chain's, for a staged scenario).
    pub fn module(&self) -> &str {
        match (&self.stages, &self.module) {
            (Some(_), _) => CHAIN_MODULE,
            (None, Some(module)) => module,
            (None, None) => "",
        }
    }

    fn required<'a>(&self, field: &'a Option<String>, name: &str) -> Result<&'a str, String> {
        field.as_deref().ok_or_else(|| format!("{}: give `{name}` (or `stages`)", self.name()))
    }

    /// The stage list as (filter, plugin config JSON).
    fn stage_configs(&self, stages: &[BTreeMap<String, Option<Value>>]) -> Result<Vec<(String, Value)>, String> {
        let mut configs = Vec::new();
        for (index, stage) in stages.iter().enumerate() {
            let mut entries = stage.iter();
            let (Some((filter, config)), None) = (entries.next(), entries.next()) else {
                return Err(format!("{}: stages[{index}] names one filter", self.name()));
            };
            let config = match config {
                Some(config) => config.clone(),
                None => {
                    let mut own = EnvoyConfig::load(workspace_root().join(format!("envoy/{filter}.yaml")))?;
                    let text = own.plugin_config(&format!("sieve.{filter}")).ok_or("no plugin config")?;
                    serde_json::from_str(&text).map_err(|e| e.to_string())?
                }
            };
            configs.push((filter.clone(), config));
        }
        Ok(configs)
    }

    /// The runs that must all give what the cases expect: Envoy and the emulator for one filter;
    /// separate filters in Envoy, the chain in Envoy and the chain in the emulator for stages.
    pub fn variants(&self) -> Result<Vec<Variant>, String> {
        let Some(stages) = &self.stages else {
            let envoy = EnvoyConfig::load(workspace_root().join(self.required(&self.envoy, "envoy")?))?;
            let filter = self.required(&self.filter, "filter")?.to_string();
            let module = self.required(&self.module, "module")?.to_string();
            let plugin_config = match &self.config {
                Some(config) => config.to_string(),
                None => envoy
                    .clone()
                    .plugin_config(&filter)
                    .ok_or_else(|| format!("{}: no filter {filter} in its Envoy config", self.name()))?,
            };
            return Ok([("Envoy", false), ("the emulator", true)]
                .into_iter()
                .map(|(label, emulated)| Variant {
                    label: label.into(),
                    envoy: envoy.clone(),
                    module: module.clone(),
                    filter: filter.clone(),
                    plugin_config: plugin_config.clone(),
                    emulated,
                })
                .collect());
        };
        let configs = self.stage_configs(stages)?;
        let chain_config = json!({"stages": configs.iter().map(|(f, c)| json!({f.clone(): c})).collect::<Vec<_>>()});
        let chain = EnvoyConfig::load(workspace_root().join(CHAIN_CONFIG))?;
        // The same listener, routes and clusters, with the chain replaced by the separate filters.
        let mut separate = chain.clone();
        let mut entries = Vec::new();
        for (filter, config) in &configs {
            let name = format!("sieve.{filter}");
            let mut own = EnvoyConfig::load(workspace_root().join(format!("envoy/{filter}.yaml")))?;
            own.set_plugin_config(&name, &config.to_string());
            entries.push(own.filter_entry(&name).ok_or_else(|| format!("envoy/{filter}.yaml has no {name}"))?);
        }
        separate.replace_filter(CHAIN_FILTER, &entries);
        let stage_list = configs.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>().join(" + ");
        let variant = |label: String, envoy: &EnvoyConfig, emulated| Variant {
            label,
            envoy: envoy.clone(),
            module: CHAIN_MODULE.into(),
            filter: CHAIN_FILTER.into(),
            plugin_config: chain_config.to_string(),
            emulated,
        };
        Ok(vec![
            Variant {
                label: format!("Envoy, {stage_list} as separate filters"),
                ..variant(String::new(), &separate, false)
            },
            variant(format!("Envoy, {stage_list} as the chain"), &chain, false),
            variant(format!("the emulator, {stage_list} as the chain"), &chain, true),
        ])
    }

    fn cases_with_ready(&self) -> impl Iterator<Item = &Case> {
        self.ready.iter().chain(&self.cases)
    }
}

/// Runs every case in one variant; one observation per case, `ready` excluded.
pub fn run(scenario: &Scenario, variant: &Variant, inputs: &Inputs) -> Result<Vec<Observed>, String> {
    if variant.emulated {
        run_in_emulator(scenario, variant, inputs)
    } else {
        run_in_envoy(scenario, variant, inputs)
    }
}

/// Inputs both runs share: tokens are minted once so that both runs send the same bytes.
pub struct Inputs {
    placeholders: BTreeMap<&'static str, String>,
}

impl Inputs {
    pub fn new() -> Inputs {
        let basic = |user: &str, password: &str| {
            use base64::Engine;
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
        };
        let ann = claims("ann", json!({"scope": "read write", "org": {"team": "blue"}}));
        let placeholders = BTreeMap::from([
            ("jwt:rs256", sign_with("RS256", DemoKey::Rsa1, &ann)),
            ("jwt:ps256", sign_with("PS256", DemoKey::Rsa1, &ann)),
            ("jwt:es256", sign_with("ES256", DemoKey::Ec1, &claims("eve", json!({})))),
            ("jwt:expired", sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({"exp": tokens::now() - 3600})))),
            ("jwt:wrong-audience", sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({"aud": "elsewhere"})))),
            ("jwt:unknown-key", sign_with("RS256", DemoKey::Rsa2, &ann)),
            ("jwt:forged", sign("RS256", DemoKey::Rsa2, Some(DemoKey::Rsa1.kid()), &ann)),
            ("jwt:none", unsigned(&ann, Some(DemoKey::Rsa1.kid()))),
            ("basic:demo", basic("demo", "sieve-demo-password-8c6f1d2e9a7b4f03")),
            ("basic:wrong", basic("demo", "not-the-password")),
        ]);
        Inputs { placeholders }
    }

    /// Replaces `${name}` placeholders.
    pub fn expand(&self, value: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = value;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}').ok_or_else(|| format!("unclosed placeholder in {value:?}"))? + start;
            let name = &rest[start + 2..end];
            out.push_str(self.placeholders.get(name).ok_or_else(|| format!("unknown placeholder ${{{name}}}"))?);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn headers(&self, case: &Case) -> Result<Vec<(String, String)>, String> {
        let mut headers = Vec::new();
        for (name, values) in &case.request.headers {
            for value in values.to_vec() {
                headers.push((name.to_ascii_lowercase(), self.expand(&value)?));
            }
        }
        Ok(headers)
    }
}

impl Default for Inputs {
    fn default() -> Self {
        Inputs::new()
    }
}

/// The demo services a scenario names, as handlers.
pub fn services(names: &[String]) -> Result<Vec<(String, Handler)>, String> {
    names
        .iter()
        .map(|name| {
            let handler = match name.as_str() {
                "jwks" => jwks::handler(jwks::Document::new(jwks::DEMO_JWKS)),
                "authz" => authz::handler(authz::demo_tokens()),
                "feed" => {
                    let feed = Feed::new();
                    let list = workspace_root().join("services/demo-lists/deny.txt");
                    feed.publish(std::fs::read(&list).map_err(|e| format!("{}: {e}", list.display()))?);
                    feed.handler()
                }
                other => return Err(format!("unknown demo service {other:?}")),
            };
            Ok((name.clone(), handler))
        })
        .collect()
}

/// The authority both runs send.
pub const AUTHORITY: &str = "sieve.test";

fn observed_headers(
    names: &BTreeMap<String, Option<Values>>,
    all: impl Fn(&str) -> Vec<String>,
) -> BTreeMap<String, Vec<String>> {
    names.keys().map(|name| (name.clone(), all(name))).collect()
}

fn error_of(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<Value>(body).ok()?.get("error")?.as_str().map(String::from)
}

// ---------------------------------------------------------------------------------------------
// In a real Envoy.

/// Runs every case in Envoy (with the demo services).
fn run_in_envoy(scenario: &Scenario, variant: &Variant, inputs: &Inputs) -> Result<Vec<Observed>, String> {
    let mut config = variant.envoy.clone();
    let separate = variant.envoy.clone().filter_entry(&variant.filter).is_none();
    if !separate {
        // The filter loads the variant's module (a test module may stand in for a shipped filter).
        sieve_emulator::modules::module_path(&variant.module)?;
        config.set_plugin_config(&variant.filter, &variant.plugin_config);
        config.rename_filter(&variant.filter, &format!("{}.wasm", variant.module.replace('-', "_")));
    }
    let mut builder = crate::StackBuilder::from_config(config);
    for (cluster, handler) in services(&scenario.services)? {
        builder = builder.service(&cluster, handler);
    }
    let stack = builder.try_start()?;
    if let Some(ready) = &scenario.ready {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let observed = envoy_case(&stack, ready, inputs)?;
            if observed == ready.expect.as_observed() {
                break;
            }
            if Instant::now() > deadline {
                let log = stack.envoy.log();
                let tail: Vec<&str> = log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
                return Err(format!(
                    "{}: not ready within 10 s: {observed:?}\n--- Envoy log (tail) ---\n{}",
                    scenario.name(),
                    tail.join("\n")
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    scenario.cases.iter().map(|case| envoy_case(&stack, case, inputs)).collect()
}

fn envoy_case(stack: &Stack, case: &Case, inputs: &Inputs) -> Result<Observed, String> {
    let mut request = stack.envoy.request(&case.request.method, &case.request.path).header("host", AUTHORITY);
    for (name, value) in inputs.headers(case)? {
        request = request.header(&name, &value);
    }
    if let Some(body) = &case.request.body {
        request = request.body(body.clone());
    }
    let reply = request.try_send()?;
    let local = reply.header("x-echo-upstream").is_none() && error_of(reply.body.as_bytes()).is_some();
    Ok(Observed {
        status: reply.status,
        error: if local { error_of(reply.body.as_bytes()) } else { None },
        upstream: observed_headers(&case.expect.upstream, |name| {
            if local {
                Vec::new()
            } else {
                reply.upstream_header_all(name)
            }
        }),
        response: observed_headers(&case.expect.response, |name| {
            reply.header_all(name).into_iter().map(String::from).collect()
        }),
        upstream_body: case.expect.upstream_body.as_ref().map(|_| {
            serde_json::from_str::<Value>(&reply.body)
                .ok()
                .and_then(|echo| echo["body"].as_str().map(String::from))
                .unwrap_or_default()
        }),
    })
}

// ---------------------------------------------------------------------------------------------
// In the host emulator.

/// What a case cost in the emulator: fuel (about one unit per Wasm instruction) and host calls,
/// from the request's creation to its deletion (callout answers and wake-ups included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    pub fuel: u64,
    pub host_calls: u64,
}

/// Runs every case in the emulator, the services' handlers answering its callouts in process.
fn run_in_emulator(scenario: &Scenario, variant: &Variant, inputs: &Inputs) -> Result<Vec<Observed>, String> {
    Ok(emulate(scenario, variant, inputs)?.into_iter().map(|(observed, _)| observed).collect())
}

/// What each case costs in the emulated variant of `scenario` (its first emulated run).
pub fn costs(scenario: &Scenario, inputs: &Inputs) -> Result<Vec<(String, Cost)>, String> {
    let variant = scenario
        .variants()?
        .into_iter()
        .find(|v| v.emulated)
        .ok_or_else(|| format!("{}: no emulated run", scenario.name()))?;
    let results = emulate(scenario, &variant, inputs)?;
    Ok(scenario.cases.iter().zip(results).map(|(case, (_, cost))| (case.name.clone(), cost)).collect())
}

fn emulate(scenario: &Scenario, variant: &Variant, inputs: &Inputs) -> Result<Vec<(Observed, Cost)>, String> {
    let module = sieve_emulator::modules::module_path(&variant.module)?;
    let clusters = variant.envoy.cluster_names();
    let cluster_refs: Vec<&str> = clusters.iter().map(String::as_str).collect();
    let routes = route_names(&variant.envoy);
    let xff = crate::xff::XffSettings::of(&variant.envoy);
    let services = services(&scenario.services)?;
    let handlers: Vec<(&str, Handler)> = services.iter().map(|(name, h)| (name.as_str(), h.clone())).collect();
    let mut vm = Emulator::builder(module)
        .plugin_config(variant.plugin_config.clone())
        .plugin_name(&variant.filter)
        .clusters(&cluster_refs)
        .start()
        .map_err(|e| format!("{}: {e}", scenario.name()))?;
    // Start-up fetches (key sets, lists): let the first ticks run and answer them.
    for _ in 0..3 {
        vm.advance(Duration::from_millis(150)).map_err(|e| e.to_string())?;
        answer_calls(&mut vm, &handlers).map_err(|e| e.to_string())?;
    }
    vm.advance(Duration::from_millis(150)).map_err(|e| e.to_string())?;
    let mut observed = Vec::new();
    for (index, case) in scenario.cases_with_ready().enumerate() {
        let fuel_before = vm.fuel_consumed();
        vm.reset_host_calls();
        let result = emulated_case(&mut vm, &handlers, &routes, xff, case, inputs, index)
            .map_err(|e| format!("{} / {}: {e}", scenario.name(), case.name))?;
        let cost = Cost { fuel: vm.fuel_consumed() - fuel_before, host_calls: vm.host_call_total() };
        if scenario.ready.is_none() || index > 0 {
            observed.push((result, cost));
        }
    }
    Ok(observed)
}

/// (path prefix or exact path, route name) of the first virtual host, in order.
fn route_names(config: &EnvoyConfig) -> Vec<(String, bool, String)> {
    let mut found = Vec::new();
    fn walk(node: &serde_yaml::Value, found: &mut Vec<(String, bool, String)>) {
        match node {
            serde_yaml::Value::Mapping(map) => {
                if let (Some(serde_yaml::Value::Mapping(matcher)), Some(name)) =
                    (map.get("match"), map.get("name").and_then(|n| n.as_str()))
                {
                    if let Some(prefix) = matcher.get("prefix").and_then(|p| p.as_str()) {
                        found.push((prefix.to_string(), false, name.to_string()));
                    } else if let Some(path) = matcher.get("path").and_then(|p| p.as_str()) {
                        found.push((path.to_string(), true, name.to_string()));
                    }
                }
                for value in map.values() {
                    walk(value, found);
                }
            }
            serde_yaml::Value::Sequence(items) => items.iter().for_each(|item| walk(item, found)),
            _ => {}
        }
    }
    walk(config.doc(), &mut found);
    found
}

fn emulated_case(
    vm: &mut Emulator,
    handlers: &[(&str, Handler)],
    routes: &[(String, bool, String)],
    xff: crate::xff::XffSettings,
    case: &Case,
    inputs: &Inputs,
    index: usize,
) -> Result<Observed, String> {
    let err = |e: sieve_emulator::Error| e.to_string();
    let path_only = case.request.path.split('?').next().unwrap_or_default();
    let mut request = EmulatedRequest::new(&case.request.method, &case.request.path)
        .set_header(":authority", AUTHORITY)
        .client("127.0.0.1:50000");
    if let Some((_, _, route)) =
        routes.iter().find(
            |(matcher, exact, _)| if *exact { path_only == matcher } else { path_only.starts_with(matcher.as_str()) },
        )
    {
        request = request.property("xds.route_name", route.as_bytes().to_vec());
    }
    let mut headers = inputs.headers(case)?;
    // What Envoy's connection manager does before any filter runs: the client address from the
    // listener's use_remote_address and xff_num_trusted_hops, and X-Forwarded-For appended.
    let sent_xff: Vec<String> =
        headers.iter().filter(|(name, _)| name == "x-forwarded-for").map(|(_, v)| v.clone()).collect();
    let joined = (!sent_xff.is_empty()).then(|| sent_xff.join(","));
    let (forwarded, client) = xff.apply(joined.as_deref(), std::net::IpAddr::from([127, 0, 0, 1]));
    request = request.client(&std::net::SocketAddr::new(client, 50000).to_string());
    headers.retain(|(name, _)| name != "x-forwarded-for");
    if let Some(forwarded) = forwarded {
        headers.push(("x-forwarded-for".to_string(), forwarded));
    }
    // What Envoy's connection manager adds before any filter runs.
    request = request.header("x-forwarded-proto", "http");
    if !headers.iter().any(|(name, _)| name == "x-request-id") {
        request = request.header("x-request-id", &format!("emulated-{index}"));
    }
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    if let Some(body) = &case.request.body {
        request = request.body(body.clone().into_bytes());
    }
    let exchange = vm.send(request).map_err(err)?;
    let mut outcome = exchange.outcome;
    for _ in 0..500 {
        answer_calls(vm, handlers).map_err(err)?;
        outcome = vm.outcome(exchange.context).map_err(err)?;
        if outcome != Outcome::Waiting {
            break;
        }
        vm.advance(Duration::from_millis(20)).map_err(err)?;
    }
    let observed = match outcome {
        Outcome::Forwarded => {
            let stream = vm.stream(exchange.context).ok_or("the request vanished")?;
            let sent = stream.request_headers().to_vec();
            let upstream_body = String::from_utf8_lossy(stream.request_body()).into_owned();
            let upstream = echo_request(&sent, stream.request_body());
            let answer = echo::answer(upstream);
            let mut response_headers = vec![(":status".to_string(), answer.status.to_string())];
            response_headers.extend(answer.headers.iter().cloned());
            let pairs: Vec<(&str, &str)> = response_headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            vm.response_headers(exchange.context, &pairs, false).map_err(err)?;
            vm.response_body(exchange.context, &answer.body, true).map_err(err)?;
            let stream = vm.stream(exchange.context).ok_or("the request vanished")?;
            let status = stream.response_header(":status").and_then(|s| s.parse().ok()).unwrap_or(answer.status);
            Observed {
                status,
                error: None,
                upstream: observed_headers(&case.expect.upstream, |name| {
                    sent.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
                }),
                response: observed_headers(&case.expect.response, |name| {
                    stream.response_headers().iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
                }),
                upstream_body: case.expect.upstream_body.as_ref().map(|_| upstream_body.clone()),
            }
        }
        Outcome::Replied(reply) => Observed {
            status: reply.status as u16,
            error: error_of(&reply.body),
            upstream: observed_headers(&case.expect.upstream, |_| Vec::new()),
            // The reply as it left the filter's response callbacks (the emulator sends it through them).
            response: observed_headers(&case.expect.response, |name| {
                let stream = vm.stream(exchange.context);
                let headers = stream.map(|s| s.response_headers().to_vec()).unwrap_or_else(|| reply.headers.clone());
                headers.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
            }),
            upstream_body: case.expect.upstream_body.as_ref().map(|_| String::new()),
        },
        Outcome::Waiting => return Err("still waiting after 10 s of emulated time".into()),
        Outcome::Reset => return Err("the filter reset the request".into()),
    };
    vm.complete(exchange.context).map_err(err)?;
    Ok(observed)
}

/// The request the upstream receives, for the echo handler.
fn echo_request(headers: &[(String, String)], body: &[u8]) -> sieve_services::Request {
    let find = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let target = find(":path");
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    sieve_services::Request {
        method: find(":method"),
        path: path.to_string(),
        query: query.to_string(),
        headers: headers.iter().filter(|(k, _)| !k.starts_with(':')).cloned().collect(),
        body: body.to_vec(),
        body_too_large: false,
    }
}
