"""Bad arguments every diarizer rejects the same way (checked by `adapt_server.intake.diarization.inputs`)."""
from __future__ import annotations

import numpy as np

SECOND = np.zeros(16000, np.float32)

# (positional args, keyword args, fragment of the InvalidArgument message)
BAD_DIARIZE_ARGUMENTS = [
    ((np.zeros((2, 16000), np.float32),), {}, "mono"),
    ((np.zeros(16000, np.int16),), {}, "float"),
    ((np.full(16000, np.nan, np.float32),), {}, "NaN"),
    ((SECOND, 0), {}, "sample_rate"),
    ((SECOND,), {"min_speakers": 3, "max_speakers": 2}, "min_speakers"),
    ((SECOND,), {"num_speakers": 0}, "num_speakers"),
]
