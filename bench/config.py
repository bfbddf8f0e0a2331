"""Where the bench keeps its files. No Django imports: settings.py and run.py read it
before Django is set up."""

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
VAR_DIR = ROOT / "var" / "bench"
STATIC_ROOT = VAR_DIR / "static"
RESULTS_DIR = BENCH_DIR / "results"
SETTINGS_MODULE = "bench.settings"
# The bench's own secret for Portico's signed JSON webhooks: settings.py gives it to the
# server and the worker, ingest.py signs its deliveries with it. Not a secret anywhere else.
PORTICO_WEBHOOK_SECRET = "bench-only-portico-webhook-secret"  # noqa: S105
