"""Places where other apps add to the order pages, without ``orders`` importing them.

An app registers a panel in its ``AppConfig.ready``::

    from orders.extensions import order_page_panels
    order_page_panels.append(my_panel)

A panel is a callable ``panel(order, *, is_guest) -> str`` returning an HTML fragment
(already escaped: it is inserted as is), or "" to show nothing. ``order`` is the order as
the page loaded it; ``is_guest`` says whether the visitor came through a guest's signed
link or is the signed-in owner. The page is cached per ``Order.updated_at`` and kind of
visitor (``views._order_page``), so a panel must show only what every visitor allowed
to see the order may see, and an app whose data a panel shows bumps the order's
``updated_at`` when that data changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

log = logging.getLogger(__name__)

OrderPagePanel = Callable[..., str]

order_page_panels: list[OrderPagePanel] = []


def order_page_panels_render(order, *, is_guest: bool) -> list[SafeString]:
    """Each registered panel's HTML for this order, in registration order. A panel that
    fails is logged and left out: the order page itself must still show."""
    rendered = []
    for panel in order_page_panels:
        try:
            html = panel(order, is_guest=is_guest)
        except Exception:
            log.exception("order page panel %r failed for order %s", panel, order.pk)
            continue
        if html:
            rendered.append(mark_safe(html))  # noqa: S308 - panels return escaped HTML
    return rendered
