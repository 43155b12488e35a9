"""
ru custom locale file.
"""
from __future__ import annotations


translations = {
    # Relative time
    "ago": "{} назад",
    "from_now": "через {}",
    "after": "{0} после",
    "before": "{0} до",
    # Date formats
    "date_formats": {
        "LTS": "HH:mm:ss",
        "LT": "HH:mm",
        "L": "DD.MM.YYYY",
        "LL": "D MMMM YYYY г.",
        "LLL": "D MMMM YYYY г., HH:mm",
        "LLLL": "dddd, D MMMM YYYY г., HH:mm",
    },
}
