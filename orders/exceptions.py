"""Domain errors of the order mirror. Views turn them into 400/401 answers."""


class OrdersError(Exception):
    pass


class InvalidSignature(OrdersError):
    """The delivery's signature is missing or does not match the shared secret."""


class PayloadError(OrdersError):
    """The payload cannot be mapped; ``field`` names the first field that is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class OrderNotYetKnown(OrdersError):
    """A shipment or refund arrived before its order; the delivery waits for it."""

    def __init__(self, connector: str, order_external_id: str):
        super().__init__(f"order {order_external_id} from {connector} is not known yet")
        self.key = f"{connector}:{order_external_id}"
