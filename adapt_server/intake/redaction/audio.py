"""Silencing redacted stretches of audio (pure)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from adapt_server.spans import RedactionSpan

DEFAULT_PAD_S = 0.15  # seconds muted before and after each span (word times are estimates)
RAMP_S = 0.005  # seconds of linear fade at each edge of a muted stretch (no click)


def mute(samples: np.ndarray, sample_rate: int, spans: Sequence[RedactionSpan],
         pad_s: float = DEFAULT_PAD_S) -> np.ndarray:
    """A copy of `samples` ((n,) or (n, channels), any float dtype) with every span, widened by pad_s on each
    side and clipped to the audio, set to zero (with RAMP_S fades just outside). The input is not changed."""
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive Hz; got {sample_rate}")
    if pad_s < 0:
        raise ValueError(f"pad_s must be >= 0 seconds; got {pad_s}")
    out = np.array(samples, copy=True)
    count = out.shape[0]
    ramp = max(1, int(round(RAMP_S * sample_rate)))
    for span in spans:
        first = max(0, int(np.floor((span.start - pad_s) * sample_rate)))
        last = min(count, int(np.ceil((span.end + pad_s) * sample_rate)))
        if last <= first:
            continue
        out[first:last] = 0
        _fade(out, max(0, first - ramp), first, down=True)
        _fade(out, last, min(count, last + ramp), down=False)
    return out


def _fade(out: np.ndarray, first: int, last: int, down: bool) -> None:
    if last <= first:
        return
    gains = np.linspace(1.0, 0.0, last - first + 2)[1:-1] if down else np.linspace(0.0, 1.0, last - first + 2)[1:-1]
    shape = (-1,) + (1,) * (out.ndim - 1)
    out[first:last] = (out[first:last] * gains.reshape(shape)).astype(out.dtype)
