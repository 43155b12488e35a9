"""
hi custom locale file.
"""

translations = {
    "units": {"few_second": "कुछ सेकंड"},
    # Relative time
    "ago": "{} पहले",
    "from_now": "{} में",
    "after": "{0} बाद",
    "before": "{0} पहले",
    # Date formats
    "date_formats": {
        "LTS": "h:mm:ss A",
        "LT": "h:mm A",
        "L": "DD/MM/YYYY",
        "LL": "D MMMM YYYY",
        "LLL": "D MMMM YYYY h:mm A",
        "LLLL": "dddd, D MMMM YYYY h:mm A",
    },
}
