"""Colours typed by a person (the portal's accent colour): parsing and the WCAG 2.1 contrast ratio.

The portal draws white text on the accent colour (buttons) and the accent colour as text on white (links, the
amount due), so one ratio against white decides both. WCAG 2.1 AA asks 4.5:1 for normal text (1.4.3)."""

from __future__ import annotations

import re

from payapp.domain.errors import ValidationError
from payapp.domain.messages import msg

#: WCAG 2.1 AA, normal text (success criterion 1.4.3)
AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def parse_hex_colour(text: object) -> str:
    """"#1f5fae" from "#1F5FAE", "1f5fae" or "#15a" (three digits doubled); ValidationError for anything else."""
    if not isinstance(text, str):
        raise ValidationError(msg("colour.format"), field="colour")
    match = _HEX.fullmatch(text.strip())
    if match is None:
        raise ValidationError(msg("colour.format"), field="colour")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits}"


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a colour parse_hex_colour accepts."""
    digits = parse_hex_colour(colour)[1:]

    def channel(byte: int) -> float:
        c = byte / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(digits[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """(lighter + 0.05) / (darker + 0.05): from 1 (the same) to 21 (black on white)."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def readable_on_white(colour: str) -> bool:
    """True when white text on the colour (and the colour as text on white) meets WCAG AA for normal text."""
    return contrast_ratio(colour, WHITE) >= AA_NORMAL_TEXT
