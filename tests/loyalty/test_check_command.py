"""``manage.py loyalty_check``: silent agreement, or every problem and a failing exit."""

import io

import pytest
from django.core.management import CommandError, call_command

from loyalty.models import Account

pytestmark = pytest.mark.django_db


def test_agreeing_ledger_says_so_with_the_number_of_accounts(store, spend_rule):
    store.order()
    store.order("A-2", email="noor@example.com")
    out = io.StringIO()
    call_command("loyalty_check", stdout=out)
    assert out.getvalue().strip() == "ledger and balances agree (2 accounts)"


def test_a_cached_balance_off_the_ledger_is_printed_and_fails(store, spend_rule):
    store.order()
    Account.objects.filter(email="mira@example.com").update(available=7)
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("loyalty_check", stdout=out)
    assert "mira@example.com: available is 7, the ledger says 0" in out.getvalue()
    assert "agree" not in out.getvalue()
    assert "problem" in str(error.value)


def test_the_command_exits_non_zero_when_there_is_a_problem(store, spend_rule):
    store.order()
    Account.objects.filter(email="mira@example.com").update(pending=1)
    with pytest.raises(SystemExit) as exit_:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "loyalty_check"]).execute()
    assert exit_.value.code != 0
