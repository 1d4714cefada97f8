"""The CLI's progress bar for fine-tunes: step done/total, the training message (loss, learning rate) and
the server's ETA, fed by the WatchFineTune stream."""
from __future__ import annotations

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from adapt._progress import console


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA -:--"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"ETA {hours}:{minutes:02d}:{secs:02d}" if hours else f"ETA {minutes}:{secs:02d}"


def detail(progress) -> str:
    """e.g. "train | step 12/50 loss 0.532 lr 1.00e-05 | ETA 1:23" (the message carries step, loss and rate)."""
    parts = [progress.stage]
    if progress.message:
        parts.append(progress.message)
    elif progress.total:
        parts.append(f"{progress.done}/{progress.total} {progress.unit}")
    parts.append(_eta(progress.eta_seconds))
    return " | ".join(p for p in parts if p)


def follow_training(events, title: str) -> None:
    """Draws the bar until the terminal event; warnings and errors print as lines above it."""
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[detail]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(title, total=100, detail="")
        for event in events:
            bar.update(task, completed=round(event.progress.fraction * 100, 1), detail=detail(event.progress))
            if event.level in ("warning", "error"):
                bar.console.print(f"[yellow]{event.level}[/]: {event.message}")
            if event.state.terminal:
                bar.update(task, completed=100 if event.state == "SUCCEEDED" else bar.tasks[0].completed,
                           detail=f"{event.state}: {event.message}" if event.state != "SUCCEEDED" else "SUCCEEDED")
                break
