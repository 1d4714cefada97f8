"""onnxruntime sessions: threads from the budget, telemetry off in the environment."""
from __future__ import annotations

import os

from adapt_kernels.threads import thread_budget
from adapt_server.tts import piper
from adapt_server.tts.runtime import create_session
from adapt_server.tts.weights import read_verified


def test_sessions_keep_telemetry_off_and_run_on_the_budget(joe):
    os.environ.pop("ORT_DISABLE_TELEMETRY", None)
    session = create_session(read_verified(piper.CONFIG) and read_verified(piper.MODEL),
                             thread_budget(worker_processes=2, total_cores=2))
    assert os.environ["ORT_DISABLE_TELEMETRY"] == "1"
    assert session.get_session_options().intra_op_num_threads == 1
    assert session.get_providers() == ["CPUExecutionProvider"]
