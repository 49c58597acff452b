"""What a build reports. Imports nothing heavy: ``mmsite build`` answers "nothing
changed" (:mod:`mmsite.stamps`) without loading the build pipeline."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mmsite.engine.stamps import State
from mmsite.output.tree import cleanup_stale


@dataclass
class BuildResult:
    output: Path
    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    languages: int = 0
    images: int = 0  # source images published
    images_processed: int = 0  # of those, how many needed Pillow (cache misses)
    warnings: list[str] = field(default_factory=list)
    # build report: pages rendered vs reused; files whose bytes changed vs linked
    rendered: int = 0
    reused: int = 0
    changed: set[PurePosixPath] = field(default_factory=set)
    linked: int = 0
    # "full" (pages reused by their recorded inputs), "delta" (page text edits applied in
    # place) or "unchanged" (nothing read or written)
    kind: str = "full"

    def summary(self) -> str:
        images = (
            f"{self.images} images ({self.images_processed} processed), " if self.images else ""
        )
        return (
            f"{self.pages} pages, {images}{self.languages} languages "
            f"in {self.seconds:.2f} s ({self.kind}: {self.rendered} rendered, "
            f"{self.reused} unchanged; "
            f"{len(self.changed)} files written) -> {self.output}"
        )


def unchanged_result(state: State, started: float) -> BuildResult:
    """The result of a build that found nothing to do: the last build's figures."""
    cleanup_stale(Path(state.output))
    summary = state.summary
    return BuildResult(
        output=Path(state.output),
        pages=summary["pages"],
        files=summary["files"],
        languages=summary["languages"],
        images=summary["images"],
        warnings=list(state.warnings),
        reused=summary["pages"],
        seconds=time.perf_counter() - started,
        kind="unchanged",
    )
