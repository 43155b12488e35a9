//! Compiled rules and how they apply. Everything decidable at config time is decided there:
//! names validated and lower-cased, templates parsed, forbidden targets refused.

use crate::config::{ConditionConfig, HeaderTestConfig, OnMissing, Operation, RuleConfig};
use crate::template::Template;
use sieve_sdk_ext::matcher::{Case, Evaluation, HeaderTestSpec, MatchSpec, Matcher};
use sieve_sdk_ext::{ConfigError, HeaderName, Http, MapKind, Phase, RequestNeeds};

/// Headers that frame the message or belong to the connection: Envoy owns them, and letting a rule
/// change them invites request smuggling or broken connections.
const PROTECTED: &[&str] =
    &["content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade", "te"];

/// Pseudo-headers a request rule may `set` (rewrites; Envoy then re-selects the route).
const SETTABLE_PSEUDO: &[&str] = &[":path", ":authority"];

#[derive(Debug)]
enum Op {
    Add { name: HeaderName, value: Template },
    Set { name: HeaderName, value: Template },
    SetIfAbsent { name: HeaderName, value: Template },
    Remove { name: HeaderName },
    Rename { from: HeaderName, to: HeaderName },
}

#[derive(Debug)]
pub struct Rule {
    /// `request[2]`: where the rule is in the config, for logs and replies.
    at: String,
    op: Op,
    when: Matcher,
    on_missing: OnMissing,
}

impl Rule {
    /// Adds what this rule reads of the request to `needs`.
    fn needs(&self, needs: &mut RequestNeeds) {
        match &self.op {
            Op::Add { value, .. } | Op::Set { value, .. } | Op::SetIfAbsent { value, .. } => value.needs(needs),
            Op::Remove { .. } | Op::Rename { .. } => {}
        }
        self.when.needs(needs);
    }
}

/// What the response rules read of the request, which must be kept during the request phase.
pub fn request_needs(rules: &[Rule]) -> RequestNeeds {
    let mut needs = RequestNeeds::default();
    for rule in rules {
        rule.needs(&mut needs);
    }
    needs
}

/// What applying a list of rules did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub applied: i64,
    pub skipped_missing: i64,
    /// The first missing value of a `reject` rule: the request is answered 400.
    pub rejected: Option<String>,
    /// A request rule's condition could not be judged: its path is ambiguous (answered 400).
    pub ambiguous: bool,
}

pub fn compile(rules: Vec<RuleConfig>, phase: Phase) -> Result<Vec<Rule>, ConfigError> {
    let list = match phase {
        Phase::Request => "request",
        Phase::Response => "response",
    };
    rules
        .into_iter()
        .enumerate()
        .map(|(index, rule)| {
            let at = format!("{list}[{index}]");
            compile_rule(rule, phase, &at).map_err(|e| e.within(&at))
        })
        .collect()
}

fn compile_rule(rule: RuleConfig, phase: Phase, at: &str) -> Result<Rule, ConfigError> {
    check_target(&rule.name, rule.op, phase, "name")?;
    let template = |value: Option<String>| -> Result<Template, ConfigError> {
        let value =
            value.ok_or_else(|| ConfigError::new("value", format!("required for op {:?}", op_name(rule.op))))?;
        Template::parse(&value, phase).map_err(|e| ConfigError::new("value", e))
    };
    let takes_value = matches!(rule.op, Operation::Add | Operation::Set | Operation::SetIfAbsent);
    if !takes_value && rule.value.is_some() {
        return Err(ConfigError::new("value", format!("not used by op {:?}", op_name(rule.op))));
    }
    if rule.op != Operation::Rename && rule.to.is_some() {
        return Err(ConfigError::new("to", format!("only used by op \"rename\", not {:?}", op_name(rule.op))));
    }
    if phase == Phase::Response && rule.on_missing == OnMissing::Reject {
        return Err(ConfigError::new(
            "on_missing",
            "\"reject\" is for request rules: the response is already on its way",
        ));
    }
    let name = rule.name;
    let op = match rule.op {
        Operation::Add => Op::Add { value: template(rule.value)?, name },
        Operation::Set => Op::Set { value: template(rule.value)?, name },
        Operation::SetIfAbsent => Op::SetIfAbsent { value: template(rule.value)?, name },
        Operation::Remove => Op::Remove { name },
        Operation::Rename => {
            let to = rule.to.ok_or_else(|| ConfigError::new("to", "required for op \"rename\""))?;
            check_target(&to, rule.op, phase, "to")?;
            if to == name {
                return Err(ConfigError::new("to", format!("renaming {name} to itself does nothing")));
            }
            Op::Rename { from: name, to }
        }
    };
    let when = match rule.when {
        Some(when) => compile_condition(when, phase).map_err(|e| e.within("when"))?,
        None => Matcher::default(),
    };
    Ok(Rule { at: at.to_string(), op, when, on_missing: rule.on_missing })
}

fn op_name(op: Operation) -> &'static str {
    match op {
        Operation::Add => "add",
        Operation::Set => "set",
        Operation::SetIfAbsent => "set_if_absent",
        Operation::Remove => "remove",
        Operation::Rename => "rename",
    }
}

fn check_target(name: &HeaderName, op: Operation, phase: Phase, field: &str) -> Result<(), ConfigError> {
    let refuse = |why: String| Err(ConfigError::new(field, why));
    if name.is_pseudo() {
        let settable = phase == Phase::Request && SETTABLE_PSEUDO.contains(&name.as_str());
        return match op {
            Operation::Set if settable => Ok(()),
            Operation::Remove | Operation::Rename => {
                refuse(format!("pseudo-header {name} cannot be removed or renamed"))
            }
            _ => refuse(format!(
                "pseudo-header {name} cannot be changed by op {:?} here (request rules may only set {})",
                op_name(op),
                SETTABLE_PSEUDO.join(" and ")
            )),
        };
    }
    if name.as_str() == "host" {
        return refuse("write :authority, not host (Envoy keeps the host in :authority)".into());
    }
    if PROTECTED.contains(&name.as_str()) {
        return refuse(format!("{name} frames the message or the connection: Envoy owns it"));
    }
    Ok(())
}

fn compile_condition(when: ConditionConfig, phase: Phase) -> Result<Matcher, ConfigError> {
    if phase == Phase::Request {
        if !when.response_headers.is_empty() {
            return Err(ConfigError::new("response_headers", "only available in response rules"));
        }
        if !when.status.is_empty() {
            return Err(ConfigError::new("status", "only available in response rules"));
        }
    }
    let test = |map: MapKind| move |test: HeaderTestConfig| HeaderTestSpec { map, test };
    let headers = when
        .headers
        .into_iter()
        .map(test(MapKind::RequestHeaders))
        .chain(when.response_headers.into_iter().map(test(MapKind::ResponseHeaders)))
        .collect();
    Matcher::compile(MatchSpec {
        path: when.path,
        path_prefix: when.path_prefix,
        methods: when.methods,
        headers,
        status: when.status,
        case: if when.ignore_case { Case::Fold } else { Case::Exact },
        ..MatchSpec::default()
    })
}

/// Applies `rules` in order to the request or response headers; later rules see earlier changes.
pub fn apply(rules: &[Rule], map: MapKind, http: &mut Http<'_>) -> Outcome {
    let mut outcome = Outcome::default();
    for rule in rules {
        match rule.when.evaluate(http) {
            Evaluation::Match => {}
            Evaluation::NoMatch => continue,
            // A request rule that cannot tell whether it applies refuses the request (a `reject`
            // rule on `/tenants` must not be dodged by `/tenants%2Fx`); a response is already
            // on its way, so there the rule simply does not apply.
            Evaluation::Ambiguous if map == MapKind::RequestHeaders => {
                outcome.ambiguous = true;
                return outcome;
            }
            Evaluation::Ambiguous => continue,
        }
        match apply_one(rule, map, http) {
            Ok(true) => outcome.applied += 1,
            Ok(false) => {}
            Err(missing) => match rule.on_missing {
                OnMissing::Reject => {
                    outcome.rejected = Some(format!("{missing} is required ({})", rule.at));
                    return outcome;
                }
                // `Empty` renders leniently and never gets here.
                OnMissing::Skip | OnMissing::Empty => {
                    log::debug!("sieve.headers: {} skipped: {missing} is missing", rule.at);
                    outcome.skipped_missing += 1;
                }
            },
        }
    }
    outcome
}

/// `Ok(true)` when the headers changed, `Err(what)` when an interpolated item is missing.
fn apply_one(rule: &Rule, map: MapKind, http: &mut Http<'_>) -> Result<bool, String> {
    let render = |template: &Template, http: &mut Http<'_>| template.render(http, rule.on_missing == OnMissing::Empty);
    let written = match &rule.op {
        Op::Add { name, value } => {
            let value = render(value, http)?;
            http.add_header(map, name.as_str(), value)
        }
        Op::Set { name, value } => {
            let value = render(value, http)?;
            http.set_header(map, name.as_str(), value)
        }
        Op::SetIfAbsent { name, value } => {
            if http.header_bytes(map, name.as_str()).is_some() {
                return Ok(false);
            }
            let value = render(value, http)?;
            http.set_header(map, name.as_str(), value)
        }
        Op::Remove { name } => {
            if http.header_bytes(map, name.as_str()).is_none() {
                return Ok(false);
            }
            http.remove_header(map, name.as_str())
        }
        Op::Rename { from, to } => {
            // Absent (the usual case): one cached single-value read decides, no map read.
            if http.header_bytes(map, from.as_str()).is_none() {
                return Ok(false);
            }
            // Present: read the whole map, as the ABI's single-value read returns only the first
            // of repeated values.
            let values: Vec<Vec<u8>> =
                http.headers(map).into_iter().filter(|(n, _)| n == from.as_str()).map(|(_, v)| v).collect();
            if values.is_empty() {
                return Ok(false);
            }
            let mut result = http.remove_header(map, from.as_str());
            for (index, value) in values.into_iter().enumerate() {
                let step = if index == 0 {
                    http.set_header(map, to.as_str(), value)
                } else {
                    http.add_header(map, to.as_str(), value)
                };
                result = result.and(step);
            }
            result
        }
    };
    match written {
        Ok(()) => Ok(true),
        Err(e) => {
            log::warn!("sieve.headers: {} could not change the headers: {e}", rule.at);
            Ok(false)
        }
    }
}
