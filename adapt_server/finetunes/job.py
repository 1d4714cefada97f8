"""The `fine_tune.run` job: gather the dataset's audio, train (adapt_server.training), register the export.

Resumable: training checkpoints live under <data-dir>/fine_tunes/<id>/ (the training library resumes from
its last checkpoint), and registration skips a model that is already registered.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from adapt_server.errors import FailedPrecondition
from adapt_server.finetunes.data import gather, split_refs
from adapt_server.finetunes.registration import register_tuned_model
from adapt_server.finetunes.service import FAMILY_FORMAT
from adapt_server.store.datasets import dataset_language
from adapt_server.store.fine_tunes import NO_VALIDATION, ValidationOptions
from adapt_server.training import run_fine_tune, validate_hyperparameters

DATA_SHARE = 0.03  # of the progress bar, for cutting the dataset's audio


def work_dir(config, fine_tune_id: str):
    return config.data_dir / "fine_tunes" / fine_tune_id


def run_fine_tune_job(ctx) -> str:
    store = ctx.store
    fine_tune = store.fine_tunes.get(ctx.payload["fine_tune_id"])
    if store.models.get(fine_tune.model_id) is not None:
        return f"{fine_tune.model_id} is registered"  # a run interrupted after registration
    base = store.models.get(fine_tune.base_model)
    if base is None:
        raise FailedPrecondition(f"base model {fine_tune.base_model!r} was deleted before the fine-tune ran")
    dataset = store.datasets.get(fine_tune.dataset_id)
    if dataset is None:
        raise FailedPrecondition(f"dataset {fine_tune.dataset_id!r} was deleted before the fine-tune ran")
    hp = validate_hyperparameters(dict(fine_tune.hyperparameters))

    ctx.progress(0.0, "data", message=f"cutting utterances of dataset {dataset.id}")
    data = gather(store, dataset.id, fine_tune.validation,
                  progress=lambda done, total: ctx.progress(DATA_SHARE * done / max(1, total), "data", done, total,
                                                            "recordings"),
                  long_form_seconds=hp.long_form_seconds)
    if not data.train:
        raise FailedPrecondition(f"dataset {dataset.id} has no usable training utterances "
                                 f"({data.skipped} skipped: untimed in long recordings, or longer than 30 s)")
    long_form = f", long-form stretches of up to {hp.long_form_seconds:g} s included" if hp.long_form_seconds else ""
    ctx.log(f"{len(data.train)} train items ({data.train_seconds / 60:.1f} min{long_form}), {len(data.holdout)} "
            f"holdout ({data.holdout_source}), {data.skipped} skipped", train=len(data.train),
            holdout=len(data.holdout), skipped=data.skipped, holdout_source=data.holdout_source)

    mixin = []
    if fine_tune.mixin_dataset_id:
        if store.datasets.get(fine_tune.mixin_dataset_id) is None:
            raise FailedPrecondition(f"mixin dataset {fine_tune.mixin_dataset_id!r} was deleted before the "
                                     "fine-tune ran")
        mixin = gather(store, fine_tune.mixin_dataset_id, ValidationOptions(split=NO_VALIDATION)).train
        ctx.log(f"{len(mixin)} general-speech utterances to mix in from {fine_tune.mixin_dataset_id}")

    general = None  # the interpolation selection's general speech (None: the reference that ships)
    reference_id = fine_tune.validation.forgetting_reference
    if reference_id:
        if store.datasets.get(reference_id) is None:
            raise FailedPrecondition(f"forgetting reference dataset {reference_id!r} was deleted before the "
                                     "fine-tune ran")
        general = gather(store, reference_id, ValidationOptions(split=NO_VALIDATION)).train
        ctx.log(f"{len(general)} general-speech utterances from {reference_id} to check forgetting on")

    out_dir = work_dir(ctx.config, fine_tune.id)
    out_dir.mkdir(parents=True, exist_ok=True)

    def train(collective=None):
        if base.format == FAMILY_FORMAT:  # qwen3_asr, voxtral, cohere_asr: through the model's own loss
            from adapt_server.training.family_job import run_family_fine_tune
            return run_family_fine_tune(ctx, base_model_path=Path(base.path), base_model_id=base.id,
                                        train_items=data.train, holdout_items=data.holdout, hp=hp, out_dir=out_dir,
                                        language=dataset_language(dataset.spec),
                                        export_formats=tuple(fine_tune.export_formats),
                                        checkpoint_interval_s=ctx.config.checkpoint_interval_s)
        return run_fine_tune(ctx, base_model_path=Path(base.path), base_model_id=base.id, train_items=data.train,
                             holdout_items=data.holdout, hp=hp, out_dir=out_dir,
                             export_formats=tuple(fine_tune.export_formats), mixin_items=mixin,
                             checkpoint_interval_s=ctx.config.checkpoint_interval_s, collective=collective,
                             general_items=general, forgetting_budget=fine_tune.validation.forgetting_budget)

    world_size = ctx.config.train_world_size
    if world_size > 1 and base.format != FAMILY_FORMAT:  # data-parallel: this process is rank 0
        from adapt_server.finetunes.distributed import train_distributed
        train_refs = split_refs(store, dataset.id, fine_tune.validation)[0]
        mixin_refs = split_refs(store, fine_tune.mixin_dataset_id, ValidationOptions(split=NO_VALIDATION))[0] \
            if fine_tune.mixin_dataset_id else []
        output = train_distributed(ctx, world_size, train, base, train_refs, mixin_refs, hp.to_dict())
    else:  # one process (the transformers families train in one process: distributed training is Whisper's)
        if world_size > 1:
            ctx.log(f"{base.family} fine-tunes run in one process; --train-world-size {world_size} applies to "
                    "Whisper", level="warning")
        output = train()

    ctx.progress(0.99, "register", message=f"registering {fine_tune.model_id}", force=True)
    exports = output.export_dirs
    metrics = {**output.json_metrics(), "train_utterances": len(data.train), "holdout_utterances": len(data.holdout),
               "train_seconds_of_audio": round(data.train_seconds, 2), "holdout_source": data.holdout_source}
    store.fine_tunes.set_results(fine_tune.id, metrics, sorted(exports))
    register_tuned_model(store, fine_tune, exports, metrics, base, dataset)
    shutil.rmtree(out_dir, ignore_errors=True)  # the exports now live in the blob store
    return f"registered {fine_tune.model_id}"

