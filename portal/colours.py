"""Brand colours made safe to use: WCAG 2.x contrast, whatever the merchant picked."""

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
INK = "#111827"
AA_NORMAL_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_on(background: str) -> str:
    """White or ink, whichever reads better on ``background``."""
    return max((WHITE, INK), key=lambda text: contrast_ratio(text, background))


def darken_until_readable(colour: str, on: str = WHITE, ratio: float = AA_NORMAL_TEXT) -> str:
    """The brand colour, darkened just enough to meet ``ratio`` as text on ``on``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(0, 101):
        f = 1 - step / 100
        candidate = f"#{round(r * f):02x}{round(g * f):02x}{round(b * f):02x}"
        if contrast_ratio(candidate, on) >= ratio:
            return candidate
    return INK
