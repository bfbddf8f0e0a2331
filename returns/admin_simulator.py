"""The policy simulator: the policy in force against a real order, read-only.

Pick an order by its number and see each line's eligibility (units that may still come
back, the window and the date it counts from, the deadline, or why not); then choose
lines, quantities, reasons, a resolution and a method and see the quote the customer
would get and what happens to it (approved at once, or an agent's review and why). The
engine's own functions run (``policy.eligibility`` and ``policy.quote`` over
``selectors.order_facts``), the same the customer's form runs; nothing is written.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.models import Order
from orders.services import lookup_number

from .admin_views import ReturnsPageView
from .models import Method, Resolution
from .policy import Pick, customer_flagged, eligibility, quote
from .selectors import order_facts, policy_current

MAX_MATCHES = 20


class SimulatorForm(forms.Form):
    order = forms.CharField(label=gettext_lazy("Order number"), max_length=50)
    as_of = forms.DateField(
        label=gettext_lazy("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty for now; a date is judged at its end."),
        validators=[MinValueValidator(date(2000, 1, 1)), MaxValueValidator(date(2100, 12, 31))],
    )


class QuoteForm(forms.Form):
    resolution = forms.ChoiceField(label=gettext_lazy("Resolution"), choices=Resolution.choices)
    method = forms.ChoiceField(label=gettext_lazy("Return method"), choices=Method.choices)


def _int(value, default=0) -> int | None:
    if value is None:
        return default
    try:
        return int(str(value).strip() or default)
    except (TypeError, ValueError):
        return None


class SimulatorView(ReturnsPageView):
    template_name = "returns/admin/simulator.html"
    page_title = gettext_lazy("Policy simulator")
    header_icon = "cogs"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.GET
        form = SimulatorForm(data if "order" in data else None)
        context.update(form=form, matches=[], order=None)
        if not form.is_bound or not form.is_valid():
            return context
        number, as_of = form.cleaned_data["order"].strip(), form.cleaned_data["as_of"]
        key = lookup_number(number)
        matches = list(
            Order.objects.filter(lookup_number=key).order_by("-placed_at", "-pk")[:MAX_MATCHES]
            if key
            else []
        )
        chosen = _int(data.get("order_id"), default=0)
        if chosen:
            matches = [o for o in matches if o.pk == chosen] or matches
        context["matches"] = matches
        if len(matches) != 1:
            return context
        order = matches[0]
        now = timezone.now()
        if as_of:
            now = timezone.make_aware(datetime.combine(as_of, time(23, 59, 59)))
        policy, version = policy_current()
        facts = order_facts(order=order)
        lines = eligibility(policy, facts, now=now)
        context.update(
            order=order,
            now=now,
            policy=policy,
            version=version,
            facts=facts,
            eligibility=lines,
            rows=[self._row(check) for check in lines],
            flagged=customer_flagged(policy, facts),
            reasons=policy.reasons,
            quote_form=QuoteForm(data if "simulate" in data else None),
        )
        if "simulate" in data:
            context.update(self._quote(policy, facts, lines, now, context["quote_form"]))
        return context

    def _row(self, check) -> dict:
        """A line of the form, with what was asked last time."""
        data, prefix = self.request.GET, f"line-{check.line.id}"
        return {
            "e": check,
            "prefix": prefix,
            "qty": data.get(f"{prefix}-qty", "0")[:6],
            "reason": data.get(f"{prefix}-reason", ""),
            "comment": data.get(f"{prefix}-comment", "")[:2000],
            "photo": bool(data.get(f"{prefix}-photo")),
        }

    def _quote(self, policy, facts, lines, now, quote_form) -> dict:
        data = self.request.GET
        picks, problems = [], []
        for check in lines:
            prefix = f"line-{check.line.id}"
            quantity = _int(data.get(f"{prefix}-qty"))
            if quantity is None or quantity < 0:
                problems.append(
                    _("%(product)s: the quantity is a whole number.")
                    % {"product": check.line.title}
                )
                continue
            if quantity == 0:
                continue
            picks.append(
                Pick(
                    line_id=check.line.id,
                    quantity=quantity,
                    reason=(data.get(f"{prefix}-reason") or "").strip(),
                    comment=(data.get(f"{prefix}-comment") or "").strip()[:2000],
                    photos=1 if data.get(f"{prefix}-photo") else 0,
                )
            )
        if not quote_form.is_valid():
            return {"quote_problems": problems, "quote": None}
        result = quote(
            policy,
            facts,
            picks,
            resolution=quote_form.cleaned_data["resolution"],
            method=quote_form.cleaned_data["method"],
            now=now,
        )
        titles = {line.id: line.title for line in facts.lines}
        errors = []
        for field, message in result.errors.items():
            parts = field.split("-")
            where = titles.get(_int(parts[1])) if len(parts) > 1 and parts[0] == "line" else None
            errors.append({"where": where or "", "message": message})
        fees = result.restocking_fee + result.shipping_fee + result.other_fees
        return {
            "quote": result,
            "quote_fees": fees,
            "quote_errors": errors,
            "quote_problems": problems,
            "resolution_labels": [Resolution(r).label for r in result.resolutions],
            "method_labels": [Method(m).label for m in result.methods],
        }
