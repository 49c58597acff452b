"""User-facing errors: every mistake names the file, the line where known, and a fix."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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
        self.add(self.text(message, path))

    @staticmethod
    def text(message: str, path: Path | str | None) -> str:
        return f"{path}: {message}" if path else message

    @contextmanager
    def capturing(self) -> Iterator[list[str]]:
        """Every warning given inside the block, repeats included (:attr:`warnings`
        keeps only the first of each)."""
        captured: list[tuple[str, str | None]] = []
        texts: list[str] = []
        self.captures.append(captured)
        try:
            yield texts
        finally:
            self.captures.pop()  # recordings nest
            texts += [self.text(message, path) for message, path in captured]

    def add(self, text: str) -> None:
        """A warning already formatted (e.g. by a worker process)."""
        if text not in self._seen:
            self._seen.add(text)
            self.warnings.append(text)

    def replace_since(self, mark: int, texts: list[str]) -> None:
        """Put ``texts`` in place of the warnings added after the first ``mark`` (the
        same warnings gathered from several processes, in a deterministic order)."""
        self._seen.difference_update(self.warnings[mark:])
        del self.warnings[mark:]
        for text in texts:
            self.add(text)


def relpath(path: Path, root: Path) -> Path:
    """``path`` relative to ``root`` when it lies below it, for short messages."""
    try:
        return path.relative_to(root)
    except ValueError:
        return path
