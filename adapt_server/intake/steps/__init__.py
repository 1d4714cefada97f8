"""Pipeline steps: one module per step, each with `parse` (create-time validation) and `run`.

Order: vad -> diarize -> align -> redact -> split, each at most once; `redact` needs the word times of an
earlier `align`; `split` runs last over the whole dataset.
"""
from adapt_server.intake.steps.align import AlignStep
from adapt_server.intake.steps.diarize import DiarizeStep
from adapt_server.intake.steps.redact import RedactStep
from adapt_server.intake.steps.split import SplitStep
from adapt_server.intake.steps.vad import VadStep

STEPS = {step.name: step for step in (VadStep, DiarizeStep, AlignStep, RedactStep, SplitStep)}
ORDER = tuple(STEPS)  # the valid relative order
REQUIRES = {"redact": "align"}  # step -> the step that must run before it

__all__ = ["ORDER", "REQUIRES", "STEPS"]
