//! Pair 4: Sieve headers' `add`, `set` and `remove` rules (request and response) against Envoy's
//! `header_mutation` with the same mutations (`APPEND_IF_EXISTS_OR_ADD`, `OVERWRITE_IF_EXISTS_OR_ADD`,
//! `remove`; `keep_empty_value: true`, as Sieve writes empty values). Rule sets are drawn from the
//! run's seed (one listener pair each); requests carry generated header lines, and the echo
//! upstream answers with generated response headers (`x-echo-response-header`). Compared: the
//! headers the upstream received (the echo's `header_list`) and the response headers the client
//! got, for every name a rule touches.

use super::envoy_config::{bootstrap, listener, wasm_filter, Hcm, Route};
use super::rng::Rng;
use super::wire::{RawRequest, Response};
use super::{Judgement, Pair, Plan, Rule};
use serde_json::{json, Value};

/// Rule sets (listener pairs) per run.
pub const RULE_SETS: usize = 12;

/// Names rules touch: plain ones, and some Envoy or the codecs treat specially (not those whose
/// values change on every request, such as `x-request-id` or `date`).
const REQUEST_NAMES: [&str; 8] =
    ["x-a", "x-b", "x-c", "accept", "user-agent", "cache-control", "cookie", "x-forwarded-for"];
const RESPONSE_NAMES: [&str; 7] = ["x-r", "x-s", "x-t", "cache-control", "content-type", "x-echo-upstream", "server"];
/// Values as both configs write them (`%%` is a literal `%` in both syntaxes).
const VALUES: [&str; 9] = ["1", "two words", "v,w", "", "%%25", "quote\"d", "caf\u{e9}", "a;b=c", " padded "];
/// Values clients and the upstream send.
const SENT: [&str; 6] = ["c1", "c2", "x, y", "", "  sp  ", "caf\u{e9}"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Set,
    Remove,
}

impl Op {
    fn word(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Set => "set",
            Op::Remove => "remove",
        }
    }
}

#[derive(Debug, Clone)]
pub struct HeaderRule {
    pub op: Op,
    pub name: &'static str,
    pub value: &'static str,
}

#[derive(Debug, Clone)]
pub struct RuleSet {
    pub request: Vec<HeaderRule>,
    pub response: Vec<HeaderRule>,
}

pub struct HeadersPair {
    sets: Vec<RuleSet>,
}

#[derive(Debug, Clone)]
pub struct HeadersCase {
    pub set: usize,
    /// Request header lines (name as sent, any case).
    pub request: Vec<(String, String)>,
    /// Response headers the upstream adds.
    pub response: Vec<(String, String)>,
}

fn rules(rng: &mut Rng, names: &[&'static str]) -> Vec<HeaderRule> {
    (0..rng.range(1, 6))
        .map(|_| HeaderRule {
            op: *rng.pick(&[Op::Add, Op::Set, Op::Remove]),
            name: names[rng.below(names.len())],
            value: VALUES[rng.below(VALUES.len())],
        })
        .collect()
}

impl HeadersPair {
    /// Rule sets drawn from `seed`.
    pub fn new(seed: u64) -> HeadersPair {
        let mut rng = Rng::for_case(seed, "headers-rule-sets", 0);
        let sets = (0..RULE_SETS)
            .map(|_| RuleSet { request: rules(&mut rng, &REQUEST_NAMES), response: rules(&mut rng, &RESPONSE_NAMES) })
            .collect();
        HeadersPair { sets }
    }

    fn sieve_config(set: &RuleSet) -> Value {
        let rule = |r: &HeaderRule| match r.op {
            Op::Remove => json!({"op": "remove", "name": r.name}),
            op => json!({"op": op.word(), "name": r.name, "value": r.value}),
        };
        json!({"request": set.request.iter().map(rule).collect::<Vec<_>>(),
               "response": set.response.iter().map(rule).collect::<Vec<_>>()})
    }

    fn native_filter(set: &RuleSet) -> Value {
        let mutation = |r: &HeaderRule| match r.op {
            Op::Remove => json!({"remove": r.name}),
            op => json!({"append": {
                "header": {"key": r.name, "value": r.value},
                "append_action": if op == Op::Add { "APPEND_IF_EXISTS_OR_ADD" } else { "OVERWRITE_IF_EXISTS_OR_ADD" },
                "keep_empty_value": true
            }}),
        };
        json!({"name": "envoy.filters.http.header_mutation", "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
            "mutations": {
                "request_mutations": set.request.iter().map(mutation).collect::<Vec<_>>(),
                "response_mutations": set.response.iter().map(mutation).collect::<Vec<_>>()
            }
        }})
    }

    fn describe_rules(rules: &[HeaderRule]) -> String {
        rules
            .iter()
            .map(|r| match r.op {
                Op::Remove => format!("remove {}", r.name),
                op => format!("{} {}={:?}", op.word(), r.name, r.value),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Every value of `name` the echo upstream received, in order.
fn upstream_values(response: &Response, name: &str) -> Option<Vec<String>> {
    let json = response.json()?;
    Some(
        json["header_list"]
            .as_array()?
            .iter()
            .filter(|pair| pair[0] == name)
            .filter_map(|pair| pair[1].as_str().map(String::from))
            .collect(),
    )
}

impl Pair for HeadersPair {
    type Case = HeadersCase;

    fn name(&self) -> &'static str {
        "headers"
    }

    fn title(&self) -> String {
        "headers `add`/`set`/`remove` rules vs `header_mutation` (request headers at the upstream, response headers at the client)".into()
    }

    fn bootstrap(&self) -> Value {
        let mut listeners = Vec::new();
        for (index, set) in self.sets.iter().enumerate() {
            let name = format!("sieve-headers-{index}");
            let sieve = wasm_filter("sieve_headers", "sieve.headers", &name, &HeadersPair::sieve_config(set));
            listeners.push(listener(&name, &Hcm::default(), vec![sieve], Route::Echo));
            listeners.push(listener(
                &format!("native-headers-{index}"),
                &Hcm::default(),
                vec![HeadersPair::native_filter(set)],
                Route::Echo,
            ));
        }
        bootstrap(listeners)
    }

    fn generate(&self, rng: &mut Rng) -> HeadersCase {
        let set = rng.below(self.sets.len());
        let mut request = Vec::new();
        for _ in 0..rng.range(0, 5) {
            let name = *rng.pick(&REQUEST_NAMES);
            let name = match rng.below(3) {
                0 => name.to_ascii_uppercase(),
                _ => name.to_string(),
            };
            request.push((name, rng.pick(&SENT).to_string()));
        }
        let mut response = Vec::new();
        for _ in 0..rng.range(0, 4) {
            let name = *rng.pick(&RESPONSE_NAMES);
            // The echo upstream trims what it is asked to send; an empty value it cannot send.
            let value = rng.pick(&SENT).trim().to_string();
            if !value.is_empty() && !value.contains(',') {
                response.push((name.to_string(), value));
            }
        }
        HeadersCase { set, request, response }
    }

    fn plan(&self, case: &HeadersCase) -> Plan {
        let mut request = RawRequest::get("/h");
        for (name, value) in &case.request {
            request = request.header(name, value.as_bytes().to_vec());
        }
        for (name, value) in &case.response {
            request = request.header("x-echo-response-header", format!("{name}={value}").into_bytes());
        }
        Plan {
            sieve_listener: format!("sieve-headers-{}", case.set),
            native_listener: format!("native-headers-{}", case.set),
            source: None,
            request,
        }
    }

    fn judge(&self, case: &HeadersCase, sieve: &Response, native: &Response) -> Judgement {
        let set = &self.sets[case.set];
        if sieve.status != native.status {
            return Judgement::Diverge {
                class: format!("status: Sieve {} / native {}", sieve.status, native.status),
                sieve_stricter: Some(sieve.status >= 400 && native.status < 400),
            };
        }
        let sent = |name: &str| case.request.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).count();
        let ops = |rules: &[HeaderRule], name: &str| {
            rules.iter().filter(|r| r.name == name).map(|r| r.op.word()).collect::<Vec<_>>().join(" then ")
        };
        let mut names: Vec<&str> = set.request.iter().map(|r| r.name).collect();
        names.dedup();
        for name in names {
            let (s, n) = (upstream_values(sieve, name), upstream_values(native, name));
            if s != n {
                let count = match sent(name) {
                    0 => "absent",
                    1 => "sent once",
                    _ => "sent several times",
                };
                return Judgement::Diverge {
                    class: format!("request header {name} ({count}), rules {}", ops(&set.request, name)),
                    sieve_stricter: None,
                };
            }
        }
        let mut names: Vec<&str> = set.response.iter().map(|r| r.name).collect();
        names.dedup();
        for name in names {
            let (s, n) = (sieve.header_all(name), native.header_all(name));
            if s != n {
                let upstream = case.response.iter().filter(|(n, _)| n == name).count();
                let count = match upstream {
                    0 => "absent",
                    1 => "sent once",
                    _ => "sent several times",
                };
                return Judgement::Diverge {
                    class: format!(
                        "response header {name} ({count} by the upstream), rules {}",
                        ops(&set.response, name)
                    ),
                    sieve_stricter: None,
                };
            }
        }
        Judgement::Agree
    }

    fn shrink(&self, case: &HeadersCase) -> Vec<HeadersCase> {
        let mut out = Vec::new();
        for i in 0..case.request.len() {
            let mut smaller = case.clone();
            smaller.request.remove(i);
            out.push(smaller);
        }
        for i in 0..case.response.len() {
            let mut smaller = case.clone();
            smaller.response.remove(i);
            out.push(smaller);
        }
        out
    }

    fn describe(&self, case: &HeadersCase) -> String {
        let set = &self.sets[case.set];
        format!(
            "rule set {}: request [{}], response [{}]; the upstream adds response headers {:?}",
            case.set,
            HeadersPair::describe_rules(&set.request),
            HeadersPair::describe_rules(&set.response),
            case.response
        )
    }

    fn sides(&self, case: &HeadersCase) -> (String, String) {
        let set = &self.sets[case.set];
        (
            format!("headers {}", HeadersPair::sieve_config(set)),
            format!("header_mutation {}", HeadersPair::native_filter(set)["typed_config"]["mutations"]),
        )
    }

    fn rules(&self) -> Vec<&'static Rule> {
        Vec::new()
    }
}
