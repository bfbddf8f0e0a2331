import pytest

from orders import signals


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Run a webhook call and everything it queues on commit (tasks run eagerly)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def sent():
    """Every order signal sent, as (signal name, kwargs) in order."""
    calls = []
    names = [
        "order_placed",
        "order_paid",
        "order_cancelled",
        "order_refunded",
        "shipment_updated",
        "shipment_delivered",
    ]
    receivers = {}
    for name in names:

        def receiver(sender, _name=name, **kwargs):
            kwargs.pop("signal", None)
            calls.append((_name, kwargs))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver, weak=False)
    yield calls
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)
