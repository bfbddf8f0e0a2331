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
