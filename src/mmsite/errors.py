"""User-facing errors: every mistake names the file, the line where known, and a fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


class MmsiteError(Exception):
    """An error caused by the user's input. Printed as ``path:line: message``."""

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __reduce__(self) -> tuple:  # keep path/line/hint across processes
        return (type(self), (self.message, self.path, self.line, self.hint))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class BuildErrors(MmsiteError):
    """Several user errors found in one pass, reported together."""

    def __init__(self, errors: Iterable[MmsiteError]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s)")

    def __reduce__(self) -> tuple:
        return (BuildErrors, (self.errors,))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


@dataclass
class Reporter:
    """Collects warnings during a build; each distinct warning is kept once."""

    warnings: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    # every warn() call is also appended to each of these lists (incremental builds
    # replay the warnings of the pages and steps they skip; recordings nest)
    captures: list[list[tuple[str, str | None]]] = field(default_factory=list)

    def warn(self, message: str, path: Path | str | None = None) -> None:
        for capture in self.captures:
            capture.append((message, str(path) if path is not None else None))
        self.add(f"{path}: {message}" if path else message)

    def add(self, text: str) -> None:
        """A warning already formatted (e.g. by a worker process)."""
        if text not in self._seen:
            self._seen.add(text)
            self.warnings.append(text)


def relpath(path: Path, root: Path) -> Path:
    """``path`` relative to ``root`` when it lies below it, for short messages."""
    try:
        return path.relative_to(root)
    except ValueError:
        return path
