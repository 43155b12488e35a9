"""
zh custom locale file.
"""
from __future__ import annotations


translations = {
    # Relative time
    "after": "{0}后",
    "before": "{0}前",
    # Date formats
    "date_formats": {
        "LTS": "Ah点m分s秒",
        "LT": "Ah点mm分",
        "LLLL": "YYYY年MMMD日ddddAh点mm分",
        "LLL": "YYYY年MMMD日Ah点mm分",
        "LL": "YYYY年MMMD日",
        "L": "YYYY-MM-DD",
    },
}
