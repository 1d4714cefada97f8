"""A real store (SQLite + blobs in a temp dir) with the bundled model and a second registered copy."""
from __future__ import annotations

import time

import pytest

from adapt_server.config import ServerConfig
from adapt_server.models.service import ModelService
from adapt_server.store.models import ModelRecord
from adapt_server.store.store import Store


@pytest.fixture
def store(tmp_path):
    config = ServerConfig(data_dir=tmp_path / "data").resolved()
    s = Store.open(config, run_migrations=True)
    base = ModelService(config, s).register_bundled()
    # a second catalogue entry on the same files, as RegisterModel of a copy would make
    s.models.upsert(ModelRecord(id="tiny-copy", kind="REGISTERED", family="whisper", format="ctranslate2",
                                path=base.path, base_model="", multilingual=False, n_mels=80,
                                size_bytes=base.size_bytes, sha256="", created_at=time.time()))
    yield s
    s.close()
