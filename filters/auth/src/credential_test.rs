use super::*;

fn basic(user_pass: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(user_pass))
}

#[test]
fn basic_credentials() {
    assert_eq!(
        parse_basic(Some(&basic("bob:s3cret:with:colons"))),
        BasicParse::Credentials { username: "bob".into(), password: "s3cret:with:colons".into() }
    );
    assert_eq!(
        parse_basic(Some(&basic("bob:")).map(|s| s.replace("Basic", "bAsIc")).as_deref()),
        BasicParse::Credentials { username: "bob".into(), password: "".into() }
    );
    assert_eq!(parse_basic(None), BasicParse::NotBasic);
    assert_eq!(parse_basic(Some("Bearer abc")), BasicParse::NotBasic);
    assert_eq!(parse_basic(Some("Basic")), BasicParse::Malformed);
    assert_eq!(parse_basic(Some("Basic !!!notbase64")), BasicParse::Malformed);
    assert_eq!(parse_basic(Some(&basic("no-colon"))), BasicParse::Malformed);
    assert_eq!(parse_basic(Some(&basic(":empty-user"))), BasicParse::Malformed);
    assert_eq!(parse_basic(Some("Basic /w==")), BasicParse::Malformed, "not UTF-8");
}

#[test]
fn bearer_prefix() {
    assert_eq!(strip_prefix_ignore_case("Bearer abc.def", "Bearer "), Some("abc.def"));
    assert_eq!(strip_prefix_ignore_case("bearer   abc ", "Bearer "), Some("abc"));
    assert_eq!(strip_prefix_ignore_case("Basic abc", "Bearer "), None);
    assert_eq!(strip_prefix_ignore_case("Bear", "Bearer "), None);
    assert_eq!(strip_prefix_ignore_case("Bearer ", "Bearer "), Some(""));
    assert_eq!(strip_prefix("Bearer abc ", "Bearer "), Some("abc"));
    assert_eq!(strip_prefix("bearer abc", "Bearer "), None, "exact, as jwt_authn's value_prefix");
}

#[test]
fn cookies() {
    assert_eq!(cookie("a=1; session=tok.en; b=2", "session"), Some("tok.en"));
    assert_eq!(cookie("session=\"quoted\"", "session"), Some("quoted"));
    assert_eq!(cookie("a=1", "session"), None);
    assert_eq!(remove_cookie("a=1; session=x; b=2", "session").as_deref(), Some("a=1; b=2"));
    assert_eq!(remove_cookie("session=x", "session"), None);
}
