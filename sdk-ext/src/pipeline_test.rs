//! Pipelines of toy filters on the fake host: order, replies ending the request phase, the response
//! phase in reverse, callouts answered mid-chain, the consumer handed on in memory, config errors
//! naming the stage.

use super::*;
use crate::testing::{call_response, FakeHost};
use crate::{HttpCall, LocalReply, Setup, Verdict};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagConfig {
    tag: String,
    #[serde(default)]
    reply_on: Option<String>,
    #[serde(default)]
    call: bool,
}

/// Appends its tag to `x-trail` on the request and to `x-back` on the response; replies 403 when
/// `reply_on` names the path; asks the `authz` cluster when `call` is set and takes the consumer
/// from the answer.
pub struct Tag(TagConfig);

impl Filter for Tag {
    const NAME: &'static str = "tag";
    type Config = TagConfig;
    type Stream = ();

    fn configure(config: TagConfig, _setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        if config.tag.is_empty() {
            return Err(ConfigError::new("tag", "must not be empty"));
        }
        Ok(Tag(config))
    }

    fn on_request_headers(&self, http: &mut crate::Http<'_>, _: &mut ()) -> Verdict {
        let trail = http.request_header("x-trail").unwrap_or_default();
        let _ = http.set_request_header("x-trail", format!("{trail}{}", self.0.tag));
        if self.0.reply_on.as_deref() == http.path() {
            return Verdict::Reply(LocalReply::forbidden(format!("{} says no", self.0.tag)));
        }
        if self.0.call {
            let call = HttpCall {
                cluster: "authz",
                method: "GET",
                path: "/check",
                authority: "authz",
                headers: Vec::new(),
                body: None,
                timeout: std::time::Duration::from_millis(300),
            };
            return match http.dispatch(&call) {
                Ok(_) => Verdict::Pause,
                Err(_) => Verdict::Reply(LocalReply::new(503, "unavailable", "no authz")),
            };
        }
        if let Some(consumer) = http.consumer().map(str::to_owned) {
            let _ = http.set_request_header("x-seen-consumer", consumer);
        }
        Verdict::Continue
    }

    fn on_call_response(&self, http: &mut crate::Http<'_>, _: &mut (), response: &CallResponse) -> Verdict {
        match response.header_str("x-consumer") {
            Some(consumer) => {
                http.set_consumer(consumer);
                Verdict::Continue
            }
            None => Verdict::Reply(LocalReply::forbidden("denied")),
        }
    }

    fn on_response_headers(&self, http: &mut crate::Http<'_>, _: &mut ()) -> Verdict {
        let back = http.response_header("x-back").unwrap_or_default();
        let _ = http.set_response_header("x-back", format!("{back}{}", self.0.tag));
        Verdict::Continue
    }
}

/// A second filter type, to show stages of different types side by side.
pub struct Other;

impl Filter for Other {
    const NAME: &'static str = "other";
    type Config = serde_json::Value;
    type Stream = u32;

    fn configure(_config: serde_json::Value, _setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        Ok(Other)
    }

    fn on_request_headers(&self, http: &mut crate::Http<'_>, count: &mut u32) -> Verdict {
        *count += 1;
        let trail = http.request_header("x-trail").unwrap_or_default();
        let _ = http.set_request_header("x-trail", format!("{trail}o"));
        Verdict::Continue
    }
}

crate::export_chain!(Toys, "toys", {
    Tag: "tag" => Tag,
    Other: "other" => Other,
});

fn chain(config: serde_json::Value) -> Result<Pipeline<Toys>, ConfigError> {
    Pipeline::configure(config.to_string().as_bytes(), &mut FakeHost::default())
}

#[test]
fn stages_run_in_order_and_respond_in_reverse() {
    let chain =
        chain(serde_json::json!({"stages": [{"tag": {"tag": "a"}}, {"other": {}}, {"tag": {"tag": "b"}}]})).unwrap();
    assert_eq!(chain.stage_names(), ["tag", "other", "tag"]);
    let mut host = FakeHost::request("GET", "/", &[]);
    let mut stream = PipelineStream::<Toys>::default();
    assert_eq!(chain.on_request_headers(&mut host, &mut stream), Action::Continue);
    assert_eq!(host.request_header("x-trail").as_deref(), Some("aob"));
    host.respond(200, &[]);
    assert_eq!(chain.on_response_headers(&mut host, &mut stream), Action::Continue);
    assert_eq!(host.response_header("x-back").as_deref(), Some("ba"), "last stage first");
    assert_eq!(host.reads_of(":path"), 1, "the path is read once for every stage");
}

#[test]
fn a_reply_ends_the_request_phase_and_earlier_stages_still_see_the_response() {
    let config = serde_json::json!({"stages": [{"tag": {"tag": "a"}}, {"tag": {"tag": "b", "reply_on": "/no"}}, {"tag": {"tag": "c"}}]});
    let chain = chain(config).unwrap();
    let mut host = FakeHost::request("GET", "/no", &[]);
    let mut stream = PipelineStream::<Toys>::default();
    assert_eq!(chain.on_request_headers(&mut host, &mut stream), Action::Stop);
    assert_eq!(host.request_header("x-trail").as_deref(), Some("ab"), "c never ran");
    let reply = host.local_reply.clone().unwrap();
    assert_eq!((reply.status, reply.details.as_str()), (403, "sieve_tag.forbidden"));
    host.respond(403, &[]);
    chain.on_response_headers(&mut host, &mut stream);
    assert_eq!(host.response_header("x-back").as_deref(), Some("a"), "b leaves its own reply alone, c never ran");
}

#[test]
fn a_callout_pauses_the_chain_and_its_answer_resumes_it_with_the_consumer_in_memory() {
    let config = serde_json::json!({"stages": [{"tag": {"tag": "a", "call": true}}, {"tag": {"tag": "b"}}]});
    let chain = chain(config).unwrap();
    let mut host = FakeHost::request("GET", "/", &[]);
    let mut stream = PipelineStream::<Toys>::default();
    assert_eq!(chain.on_request_headers(&mut host, &mut stream), Action::Pause);
    let tokens = stream.take_new_calls();
    assert_eq!(tokens.len(), 1);
    let answer = call_response(tokens[0], Some(200), &[("x-consumer", "carol")], b"");
    host.delivering = Some(answer.clone());
    assert_eq!(chain.on_call_response(&mut host, &mut stream, &answer), Action::Continue);
    assert_eq!(host.request_header("x-trail").as_deref(), Some("ab"), "the rest of the chain ran");
    assert_eq!(host.request_header("x-seen-consumer").as_deref(), Some("carol"), "handed on in memory");

    let mut denied = PipelineStream::<Toys>::default();
    let mut host = FakeHost::request("GET", "/", &[]);
    chain.on_request_headers(&mut host, &mut denied);
    let token = denied.take_new_calls()[0];
    let answer = call_response(token, Some(200), &[], b"");
    assert_eq!(chain.on_call_response(&mut host, &mut denied, &answer), Action::Stop);
    assert_eq!(host.request_header("x-trail").as_deref(), Some("a"), "b never ran");
}

#[test]
fn config_errors_name_the_stage_and_field() {
    let error = |config: serde_json::Value| chain(config).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error(serde_json::json!({"stages": [{"tag": {"tag": ""}}]})).starts_with("stages[0].tag.tag"));
    assert!(error(serde_json::json!({"stages": [{"nope": {}}]})).contains("unknown stage \"nope\""));
    assert!(error(serde_json::json!({"stages": []})).starts_with("stages"));
    assert!(error(serde_json::json!({"stages": [{"tag": {"tag": "a"}, "other": {}}]})).contains("exactly one"));
    assert!(error(serde_json::json!({"stage": []})).contains("stages"));
    assert!(error(serde_json::json!({"stages": [{"tag": {"tag": "a", "typo": 1}}]})).contains("stages[0].tag"));
}

#[test]
fn a_write_by_one_stage_is_what_the_next_stage_reads() {
    let chain = chain(serde_json::json!({"stages": [{"tag": {"tag": "a"}}, {"tag": {"tag": "b"}}]})).unwrap();
    let mut host = FakeHost::request("GET", "/", &[("x-trail", "start-")]);
    let mut stream = PipelineStream::<Toys>::default();
    chain.on_request_headers(&mut host, &mut stream);
    // Each stage reads x-trail and writes it: the write drops what was read, so b reads a's value.
    assert_eq!(host.request_header("x-trail").as_deref(), Some("start-ab"));
    assert_eq!(host.reads_of("x-trail"), 2, "one read per stage, none repeated within a stage");
    assert_eq!(host.reads_of(":path"), 1);
}
