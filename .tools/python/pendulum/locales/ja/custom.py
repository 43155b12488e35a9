"""
ja custom locale file.
"""
from __future__ import annotations


translations = {
    "units": {"few_second": "数秒"},
    # Relative time
    "ago": "{} 前に",
    "from_now": "今から {}",
    "after": "{0} 後",
    "before": "{0} 前",
    # Date formats
    "date_formats": {
        "LTS": "HH:mm:ss",
        "LT": "HH:mm",
        "L": "YYYY/MM/DD",
        "LL": "YYYY年M月D日",
        "LLL": "YYYY年M月D日 HH:mm",
        "LLLL": "YYYY年M月D日 dddd HH:mm",
    },
}
