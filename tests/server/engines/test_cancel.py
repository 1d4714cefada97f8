"""Engines honour a cancellation token (issue 16, defect 2): checked between VAD blocks, windows and batches,
raising DecodeCancelled (status CANCELLED); a token that never fires changes nothing."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from adapt_server.engines.errors import DecodeCancelled
from adapt_server.engines.inputs import cancelled
from adapt_server.engines.pocketsphinx_engine import shared_pocketsphinx_engine


def _calls_until(n: int):
    """A callable token that fires on its n-th look (counts how often the engine checked)."""
    looks = []

    def token() -> bool:
        looks.append(time.perf_counter())
        return len(looks) >= n
    token.looks = looks
    return token


def test_tokens_are_events_or_callables():
    event = threading.Event()
    assert not cancelled(None) and not cancelled(event) and not cancelled(lambda: False)
    event.set()
    assert cancelled(event) and cancelled(lambda: True)


@pytest.mark.slow  # generates a call and decodes minutes of audio
def test_whisper_stops_at_the_next_check(engine, synthetic_call):
    audio = np.tile(synthetic_call.audio, 3)  # ~3 minutes: several VAD blocks and window batches
    fired = threading.Event()
    fired.set()
    started = time.perf_counter()
    with pytest.raises(DecodeCancelled):
        engine.transcribe(audio, cancel=fired)
    assert time.perf_counter() - started < 2.0  # before any model call
    token = _calls_until(4)  # lets the VAD and the first batch through
    with pytest.raises(DecodeCancelled):
        engine.transcribe_batch([audio], batch_size=2, cancel=token)
    assert len(token.looks) == 4
    never = engine.transcribe(synthetic_call.audio, cancel=lambda: False)
    assert never.text == engine.transcribe(synthetic_call.audio).text


@pytest.mark.slow
def test_pocketsphinx_stops_between_windows(synthetic_call):
    token = _calls_until(2)
    with pytest.raises(DecodeCancelled):
        shared_pocketsphinx_engine().transcribe(synthetic_call.audio, cancel=token)
    assert len(token.looks) == 2
