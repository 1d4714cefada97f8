"""onnxruntime sessions for the TTS models: threads from adapt_kernels' budget, telemetry off, no spinning.

onnxruntime can send telemetry events (on Windows builds, through ETW): `ORT_DISABLE_TELEMETRY=1` is set in
this process's environment (children inherit it) and `onnxruntime.disable_telemetry_events()` is called
before every session. Its intra-op threads spin after each call by default; on a few shared cores that
steals the core from whatever runs next (the same pitfall as OpenBLAS's, see DESIGN.md), so spinning is off.
"""
from __future__ import annotations

import os

from adapt_kernels.threads import ThreadBudget, thread_budget

os.environ["ORT_DISABLE_TELEMETRY"] = "1"


def create_session(model: bytes, threads: ThreadBudget | None = None):
    """An onnxruntime CPU InferenceSession of the serialized ONNX `model`.

    threads: the process's budget (default: every available core for one process); ORT's intra-op pool gets
    the per-process model share (the one torch and CTranslate2 get), inter-op 1 (the graphs run sequentially).
    """
    import onnxruntime

    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    onnxruntime.disable_telemetry_events()
    budget = threads or thread_budget()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = budget.torch
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: the int8 Kokoro graph warns about unused initializers
    return onnxruntime.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
