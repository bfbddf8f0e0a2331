"""``manage.py loyalty_check``: prove the cached balances and lots agree with the ledger."""

from django.core.management.base import BaseCommand, CommandError

from loyalty import services
from loyalty.models import Account


class Command(BaseCommand):
    help = "Check every account's cached balances and lots against the ledger."

    def handle(self, *args, **options):
        problems = services.ledger_check()
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) between the ledger and the balances")
        self.stdout.write(
            self.style.SUCCESS(f"ledger and balances agree ({Account.objects.count()} accounts)")
        )
