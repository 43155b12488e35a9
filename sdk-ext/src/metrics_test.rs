use super::*;

#[test]
fn counters_reach_the_host_in_istios_tag_convention() {
    assert_eq!(host_counter_name("screen", "hits"), "filter=.=screen;.;outcome=.=hits;.;sieve_events_total");
    assert_eq!(
        host_counter_name("auth", "tokens.denied.expired"),
        "filter=.=auth;.;provider=.=tokens;.;outcome=.=denied;.;reason=.=expired;.;sieve_provider_events_total"
    );
    assert_eq!(
        host_counter_name("auth", "tokens.allowed"),
        "filter=.=auth;.;provider=.=tokens;.;outcome=.=allowed;.;reason=.=;.;sieve_provider_events_total"
    );
}

#[test]
fn dotted_names_come_back_from_host_names() {
    for (filter, name) in [("screen", "hits"), ("auth", "tokens.denied.expired"), ("auth", "keys.allowed")] {
        assert_eq!(dotted_counter_name(&host_counter_name(filter, name)), format!("sieve.{filter}.{name}"));
    }
}

#[test]
fn names_the_convention_cannot_carry_stay_dotted() {
    assert_eq!(host_counter_name("auth", "a.b.c.d"), "sieve.auth.a.b.c.d");
    assert_eq!(host_counter_name("auth", "x;.;y.allowed"), "sieve.auth.x;.;y.allowed");
    assert_eq!(host_counter_name("auth", ""), "sieve.auth.");
    for other in ["sieve.screen.list_size", "cluster.echo.upstream_rq_200", "a=.=b;.;not_ours"] {
        assert_eq!(dotted_counter_name(other), other);
    }
}
