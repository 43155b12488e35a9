//! Header value templates: literal text with `%OPERATOR%` placeholders filled from the request (and,
//! in response rules, the response). Parsed once at config time; rendering does one host read per
//! placeholder and none for literal-only values.

use sieve_sdk_ext::header::{check_value, sanitize_value};
use sieve_sdk_ext::{HeaderName, Http, MapKind, Phase, RequestNeeds};
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    RequestHeader(HeaderName),
    ResponseHeader(HeaderName),
    Method,
    Path,
    Host,
    ClientIp,
    ClientAddress,
    RequestId,
    RouteName,
    Status,
}

/// A compiled value template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// The operators a template may use, for error messages and docs.
pub const OPERATORS: &str = "%REQ(name)%, %RESP(name)%, %METHOD%, %PATH%, %HOST%, %CLIENT_IP%, \
%CLIENT_ADDRESS%, %REQUEST_ID%, %ROUTE_NAME%, %STATUS%, %% (a literal %)";

impl Template {
    pub fn parse(text: &str, phase: Phase) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('%') {
            literal.push_str(rest.get(..start).unwrap_or_default());
            let after = rest.get(start + 1..).unwrap_or_default();
            if let Some(tail) = after.strip_prefix('%') {
                literal.push('%');
                rest = tail;
                continue;
            }
            let Some(end) = after.find('%') else {
                return Err(format!("unterminated operator in {text:?}: a literal % is written %%"));
            };
            let operator = after.get(..end).unwrap_or_default();
            let part = parse_operator(operator, phase)?;
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(part);
            rest = after.get(end + 1..).unwrap_or_default();
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        for part in &parts {
            if let Part::Literal(text) = part {
                check_value(text)?;
            }
        }
        Ok(Template { parts })
    }

    /// Adds what this template reads of the request to `needs`.
    pub fn needs(&self, needs: &mut RequestNeeds) {
        for part in &self.parts {
            match part {
                Part::RequestHeader(name) => needs.header(name.as_str()),
                Part::RequestId => needs.header("x-request-id"),
                Part::Method => needs.method = true,
                Part::Path => needs.path = true,
                Part::Host => needs.authority = true,
                Part::RouteName => needs.route_name = true,
                Part::ClientIp | Part::ClientAddress => needs.client_address = true,
                Part::Literal(_) | Part::ResponseHeader(_) | Part::Status => {}
            }
        }
    }

    /// True when rendering needs no host read.
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Literal(_)))
    }

    /// Renders the value. A missing item is an error naming it, unless `missing_as_empty`.
    pub fn render(&self, http: &mut Http<'_>, missing_as_empty: bool) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        for part in &self.parts {
            match value_of(part, http) {
                Some(value) => out.extend_from_slice(&value),
                None if missing_as_empty => {}
                None => return Err(describe(part)),
            }
        }
        // Request data was validated by Envoy's codec; this guards against anything that was not.
        sanitize_value(&mut out);
        Ok(out)
    }
}

fn value_of<'p>(part: &'p Part, http: &mut Http<'_>) -> Option<Cow<'p, [u8]>> {
    let owned = |text: Option<&str>| text.map(|t| Cow::Owned(t.as_bytes().to_vec()));
    match part {
        Part::Literal(text) => Some(Cow::Borrowed(text.as_bytes())),
        Part::RequestHeader(name) => http.header_bytes(MapKind::RequestHeaders, name.as_str()).map(Cow::Owned),
        Part::ResponseHeader(name) => http.header_bytes(MapKind::ResponseHeaders, name.as_str()).map(Cow::Owned),
        Part::Method => owned(http.method()),
        Part::Path => owned(http.path()),
        Part::Host => owned(http.authority()),
        Part::ClientIp => owned(http.client_ip()),
        Part::ClientAddress => owned(http.client_address()),
        Part::RequestId => http.request_id().map(|id| Cow::Owned(id.into_bytes())),
        Part::RouteName => owned(http.route_name()),
        Part::Status => http.response_status().map(|s| Cow::Owned(s.to_string().into_bytes())),
    }
}

fn describe(part: &Part) -> String {
    match part {
        Part::Literal(_) => "a literal".into(),
        Part::RequestHeader(name) => format!("request header {name}"),
        Part::ResponseHeader(name) => format!("response header {name}"),
        Part::Method => "the method".into(),
        Part::Path => "the path".into(),
        Part::Host => "the host".into(),
        Part::ClientIp | Part::ClientAddress => "the client address".into(),
        Part::RequestId => "the request id".into(),
        Part::RouteName => "the route name".into(),
        Part::Status => "the response status".into(),
    }
}

fn parse_operator(operator: &str, phase: Phase) -> Result<Part, String> {
    let header_arg = |prefix: &str| -> Option<Result<HeaderName, String>> {
        let inner = operator.strip_prefix(prefix)?.strip_prefix('(')?.strip_suffix(')')?;
        Some(HeaderName::parse(inner.trim()))
    };
    if let Some(name) = header_arg("REQ") {
        return Ok(Part::RequestHeader(name?));
    }
    if let Some(name) = header_arg("RESP") {
        if phase == Phase::Request {
            return Err("%RESP(...)% is only available in response rules".into());
        }
        return Ok(Part::ResponseHeader(name?));
    }
    Ok(match operator {
        "METHOD" => Part::Method,
        "PATH" => Part::Path,
        "HOST" => Part::Host,
        "CLIENT_IP" => Part::ClientIp,
        "CLIENT_ADDRESS" => Part::ClientAddress,
        "REQUEST_ID" => Part::RequestId,
        "ROUTE_NAME" => Part::RouteName,
        "STATUS" if phase == Phase::Response => Part::Status,
        "STATUS" => return Err("%STATUS% is only available in response rules".into()),
        other => return Err(format!("unknown operator %{other}%; known: {OPERATORS}")),
    })
}

#[cfg(test)]
#[path = "template_test.rs"]
mod tests;
