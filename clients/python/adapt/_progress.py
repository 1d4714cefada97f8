"""Progress bars for long work in the CLI (rich), fed by a resource's Watch stream."""
from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

console = Console(stderr=True)


def follow(events, title: str) -> None:
    """Draws a bar from `events` (adapt.Event iterator) until the terminal event; prints warnings as lines."""
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(title, total=100, detail="")
        for event in events:
            p = event.progress
            detail = f"{p.stage} {p.done}/{p.total} {p.unit}".strip() if p.total else p.stage
            bar.update(task, completed=round(p.fraction * 100, 1), detail=detail)
            if event.level in ("warning", "error"):
                bar.console.print(f"[yellow]{event.level}[/]: {event.message}")
            if event.state.terminal:
                bar.update(task, completed=100 if event.state == "SUCCEEDED" else bar.tasks[0].completed,
                           detail=str(event.state))
                break
