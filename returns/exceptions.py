"""What the returns app refuses, in words a customer or an agent can act on.

Every error carries ``message`` (for a person, already translated into the active
language when raised) and ``field`` (the form field at fault, or "" when the whole
request is), so a view can show it next to the right input or answer a machine with a
JSON error naming the field. Nothing a customer sends should surface as anything else.
"""


class ReturnsError(Exception):
    """Base of the returns domain's refusals."""

    def __init__(self, message: str, *, field: str = ""):
        self.message = str(message)
        self.field = field
        super().__init__(self.message)


class PhotoInvalid(ReturnsError):
    """An uploaded photo was refused (not an image, a format we don't take, too large,
    damaged); the message says which and what to do instead."""


class IllegalTransition(ReturnsError):
    """A move the status table does not allow, or a step missing what it needs."""


class ReturnNotAllowed(ReturnsError):
    """The policy refuses the return as asked; ``errors`` maps each form field at fault
    ("lines", "line-<id>", "line-<id>-reason", "resolution", "method", …) to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = {key: str(value) for key, value in errors.items()}
        first = next(iter(self.errors.items()), ("", ""))
        super().__init__(first[1], field=first[0])


class PaymentError(ReturnsError):
    """A payout could not be made; ``retryable`` says whether trying later may help."""

    def __init__(self, message: str, *, retryable: bool = False, field: str = ""):
        super().__init__(message, field=field)
        self.retryable = retryable
