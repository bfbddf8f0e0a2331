"""The customer's pages for returns (mounted by ``returns.urls``).

- ``start``: the guest's lookup and one-time code; a signed-in customer's orders and returns;
- ``create``: choose the items, review the amounts, submit (once, however often it is sent);
- ``detail``: the return's page, its cancel button, authorization PDF and photos, and the
  signed links the emails carry;
- ``policy``: the policy page, rendered from the version the engine enforces;
- ``panel``: the returns panel on the order page (registered in ``returns.apps``).

Views stay thin: access in ``returns.access``, reads in ``selectors``, writes in
``services`` and ``guest``.
"""
