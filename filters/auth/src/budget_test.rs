use super::*;
use std::time::Duration;

fn at(millis: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_millis(millis)
}

#[test]
fn a_tenth_of_a_second_at_once_then_the_rate() {
    let budget = Budget::new(100.0);
    assert_eq!((0..20).filter(|_| budget.try_take(at(0), 1)).count(), 10, "a tenth of a second's worth at once");
    assert!(!budget.try_take(at(5), 1), "half a unit is not a unit");
    assert!(budget.try_take(at(10), 1));
    assert!(!budget.try_take(at(10), 1));
    assert_eq!((0..20).filter(|_| budget.try_take(at(10_000), 1)).count(), 10, "never more than the capacity");
    // Over a second, the rate.
    let taken = (0..=1000).filter(|ms| budget.try_take(at(20_000 + ms), 1)).count();
    assert!((100..=111).contains(&taken), "{taken}");
}

#[test]
fn costs_weigh_and_a_refused_take_takes_nothing() {
    let budget = Budget::new(100.0);
    assert!(budget.try_take(at(0), 8));
    assert!(!budget.try_take(at(0), 4), "2 left");
    assert!(budget.try_take(at(0), 2));
    assert!(!budget.try_take(at(0), 1));
    assert!(budget.try_take(at(40), 4));
    let small = Budget::new(20.0);
    assert!(small.try_take(at(0), 10), "a check dearer than the bucket takes it all");
    assert!(!small.try_take(at(90), 10));
    assert!(small.try_take(at(100), 10));
}

#[test]
fn slow_rates_allow_one_check_at_a_time() {
    let budget = Budget::new(0.25);
    assert!(budget.try_take(at(0), 1));
    assert!(!budget.try_take(at(0), 1));
    assert!(!budget.try_take(at(3_900), 1));
    assert!(budget.try_take(at(4_000), 1));
    let budget = Budget::new(5.0);
    assert!(budget.try_take(at(0), 1));
    assert!(!budget.try_take(at(100), 1));
    assert!(budget.try_take(at(200), 1));
}

#[test]
fn zero_is_unlimited_and_a_clock_going_back_refills_nothing() {
    let unlimited = Budget::new(0.0);
    assert!(unlimited.is_unlimited());
    assert!((0..10_000).all(|_| unlimited.try_take(at(0), 100)));
    assert!(Budget::new(f64::NAN).is_unlimited());
    let budget = Budget::new(1.0);
    assert!(budget.try_take(at(5_000), 1));
    assert!(!budget.try_take(at(1_000), 1), "earlier than the last refill");
    assert!(!budget.try_take(at(5_500), 1));
    assert!(budget.try_take(at(6_000), 1));
}
