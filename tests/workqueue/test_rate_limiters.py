"""Rate limiters: the delay sequences of client-go's default_rate_limiters.go.

Cases follow default_rate_limiters_test.go; the token bucket follows
golang.org/x/time/rate's ``Reserve``. Time moves with ``VirtualClock.set_time``.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime, timedelta

import pytest

from kube_actors.clock import VirtualClock
from kube_actors.workqueue import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    RateLimiter,
    WithMaxWaitRateLimiter,
    default_controller_rate_limiter,
    default_item_based_rate_limiter,
)
from kube_actors.workqueue.rate_limiters import INF_DURATION

EPOCH = datetime.fromtimestamp(0, UTC)

MS = 0.001


def at(clock: VirtualClock, seconds: float) -> None:
    """Move ``clock`` to ``seconds`` after ``EPOCH``."""
    clock.set_time(EPOCH + timedelta(seconds=seconds))


def test_item_exponential_doubles_per_key_and_forget_resets() -> None:
    limiter = ItemExponentialFailureRateLimiter(1 * MS, 1.0)
    assert [limiter.when("one") for _ in range(5)] == [1 * MS, 2 * MS, 4 * MS, 8 * MS, 16 * MS]
    assert limiter.num_requeues("one") == 5
    assert [limiter.when("two") for _ in range(2)] == [1 * MS, 2 * MS]
    assert limiter.num_requeues("two") == 2
    limiter.forget("one")
    assert limiter.num_requeues("one") == 0
    assert limiter.when("one") == 1 * MS


def test_item_exponential_is_capped_and_survives_overflow() -> None:
    limiter = ItemExponentialFailureRateLimiter(1 * MS, 1000.0)
    for _ in range(5):
        limiter.when("one")
    assert limiter.when("one") == 32 * MS
    for _ in range(1000):
        limiter.when("overflow1")
    assert limiter.when("overflow1") == 1000.0
    for _ in range(2000):
        limiter.when("overflow1")
    assert limiter.when("overflow1") == 1000.0

    limiter = ItemExponentialFailureRateLimiter(60.0, 1000 * 3600.0)
    for _ in range(2):
        limiter.when("two")
    assert limiter.when("two") == 4 * 60.0
    for _ in range(1000):
        limiter.when("overflow2")
    assert limiter.when("overflow2") == 1000 * 3600.0


def test_item_exponential_returns_max_when_nanoseconds_overflow_int64() -> None:
    # base * 2**exp past 2**63 ns takes the cap even when the cap is larger still.
    limiter = ItemExponentialFailureRateLimiter(1.0, 1e12)
    delays = [limiter.when("k") for _ in range(40)]
    assert delays[33] == 2.0**33
    assert delays[34] == 1e12, "2**34 s is more than 2**63 ns"


def test_item_fast_slow_is_fast_for_the_first_attempts_then_slow() -> None:
    limiter = ItemFastSlowRateLimiter(5 * MS, 10.0, 3)
    assert [limiter.when("one") for _ in range(5)] == [5 * MS, 5 * MS, 5 * MS, 10.0, 10.0]
    assert limiter.num_requeues("one") == 5
    assert [limiter.when("two") for _ in range(2)] == [5 * MS, 5 * MS]
    assert limiter.num_requeues("two") == 2
    limiter.forget("one")
    assert limiter.num_requeues("one") == 0
    assert limiter.when("one") == 5 * MS


def test_max_of_takes_the_longest_delay_and_forgets_everywhere() -> None:
    limiter = MaxOfRateLimiter[Hashable](
        ItemFastSlowRateLimiter(5 * MS, 3.0, 3),
        ItemExponentialFailureRateLimiter(1 * MS, 1.0),
    )
    assert [limiter.when("one") for _ in range(5)] == [5 * MS, 5 * MS, 5 * MS, 3.0, 3.0]
    assert limiter.num_requeues("one") == 5
    assert [limiter.when("two") for _ in range(2)] == [5 * MS, 5 * MS]
    assert limiter.num_requeues("two") == 2
    limiter.forget("one")
    assert limiter.num_requeues("one") == 0
    assert limiter.when("one") == 5 * MS


def test_max_of_nothing_never_waits() -> None:
    limiter = MaxOfRateLimiter[str]()
    assert limiter.when("one") == 0.0
    assert limiter.num_requeues("one") == 0


class StepRateLimiter:
    """``base`` for the first ``threshold`` calls, then ``cap`` (from the upstream test)."""

    def __init__(self, base: float, cap: float, threshold: int) -> None:
        self.count = 0
        self.base, self.cap, self.threshold = base, cap, threshold

    def when(self, item: Hashable) -> float:
        self.count += 1
        return self.base if self.count <= self.threshold else self.cap

    def forget(self, item: Hashable) -> None:
        pass

    def num_requeues(self, item: Hashable) -> int:
        return 0


def test_with_max_wait_caps_the_delay() -> None:
    limiter = WithMaxWaitRateLimiter[int](StepRateLimiter(5 * MS, 1000.0, 100), 500.0)
    assert all(limiter.when(i) == 5 * MS for i in range(100))
    assert all(limiter.when(i) == 500.0 for i in range(100, 200))


def test_with_max_wait_delegates_forget_and_num_requeues() -> None:
    limiter = WithMaxWaitRateLimiter[str](ItemExponentialFailureRateLimiter(1.0, 100.0), 3.0)
    assert [limiter.when("one") for _ in range(4)] == [1.0, 2.0, 3.0, 3.0]
    assert limiter.num_requeues("one") == 4
    limiter.forget("one")
    assert limiter.num_requeues("one") == 0


def test_bucket_lets_a_burst_through_then_reservations_stack(clock: VirtualClock) -> None:
    limiter = BucketRateLimiter(10, 100, clock)
    assert [limiter.when(i) for i in range(100)] == [0.0] * 100
    assert [limiter.when(i) for i in range(100, 104)] == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert limiter.num_requeues(100) == 0


def test_bucket_refills_at_qps_up_to_the_burst(clock: VirtualClock) -> None:
    limiter = BucketRateLimiter(10, 100, clock)
    for i in range(101):
        limiter.when(i)  # the 101st reserved the token due at 0.1 s
    at(clock, 0.1)
    assert limiter.when("a") == pytest.approx(0.1), "the token of 0.1 s is taken"
    at(clock, 0.3)
    assert limiter.when("b") == 0.0
    at(clock, 1000.0)
    assert [limiter.when(i) for i in range(100)] == [0.0] * 100
    assert limiter.when("c") == pytest.approx(0.1)


def test_bucket_edge_rates_follow_golang_rate(clock: VirtualClock) -> None:
    unlimited = BucketRateLimiter(float("inf"), 0, clock)
    assert [unlimited.when(i) for i in range(1000)] == [0.0] * 1000
    no_burst = BucketRateLimiter(10, 0, clock)
    assert no_burst.when("a") == INF_DURATION
    no_refill = BucketRateLimiter(0, 2, clock)
    assert [no_refill.when(i) for i in range(3)] == [0.0, 0.0, INF_DURATION]


def test_default_controller_limiter_backs_off_one_key_from_5ms_to_1000s(
    clock: VirtualClock,
) -> None:
    limiter = default_controller_rate_limiter(clock)
    delays = [limiter.when("default/web") for _ in range(25)]
    assert delays[:18] == [0.005 * 2**n for n in range(18)]
    assert delays[0:3] == [0.005, 0.01, 0.02]
    assert delays[17] == pytest.approx(655.36)
    assert delays[18:] == [1000.0] * 7
    assert limiter.num_requeues("default/web") == 25
    limiter.forget("default/web")
    assert limiter.when("default/web") == 0.005


def test_default_controller_limiter_spaces_keys_after_100_rapid_failures(
    clock: VirtualClock,
) -> None:
    limiter = default_controller_rate_limiter(clock)
    assert [limiter.when(f"ns/{i}") for i in range(100)] == [0.005] * 100
    assert [limiter.when(f"ns/{i}") for i in range(100, 103)] == pytest.approx([0.1, 0.2, 0.3])


def test_default_item_based_limiter_starts_at_1ms() -> None:
    limiter = default_item_based_rate_limiter()
    assert [limiter.when("k") for _ in range(3)] == [0.001, 0.002, 0.004]
    assert [limiter.when(i) for i in range(200)] == [0.001] * 200


def test_every_limiter_satisfies_the_protocol(clock: VirtualClock) -> None:
    limiters: list[RateLimiter[str]] = [
        ItemExponentialFailureRateLimiter(1.0, 2.0),
        ItemFastSlowRateLimiter(1.0, 2.0, 1),
        BucketRateLimiter(1.0, 1, clock),
        MaxOfRateLimiter[str](),
        WithMaxWaitRateLimiter[str](ItemExponentialFailureRateLimiter(1.0, 2.0), 1.0),
        default_controller_rate_limiter(clock),
        default_item_based_rate_limiter(),
    ]
    for limiter in limiters:
        assert limiter.when("k") >= 0.0
        limiter.forget("k")
        assert limiter.num_requeues("k") >= 0
