"""manage.py import_orders FILE: backfill the order mirror from CSV or JSON Lines."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from orders import importer
from orders.models import Connector


class Command(BaseCommand):
    help = (
        "Import orders from a CSV file (one row per order line) or a JSON Lines file of "
        "Portico records. Idempotent: importing the same file again changes nothing. "
        "Columns and record format: docs/connectors.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .jsonl file ('-' reads CSV from stdin)")
        parser.add_argument(
            "--format", choices=["csv", "jsonl"], help="default: from the file's extension"
        )
        parser.add_argument(
            "--connector",
            default=Connector.IMPORT,
            choices=Connector.values,
            help="whose ids the file carries; use the platform's name to backfill a store "
            "that also sends webhooks (default: import)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, format, connector, no_progress, **options):
        path = Path(file)
        fmt = format or ("jsonl" if path.suffix in (".jsonl", ".ndjson") else "csv")
        if file != "-" and not path.exists():
            raise CommandError(f"No such file: {file}")
        handle = sys.stdin if file == "-" else path.open(encoding="utf-8-sig", newline="")
        try:
            total = None if file == "-" else _count_lines(path)
            reader = importer.read_jsonl if fmt == "jsonl" else importer.read_csv
            with tqdm(total=total, unit="row", disable=no_progress, file=self.stderr._out) as bar:
                report = importer.import_units(
                    reader(handle), connector=connector, progress=bar.update
                )
        finally:
            if handle is not sys.stdin:
                handle.close()
        for error in report.errors:
            self.stderr.write(str(error))
        summary = (
            f"{report.created} created, {report.updated} already known (applied again), "
            f"{report.stale} older than what is stored, {len(report.errors)} rows with errors."
        )
        if report.errors:
            self.stdout.write(self.style.WARNING(summary))
        else:
            self.stdout.write(self.style.SUCCESS(summary))


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)
