"""List pages are bounded in bytes as well as in count (issue 16, defect 9): ServiceRunner.page over a real
store ends a page when its messages pass the byte budget, and the token continues right after the last item
sent, so paging still returns every item exactly once."""
from __future__ import annotations

import asyncio

import pytest

from adapt_server.api import context, identity
from adapt_server.api.context import ServiceRunner
from adapt_server.api.deployments import deployment_message
from adapt_server.config import ServerConfig
from adapt_server.engines.registry import EngineRegistry
from adapt_server.models.service import ModelService
from adapt_server.security.principal import anonymous
from adapt_server.speech.capacity import DecodeLimits, SpeechCapacity
from adapt_server.store.store import Store

BUDGET = 40_000  # bytes: a few of the deployments below


@pytest.fixture
def runner(tmp_path, monkeypatch):
    config = ServerConfig(data_dir=tmp_path / "data").resolved()
    store = Store.open(config, run_migrations=True)
    ModelService(config, store).register_bundled()
    store.close()
    capacity = SpeechCapacity(DecodeLimits.resolve(2, 2, 1))
    monkeypatch.setattr(context, "PAGE_BYTE_BUDGET", BUDGET)
    yield ServiceRunner(config, EngineRegistry(cache_dir=config.engine_cache_dir), capacity)
    capacity.close()


def test_pages_stop_at_the_byte_budget_and_lose_nothing(runner):
    async def scenario():
        identity.bind(anonymous())  # the caller api/auth.py would have admitted (this task's context only)
        await runner.run(lambda s: [s.deployments.create(f"dep-{i:02d}", {"stt": "whisper-tiny.en"},
                                                         description="d" * 4096) for i in range(30)])
        seen, token, pages = [], "", 0
        while True:
            items, token = await runner.page(lambda s, size: s.deployments.list(size, token), 1000,
                                             deployment_message)
            pages += 1
            assert items and sum(item.ByteSize() for item in items) <= BUDGET
            seen += [item.id for item in items]
            if not token:
                return seen, pages
    seen, pages = asyncio.run(scenario())
    assert seen == [f"dep-{i:02d}" for i in range(30)] and pages > 1


def test_a_single_item_larger_than_the_budget_still_comes_alone(runner, monkeypatch):
    monkeypatch.setattr(context, "PAGE_BYTE_BUDGET", 100)

    async def scenario():
        identity.bind(anonymous())
        await runner.run(lambda s: [s.deployments.create(f"one-{i}", {"stt": "whisper-tiny.en"},
                                                         description="d" * 500) for i in range(3)])
        return await runner.page(lambda s, size: s.deployments.list(size, ""), 10, deployment_message)
    items, token = asyncio.run(scenario())
    assert [item.id for item in items] == ["one-0"] and token


def test_use_cases_answer_unavailable_until_the_server_is_ready(tmp_path):
    """While the data directory is migrated and jobs recovered (the port is already open), every use case is
    UNAVAILABLE; health says NOT_SERVING meanwhile (server.py)."""
    from adapt_server.errors import Unavailable
    from adapt_server.speech.cancel import CancelToken
    config = ServerConfig(data_dir=tmp_path / "data").resolved()
    capacity = SpeechCapacity(DecodeLimits.resolve(2, 2, 1))
    starting = ServiceRunner(config, EngineRegistry(cache_dir=config.engine_cache_dir), capacity, ready=False)
    try:
        with pytest.raises(Unavailable, match="the server is starting"):
            asyncio.run(starting.run(lambda s: s.models.list(10, "")))
        with pytest.raises(Unavailable):
            asyncio.run(starting.decode(lambda s: None, CancelToken()))
    finally:
        capacity.close()
