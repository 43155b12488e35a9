"""
uk custom locale file.
"""
from __future__ import annotations


translations = {
    "units": {"few_second": "кілька секунд"},
    # Relative time
    "ago": "{} тому",
    "from_now": "через {}",
    "after": "через {0}",
    "before": "{0} тому",
    # Date formats
    "date_formats": {
        "LTS": "HH:mm:ss",
        "LT": "HH:mm",
        "L": "DD.MM.YYYY",
        "LL": "D MMMM YYYY",
        "LLL": "D MMMM YYYY, HH:mm",
        "LLLL": "ddd, D MMMM YYYY, HH:mm",
    },
}
