"""What the app counts as a visible character: the Unicode rule every name, description and URL host meets.

A character is invisible when Unicode says it shows nothing on its own: a default-ignorable code point
(variation selectors, tag characters, Mongolian free variation selectors, musical formatting, fillers),
a format character (category Cf), a space or separator, or a combining mark with nothing to combine with.
"""

import unicodedata

# Default_Ignorable_Code_Point, from Unicode's DerivedCoreProperties.txt (stable since Unicode 6.1: the
# property is reserved for these ranges, assigned or not).
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Drawn as blank space though Unicode gives them a letter's or symbol's category: the Braille blank and
# the Hangul fillers that are not default-ignorable.
BLANK = frozenset({0x2800, 0x3164, 0x115F, 0x1160, 0xFFA0})
# Spaces and separators, controls, format characters, surrogates, and marks (a mark alone is drawn on
# nothing, so a run of marks is not a visible name).
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Mn", "Me"})


def is_invisible(char: str) -> bool:
    """Whether ``char`` shows nothing on its own."""
    code = ord(char)
    return (
        code in BLANK
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or any(low <= code <= high for low, high in DEFAULT_IGNORABLE)
    )


def is_hidden(char: str) -> bool:
    """Whether ``char`` is a format or default-ignorable character: in a URL it hides what the link is."""
    code = ord(char)
    return unicodedata.category(char) == "Cf" or any(low <= code <= high for low, high in DEFAULT_IGNORABLE)


def has_visible_character(text: str) -> bool:
    """Whether ``text`` is not empty once every invisible character is taken out."""
    return any(not is_invisible(char) for char in text)
