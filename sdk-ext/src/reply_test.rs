use super::*;

#[test]
fn body_is_json_with_error_and_message() {
    let reply = LocalReply::bad_request("missing \"x-tenant\"");
    let body: serde_json::Value = serde_json::from_slice(&reply.body()).unwrap();
    assert_eq!(body["error"], "bad_request");
    assert_eq!(body["message"], "missing \"x-tenant\"");
}

#[test]
fn details_name_filter_and_error_without_spaces() {
    assert_eq!(LocalReply::bad_request("x").details("headers"), "sieve_headers.bad_request");
    assert_eq!(LocalReply::new(418, "odd code/here", "x").details("my filter"), "sieve_my_filter.odd_code_here");
}

#[test]
fn every_message_makes_valid_json() {
    for message in ["plain", "quote \" backslash \\ end", "tab\tnew\nline\rcr", "\u{0}\u{1f}\u{7f} é 漢字 🦀", ""]
    {
        let body: serde_json::Value =
            serde_json::from_slice(&LocalReply::new(403, "forbidden", message).body()).unwrap();
        assert_eq!(body["message"], message, "{message:?}");
        assert_eq!(body["error"], "forbidden");
    }
}
