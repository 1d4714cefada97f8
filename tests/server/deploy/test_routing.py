"""Canary routing: deterministic by key, proportional, monotonic in the percentage."""
from __future__ import annotations

import random

from adapt_server.deploy.routing import BUCKETS, bucket, choose_model
from adapt_server.store.deployments import Canary

ROUTES = {"stt": "base"}


def test_without_a_canary_the_route_model_serves():
    assert choose_model("prod", "stt", ROUTES, None, "caller-1") == "base"
    assert choose_model("prod", "tts", ROUTES, None) is None


def test_the_same_key_always_takes_the_same_side():
    canary = Canary("stt", "tuned", 50.0)
    for key in ("a", "b", "caller-42"):
        first = choose_model("prod", "stt", ROUTES, canary, key)
        assert all(choose_model("prod", "stt", ROUTES, canary, key) == first for _ in range(5))


def test_the_share_of_keys_follows_the_percentage():
    canary = Canary("stt", "tuned", 10.0)
    keys = [f"caller-{i}" for i in range(5000)]
    share = sum(choose_model("prod", "stt", ROUTES, canary, k) == "tuned" for k in keys) / len(keys)
    assert 0.08 < share < 0.12


def test_raising_the_percentage_only_moves_keys_to_the_canary():
    keys = [f"k{i}" for i in range(2000)]
    at10 = {k for k in keys if choose_model("prod", "stt", ROUTES, Canary("stt", "tuned", 10), k) == "tuned"}
    at30 = {k for k in keys if choose_model("prod", "stt", ROUTES, Canary("stt", "tuned", 30), k) == "tuned"}
    assert at10 <= at30 and len(at30) > len(at10)


def test_without_a_key_each_request_draws_at_random():
    canary = Canary("stt", "tuned", 25.0)
    rng = random.Random(0)
    picks = [choose_model("prod", "stt", ROUTES, canary, "", rng) for _ in range(4000)]
    assert 0.22 < picks.count("tuned") / len(picks) < 0.28


def test_buckets_differ_between_deployments():
    assert 0 <= bucket("a", "k") < BUCKETS
    assert len({bucket(d, "same-key") for d in ("a", "b", "c", "d", "e")}) > 1
