"""Device, dtype and thread settings of the transformers backend, and its batch-size check (audio inputs are
checked by engines/inputs.py, as for every engine).

dtype "auto": float32 on CPU; bfloat16 on CUDA where the GPU supports it, else float16. Torch's intra-op threads
come from the process's thread budget (adapt_kernels.threads), set once when a model loads.
"""
from __future__ import annotations

from adapt_kernels.threads import ThreadBudget, pin_threads, thread_budget

from adapt_server.engines.errors import ModelLoadError, UnsupportedComputeType

DEVICES = ("cpu", "cuda")
DTYPES = ("auto", "float32", "bfloat16", "float16")


def resolve_device_and_dtype(device: str, dtype: str):
    """(device, torch dtype) after checking them; UnsupportedComputeType / ModelLoadError say what to use."""
    import torch

    if device not in DEVICES:
        raise UnsupportedComputeType(f"device must be one of {', '.join(DEVICES)}; got {device!r}")
    if dtype not in DTYPES:
        raise UnsupportedComputeType(f"dtype must be one of {', '.join(DTYPES)}; got {dtype!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("device 'cuda' was requested but torch sees no CUDA device; use device 'cpu'")
    if device == "cpu":
        if dtype == "float16":
            raise UnsupportedComputeType("dtype float16 is not supported on CPU; use float32 (or bfloat16)")
        return device, torch.bfloat16 if dtype == "bfloat16" else torch.float32
    if dtype == "auto":
        return device, torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return device, getattr(torch, dtype)


def apply_threads(threads: ThreadBudget | int | None) -> int:
    """Sets torch's intra-op threads from the budget (None: this process's default budget); returns them."""
    if isinstance(threads, bool) or (isinstance(threads, int) and threads < 1):
        raise ValueError(f"threads must be a ThreadBudget, an integer >= 1 or None; got {threads!r}")
    count = threads if isinstance(threads, int) else (threads or thread_budget()).torch
    applied = pin_threads(torch=count).torch
    return applied if applied is not None else count


def check_batch_size(batch_size: object) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1; got {batch_size!r}")
    return batch_size
