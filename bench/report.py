"""Medians, the printed table and the JSON file of one bench run."""

import json
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench import config
from bench.loadgen import Measurement, Target

METRICS = ("rps", "p50_ms", "p95_ms", "p99_ms")


@dataclass
class Row:
    """A URL's runs; the baseline is a row too."""

    target: Target
    queries: int | None = None
    goal: float | None = None  # the share of the baseline's req/s the page should reach
    runs: list[Measurement] = field(default_factory=list)

    def median(self, metric: str) -> float:
        # Each metric on its own: with 2 or 3 runs, a single noisy run cannot decide it.
        return statistics.median(getattr(run, metric) for run in self.runs)

    def errors(self) -> int:
        return sum(sum(run.errors.values()) for run in self.runs)

    def as_dict(self, baseline_rps: float) -> dict:
        return {
            "name": self.target.name,
            "path": self.target.path,
            "queries": self.queries,
            "median": {metric: self.median(metric) for metric in METRICS},
            "ratio_to_baseline": round(self.median("rps") / baseline_rps, 4),
            "goal_ratio": self.goal,
            "errors": self.errors(),
            "runs": [run.as_dict() for run in self.runs],
        }


def ratio(row: Row, baseline: Row) -> str:
    return f"{row.median('rps') / baseline.median('rps'):.2f}x"


def table(rows: list[Row], baseline: Row) -> str:
    header = ("scenario", "path", "req/s", "p50 ms", "p95 ms", "vs baseline", "queries", "errors")
    lines = [header]
    for row in [baseline, *rows]:
        lines.append(
            (
                row.target.name,
                row.target.path,
                f"{row.median('rps'):.1f}",
                f"{row.median('p50_ms'):.2f}",
                f"{row.median('p95_ms'):.2f}",
                ratio(row, baseline),
                "-" if row.queries is None else str(row.queries),
                str(row.errors()),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    # Names and paths read left to right; numbers line up on the right.
    formatted = [
        "  ".join(
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    ]
    formatted.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(formatted)


def goals(rows: list[Row], baseline: Row) -> str:
    """One line per page with a goal: its ratio to the baseline against the goal's."""
    lines = []
    for row in rows:
        if row.goal is None:
            continue
        value = row.median("rps") / baseline.median("rps")
        verdict = "met" if value >= row.goal else "NOT met"
        lines.append(
            f"goal  {row.target.name}: {value:.2f}x of the baseline, goal >= {row.goal:.2f}x "
            f"(within {1 / row.goal:.0f}x): {verdict}"
        )
    return "\n".join(lines)


def write_json(started: datetime, machine: dict, options: dict, rows, baseline) -> Path:
    baseline_rps = baseline.median("rps")
    document = {
        "started": started.isoformat(),
        "machine": machine,
        "options": options,
        "baseline": baseline.as_dict(baseline_rps),
        "scenarios": [row.as_dict(baseline_rps) for row in rows],
    }
    config.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = config.RESULTS_DIR / f"{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path
