"""run_fine_tune end to end on generated calls (tiny: 2 steps), through a real job context."""
import json

import numpy as np
import pytest

from adapt_server.engines.model_directory import inspect_model_directory
from adapt_server.errors import InvalidArgument
from adapt_server.jobs.context import JobCancelled
from adapt_server.training.job import run_fine_tune


@pytest.mark.slow  # the shared tiny fine-tune, exported to every format (~30 s)
def test_outputs_metrics_and_progress(tuned_run):
    output, ctx, train = tuned_run
    assert inspect_model_directory(output.ctranslate2_dir).format == "ctranslate2"
    assert inspect_model_directory(output.huggingface_dir).format == "huggingface"
    assert (output.onnx_dir / "encoder.onnx").is_file() and (output.onnx_dir / "decoder.onnx").is_file()
    assert output.export_formats == ("ctranslate2", "onnx", "huggingface")
    metrics = output.metrics
    assert metrics["steps"] == 2 and metrics["train_utterances"] == len(train)
    assert np.isfinite(metrics["train_loss"]) and np.isfinite(metrics["holdout_loss_after"])
    assert metrics["median_step_seconds"] > 0 and metrics["peak_memory_mb"] > 0
    assert json.loads((output.huggingface_dir.parent / "metrics.json").read_text())["steps"] == 2
    assert output.hyperparameters["max_steps"] == 2 and output.hyperparameters["strategy"] == "full"
    events = ctx.queue.events(ctx.job.id)
    step_messages = [e.message for e in events if e.message.startswith("step ")]
    assert len(step_messages) == 2
    assert all(word in step_messages[-1] for word in ("step 2/2", "loss", "lr", "eta"))
    stages = [json.loads(e.progress.to_json())["stage"] if hasattr(e, "progress") else None for e in events]
    assert "train" in stages and "export" in stages


def test_bad_inputs_are_invalid_arguments(tmp_path, job_context, base_model_dir, call_items):
    ctx = job_context
    train = call_items[0][:1]
    with pytest.raises(InvalidArgument, match="learning_rate"):
        run_fine_tune(ctx, base_model_dir, "whisper-tiny.en", train, [], {"learning_rate": 3}, tmp_path / "o")
    with pytest.raises(InvalidArgument, match="train split is empty"):
        run_fine_tune(ctx, base_model_dir, "whisper-tiny.en", [], [], {}, tmp_path / "o")
    with pytest.raises(InvalidArgument, match="mixin_ratio"):
        run_fine_tune(ctx, base_model_dir, "whisper-tiny.en", train, [], {"mixin_ratio": 0.2}, tmp_path / "o")
    with pytest.raises(InvalidArgument, match="export format"):
        run_fine_tune(ctx, base_model_dir, "whisper-tiny.en", train, [], {}, tmp_path / "o", export_formats=["tf"])


def test_cancel_during_training_stops_between_steps(tmp_path, job_context, base_model_dir, call_items):
    ctx = job_context
    original = ctx.progress

    def progress(fraction, stage, *args, **kwargs):
        if stage == "train":  # the user cancels while the first step is reported
            ctx.queue.request_cancel(ctx.job.id)
        return original(fraction, stage, *args, **kwargs)

    ctx.progress = progress
    hp = {"strategy": "frozen_encoder", "batch_size": 1, "epochs": 3, "learning_rate": 1e-5}
    with pytest.raises(JobCancelled):
        run_fine_tune(ctx, base_model_dir, "whisper-tiny.en", call_items[0][:2], [], hp, tmp_path / "out")
    steps = [e.message for e in ctx.queue.events(ctx.job.id) if e.message.startswith("step ")]
    assert len(steps) == 1 and steps[0].startswith("step 1/6 ")  # 2 items x 3 epochs; stopped after step 1
    assert not (tmp_path / "out" / "ct2").exists()
