"""Projects (tenancy) as the store sees them: every row of a resource table belongs to one project, and every
repository is opened for one project (`ProjectScope`), so reads, pages, inserts and deletes never cross
into another project. A row of another project is indistinguishable from a row that does not exist.

Rows of `SHARED_PROJECT` are readable by every project and writable by none through the API: the bundled
models. Its name cannot be a project's (project names start with a letter or digit).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from adapt_server.errors import InvalidArgument

DEFAULT_PROJECT = "default"   # where a data directory made before projects existed puts everything
SHARED_PROJECT = "_shared"    # rows every project reads (bundled models); never a caller's project
PROJECT_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def check_project(name: str, field: str = "project") -> str:
    """The project name, or InvalidArgument saying what a valid one looks like."""
    if not isinstance(name, str) or not PROJECT_PATTERN.fullmatch(name):
        shown = name if isinstance(name, str) and len(name) <= 80 else f"{str(name)[:80]}..."
        raise InvalidArgument(f"{field} {shown!r} is not a valid project name: use 1-64 characters of a-z, 0-9, "
                              "'.', '_' or '-', starting with a letter or digit (e.g. 'billing')")
    return name


@dataclass(frozen=True)
class ProjectScope:
    """The one project a repository reads and writes. `condition` is the SQL that confines a query to it."""

    project: str

    def __post_init__(self):
        if self.project != SHARED_PROJECT:
            check_project(self.project)

    def condition(self, column: str = "project_id", shared: bool = False) -> tuple[str, list]:
        """(SQL condition, parameters): rows of this project, and of SHARED_PROJECT too when `shared`."""
        if shared:
            return f"{column} IN (?, ?)", [self.project, SHARED_PROJECT]
        return f"{column} = ?", [self.project]
