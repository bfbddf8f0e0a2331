"""What the loyalty program refuses, in words a member or a marketer can act on."""


class LoyaltyError(Exception):
    """Base of the program's refusals."""


class InsufficientPoints(LoyaltyError):
    def __init__(self, *, available: int, needed: int):
        self.available, self.needed = available, needed
        super().__init__(f"{needed} points needed, {available} available")


class NotAMember(LoyaltyError):
    def __init__(self):
        super().__init__("join the program first")


class RewardUnavailable(LoyaltyError):
    """The reward cannot be redeemed now; the message says why, for the member."""


class InvalidCustomerToken(LoyaltyError):
    """A store-signed customer token that cannot be trusted; for a machine: the field at
    fault and the HTTP status to answer with (400 malformed, 401 not valid now)."""

    def __init__(self, message: str, *, field: str = "token", status: int = 401):
        self.message, self.field, self.status = message, field, status
        super().__init__(message)


class BirthdayAlreadyGiven(LoyaltyError):
    """A member gives their birthday once; staff correct it."""

    def __init__(self):
        super().__init__("the birthday was given already")


class InvalidBirthday(LoyaltyError, ValueError):
    """No such day in the year (31 April), or no month or day at all."""
