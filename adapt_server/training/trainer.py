"""The training loop: seeded batches, micro-batched gradient accumulation, AdamW with linear warmup/decay,
atomic checkpoints and exact resume, progress reports and cancellation between steps.

Determinism: batches, timestamp labels, mix-in draws and SpecAugment masks are pure functions of the seed and
the step (data.py); dropout is off in Whisper's config; `fit` runs under torch's deterministic algorithms, so
CPU kernels give the same bits in every process for a fixed thread count (without them, the backward pass of
the decoder's position embedding, an indexed gather whose gradient is an accumulating index_put, summed in a
different order from one process to the next: 1e-7 differences that two trained encoder blocks amplified into
±5 points of holdout WER between two runs of the same fine-tune). A run resumed from a checkpoint therefore
ends with the same weights as an uninterrupted one
(tests/server/training/test_resume.py kills a training process with SIGKILL to check it).
On CUDA hosts the forward/backward passes run under bf16 autocast (fp16 with a gradient scaler where bf16 is
not supported); results are then deterministic only up to CUDA's own nondeterminism.
"""
from __future__ import annotations

import contextlib
import resource
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from adapt_server.observability import metrics
from adapt_server.training import strategies
from adapt_server.training.averaging import TailAverage, first_averaged_step
from adapt_server.training.checkpoints import Checkpoint, load_checkpoint, save_checkpoint
from adapt_server.training.data import Example, collate, plan_batches, spec_augment
from adapt_server.training.hyperparameters import Hyperparameters
from adapt_server.training.labels import IGNORE

MAX_GRAD_NORM = 1.0  # gradient clipping (global L2 norm)
DEFAULT_CHECKPOINT_INTERVAL_S = 60.0  # seconds of training between checkpoints (and one after the last step)


@dataclass(frozen=True)
class StepReport:
    """Sent after every optimizer step."""

    step: int  # steps done (1-based)
    total_steps: int
    loss: float  # mean token cross-entropy (nats) of this step's batch
    learning_rate: float  # the rate this step used
    step_s: float  # seconds this step took
    eta_s: float  # seconds left (median step time x steps left)


@dataclass(frozen=True)
class TrainingResult:
    steps: int  # optimizer steps in the whole run
    losses: tuple[float, ...]  # training loss of every step
    seconds: float  # training seconds (across resumes)
    median_step_s: float  # median seconds per optimizer step in this process
    resumed_from_step: int  # 0 when the run started fresh
    peak_memory_mb: float  # peak resident memory of the process (CPU) or peak CUDA allocation (MiB)
    device: str  # "cpu" | "cuda"

    @property
    def final_loss(self) -> float:
        return self.losses[-1] if self.losses else float("nan")


def pick_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


class Trainer:
    """Trains `model` (a WhisperForConditionalGeneration, changed in place) with `hp`.

    checkpoint_dir: where `last.pt` lives; checkpoint_every_steps: write one every this many steps (None:
    every `checkpoint_interval_s` seconds of training); a checkpoint is also written after the last step.
    adapter: for another family (training/family_adapter.py): which parameters train, the summed loss of a
    micro-batch of its examples through the model's own loss, the plain model afterwards. None: Whisper.
    collective: this process's rank in a data-parallel run (training/distributed.py), None for one process;
    only rank 0 reads and writes checkpoints (the others get its checkpoint when a run resumes).
    """

    def __init__(self, model, hp: Hyperparameters, pad_id: int, checkpoint_dir, *, device: str | None = None,
                 checkpoint_every_steps: int | None = None,
                 checkpoint_interval_s: float = DEFAULT_CHECKPOINT_INTERVAL_S, adapter=None, collective=None):
        self.hp = hp
        self.collective = collective
        self.pad_id = pad_id
        self.device = device or pick_device()
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every_steps = checkpoint_every_steps
        self.checkpoint_interval_s = checkpoint_interval_s
        self.adapter = adapter
        prepare = adapter.prepare if adapter is not None else strategies.prepare
        self.module, groups = prepare(model.to(self.device), hp)
        self.optimizer = torch.optim.AdamW(groups, lr=hp.learning_rate, weight_decay=hp.weight_decay)
        self._autocast_dtype = None
        self._scaler = None
        if self.device == "cuda":
            self._autocast_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
            if self._autocast_dtype == torch.float16:
                self._scaler = torch.amp.GradScaler("cuda")
        self._encoder_cache: dict[tuple[str, int], torch.Tensor] = {}
        self._average = TailAverage()
        # learning without forgetting: a frozen copy of the base model gives soft targets (the model is still
        # the base here: a checkpoint's weights are restored later, in fit)
        self._teacher = None
        if hp.distillation_weight > 0:
            import copy
            self._teacher = copy.deepcopy(strategies.whisper_model(self.module)).eval()
            for parameter in self._teacher.parameters():
                parameter.requires_grad_(False)

    # ------------------------------------------------------------------------------------------------
    def fit(self, examples: Sequence[Example], mixin: Sequence[Example], fingerprint: str,
            on_step: Callable[[StepReport], None] | None = None,
            on_encoder_cache: Callable[[int, int], None] | None = None) -> TrainingResult:
        """Trains over the plan of `examples` (+ mix-in); resumes from a checkpoint with the same fingerprint.

        on_step is called after every step (it may raise to cancel: the last checkpoint stays);
        on_encoder_cache(done, total) while strategy "frozen_encoder" computes its encoder outputs.
        """
        with deterministic_algorithms(self.device):
            return self._fit(examples, mixin, fingerprint, on_step, on_encoder_cache)

    def _fit(self, examples, mixin, fingerprint, on_step, on_encoder_cache) -> TrainingResult:
        hp = self.hp
        torch.manual_seed(hp.seed)
        plan = plan_batches(len(examples), len(mixin), hp)
        start_step, losses, elapsed_before = 0, [], 0.0
        checkpoint = load_checkpoint(self.checkpoint_dir, fingerprint) if self.checkpoint_dir is not None else None
        if self.collective is not None:
            checkpoint = self.collective.from_rank0(checkpoint)
        if checkpoint is not None:
            self._restore(checkpoint)
            start_step, losses, elapsed_before = checkpoint.step, list(checkpoint.losses), checkpoint.elapsed_s
        first_averaged = first_averaged_step(plan.total_steps, hp.average_last_share)
        if hp.strategy == "frozen_encoder" and self.adapter is None and start_step < plan.total_steps:
            self._cache_encoder_outputs(examples, mixin, plan, on_encoder_cache)
        self.module.train()
        started = time.perf_counter()
        last_saved, last_saved_at = start_step, started
        step_times: list[float] = []
        for step in range(start_step, plan.total_steps):
            step_started = time.perf_counter()
            domain_ids, mixin_ids = plan.steps[step]
            batch = [("domain", i, examples[i]) for i in domain_ids] + [("mixin", i, mixin[i]) for i in mixin_ids]
            learning_rate = self._set_learning_rate(step, plan.total_steps)
            loss = self._optimizer_step(batch, step)
            losses.append(loss)
            if step >= first_averaged:
                self._average.add(strategies.trainable_parameters(self.module))
            step_times.append(time.perf_counter() - step_started)
            done = step + 1
            now = time.perf_counter()
            due = (done - last_saved >= self.checkpoint_every_steps) if self.checkpoint_every_steps \
                else (now - last_saved_at >= self.checkpoint_interval_s)
            if (due or done == plan.total_steps) and self.checkpoint_dir is not None:
                self._save(done, fingerprint, losses, elapsed_before + now - started)
                last_saved, last_saved_at = done, time.perf_counter()
            if self.collective is None or self.collective.writes:
                metrics.training_step(self.collective.world_size if self.collective else 1, step_times[-1])
            if on_step is not None:
                median = statistics.median(step_times)
                on_step(StepReport(step=done, total_steps=plan.total_steps, loss=loss, learning_rate=learning_rate,
                                   step_s=step_times[-1], eta_s=median * (plan.total_steps - done)))
        self._average.copy_into(strategies.trainable_parameters(self.module))
        self.module.eval()
        self._encoder_cache.clear()
        return TrainingResult(
            steps=plan.total_steps, losses=tuple(losses), seconds=elapsed_before + time.perf_counter() - started,
            median_step_s=statistics.median(step_times) if step_times else 0.0, resumed_from_step=start_step,
            peak_memory_mb=self._peak_memory_mb(), device=self.device)

    def trained_model(self):
        """The plain Whisper model with the tuned weights (LoRA merged); call once, after fit."""
        model = (self.adapter.merged if self.adapter is not None else strategies.merged)(self.module)
        for parameter in model.parameters():
            parameter.requires_grad_(False)
        return model.to("cpu").float().eval()

    def evaluate_loss(self, examples: Sequence[Example]) -> float:
        """Mean token cross-entropy (nats) of the current model on `examples` (no update)."""
        was_training = self.module.training
        self.module.eval()
        if self.adapter is not None:
            loss = evaluate_family_loss(self.module, self.adapter, examples, self.hp.micro_batch_size, self.device)
        else:
            loss = evaluate_loss(self.module, examples, self.pad_id, self.hp.micro_batch_size, self.device)
        self.module.train(was_training)
        return loss

    # ------------------------------------------------------------------------------------------------
    def _optimizer_step(self, batch: list[tuple[str, int, Example]], step: int) -> float:
        hp = self.hp
        self.optimizer.zero_grad(set_to_none=True)
        if self.adapter is not None:
            n_tokens = sum(self.adapter.targets(example) for _, _, example in batch)
        else:
            n_tokens = sum(sum(1 for t in example.targets if t != IGNORE) for _, _, example in batch)
        total = 0.0
        for first in range(0, len(batch), hp.micro_batch_size):
            if self.collective is not None and not self.collective.mine(first // hp.micro_batch_size):
                continue  # another rank's micro-batch
            chunk = batch[first:first + hp.micro_batch_size]
            if self.adapter is not None:
                with self._autocast():
                    loss_sum, _ = self.adapter.loss_sum(self.module, [example for _, _, example in chunk],
                                                        self.device)
                scaled = loss_sum / max(1, n_tokens)
                (self._scaler.scale(scaled) if self._scaler else scaled).backward()
                total += float(loss_sum.detach())
                continue
            inputs = collate([example for _, _, example in chunk], self.pad_id)
            encoder_states = None
            if hp.strategy == "frozen_encoder":
                encoder_states = torch.stack([self._encoder_cache[(kind, index)] for kind, index, _ in chunk])
            elif hp.spec_augment:
                inputs["input_features"] = spec_augment(inputs["input_features"],
                                                        [example.frames for _, _, example in chunk],
                                                        hp.seed, step * 100003 + first)
            loss_sum, _ = self._loss_sum(inputs, encoder_states)
            scaled = loss_sum / max(1, n_tokens)
            (self._scaler.scale(scaled) if self._scaler else scaled).backward()
            total += float(loss_sum.detach())
        params = [p for group in self.optimizer.param_groups for p in group["params"]]
        if self.collective is not None:  # every rank: the sum of all ranks' micro-batch gradients
            self.collective.sum_gradients(params)
            total = self.collective.sum(total)
        if self._scaler:
            self._scaler.unscale_(self.optimizer)
        torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
        if self._scaler:
            self._scaler.step(self.optimizer)
            self._scaler.update()
        else:
            self.optimizer.step()
        return total / max(1, n_tokens)

    def _loss_sum(self, inputs: dict[str, torch.Tensor], encoder_states: torch.Tensor | None):
        """(summed token cross-entropy, number of target tokens) of one micro-batch."""
        labels = inputs["labels"].to(self.device)
        decoder_input_ids = inputs["decoder_input_ids"].to(self.device)
        with self._autocast():
            out = self._forward(self.module, inputs, encoder_states, decoder_input_ids)
        logits = out.logits.float()
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=IGNORE,
                               reduction="sum")
        if self._teacher is not None:
            weight = self.hp.distillation_weight
            loss = (1.0 - weight) * loss + weight * self._distillation_sum(inputs, encoder_states, logits, labels)
        return loss, int((labels != IGNORE).sum())

    def _forward(self, module, inputs, encoder_states, decoder_input_ids):
        """Teacher-forced forward pass: from cached encoder outputs when given, else from the log-mel."""
        if encoder_states is not None:
            encoder = strategies.whisper_model(module).model.encoder
            states = strategies.encoder_top(encoder, encoder_states.to(self.device), self.hp.trained_encoder_layers)
            return module(encoder_outputs=(states,), decoder_input_ids=decoder_input_ids, use_cache=False)
        return module(input_features=inputs["input_features"].to(self.device), decoder_input_ids=decoder_input_ids,
                      use_cache=False)

    def _distillation_sum(self, inputs, encoder_states, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Summed KL(teacher || student) of one micro-batch (nats), over the tokens distillation_tokens names."""
        decoder_input_ids = inputs["decoder_input_ids"].to(self.device)
        with torch.no_grad(), self._autocast():
            teacher = self._forward(self._teacher, inputs, encoder_states, decoder_input_ids)
        return distillation_sum(logits, teacher.logits.float(), labels, self.hp.distillation_tokens)

    def _autocast(self):
        if self._autocast_dtype is None:
            return torch.autocast("cpu", enabled=False)
        return torch.autocast("cuda", dtype=self._autocast_dtype)

    def _set_learning_rate(self, step: int, total_steps: int) -> float:
        """Linear warmup over warmup_steps, then linear decay towards 0 at total_steps (never exactly 0)."""
        warmup = min(self.hp.warmup_steps, total_steps)
        if step < warmup:
            factor = (step + 1) / warmup
        else:
            factor = (total_steps - step) / max(1, total_steps - warmup)
        rate = self.hp.learning_rate * factor
        for group in self.optimizer.param_groups:
            group["lr"] = rate * group.get("lr_scale", 1.0)
        return rate

    @torch.no_grad()
    def _cache_encoder_outputs(self, examples, mixin, plan, on_progress) -> None:
        """Encoder outputs (frames x d_model each) of every example the plan uses, computed once; with
        trained_encoder_layers N, the states entering the top N blocks (those train, the rest stay frozen)."""
        used = sorted({("domain", i) for domain, _ in plan.steps for i in domain}
                      | {("mixin", i) for _, chosen in plan.steps for i in chosen})
        encoder = strategies.whisper_model(self.module).model.encoder
        size = self.hp.micro_batch_size
        for first in range(0, len(used), size):
            keys = used[first:first + size]
            features = torch.from_numpy(
                np.stack([(examples if kind == "domain" else mixin)[i].features for kind, i in keys]))
            with self._autocast():
                states = strategies.encoder_below(encoder, features.to(self.device),
                                                  self.hp.trained_encoder_layers).float()
            for key, state in zip(keys, states):
                self._encoder_cache[key] = state
            if on_progress is not None:
                on_progress(min(first + size, len(used)), len(used))

    def _save(self, step: int, fingerprint: str, losses: list[float], elapsed_s: float) -> None:
        save_checkpoint(self.checkpoint_dir, Checkpoint(
            step=step, fingerprint=fingerprint, parameters=strategies.trainable_state(self.module),
            optimizer=self.optimizer.state_dict(), losses=list(losses), elapsed_s=elapsed_s,
            average=self._average.mean, averaged_steps=self._average.steps))

    def _restore(self, checkpoint: Checkpoint) -> None:
        named = dict(self.module.named_parameters())
        with torch.no_grad():
            for name, value in checkpoint.parameters.items():
                named[name].copy_(value.to(self.device))
        self.optimizer.load_state_dict(checkpoint.optimizer)
        self._average = TailAverage({name: value.to(self.device) for name, value in (checkpoint.average or {}).items()},
                                    checkpoint.averaged_steps)

    def _peak_memory_mb(self) -> float:
        if self.device == "cuda":
            return torch.cuda.max_memory_allocated() / 2**20
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def deterministic_algorithms(device: str) -> Iterator[None]:
    """torch.use_deterministic_algorithms for the duration (the previous setting comes back after). On CPU it
    costs nothing measurable here (tiny.en frozen_encoder steps: same seconds); on CUDA it only warns where an
    op has no deterministic kernel, so that training never fails for it."""
    enabled = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(True, warn_only=device != "cpu")
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(enabled, warn_only=warn_only)


def distillation_sum(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                     tokens: str = "all") -> torch.Tensor:
    """Summed KL(teacher || student) in nats over target positions. logits: (batch, length, vocab); labels:
    (batch, length) with IGNORE off target. tokens "base_correct": only positions whose teacher top token is the
    label, so that the student learns freely what the base model gets wrong."""
    mask = labels != IGNORE
    if tokens == "base_correct":
        mask &= teacher_logits.argmax(dim=-1) == labels
    return F.kl_div(F.log_softmax(student_logits[mask], dim=-1), F.log_softmax(teacher_logits[mask], dim=-1),
                    log_target=True, reduction="sum")


@torch.no_grad()
def evaluate_family_loss(module, adapter, examples: Sequence, micro_batch_size: int = 8, device: str = "cpu") -> float:
    """Mean token cross-entropy (nats) of a family's model (eval mode) on its examples; nan for none."""
    if not examples:
        return float("nan")
    total, tokens = 0.0, 0
    for first in range(0, len(examples), micro_batch_size):
        loss_sum, count = adapter.loss_sum(module, list(examples[first:first + micro_batch_size]), device)
        total, tokens = total + float(loss_sum), tokens + count
    return total / max(1, tokens)


@torch.no_grad()
def evaluate_loss(model, examples: Sequence[Example], pad_id: int, micro_batch_size: int = 8,
                  device: str = "cpu") -> float:
    """Mean token cross-entropy (nats) of `model` (in eval mode) on `examples`; nan for none."""
    if not examples:
        return float("nan")
    total, tokens = 0.0, 0
    for first in range(0, len(examples), micro_batch_size):
        inputs = collate(list(examples[first:first + micro_batch_size]), pad_id)
        labels = inputs["labels"].to(device)
        logits = model(input_features=inputs["input_features"].to(device),
                       decoder_input_ids=inputs["decoder_input_ids"].to(device), use_cache=False).logits.float()
        total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1),
                                       ignore_index=IGNORE, reduction="sum"))
        tokens += int((labels != IGNORE).sum())
    return total / max(1, tokens)
