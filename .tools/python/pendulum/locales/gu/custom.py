"""
gu custom locale file.
"""

translations = {
    "units": {"few_second": "અમુક સેકંડ"},
    # Relative time
    "ago": "{} પહેલાં",
    "from_now": "{} માં",
    "after": "{0} પછી",
    "before": "{0} પહેલાં",
    # Date formats
    "date_formats": {
        "LTS": "h:mm:ss A",
        "LT": "h:mm A",
        "L": "DD/MM/YYYY",
        "LL": "D MMMM YYYY",
        "LLL": "D MMMM YYYY, h:mm A",
        "LLLL": "dddd, D MMMM YYYY, h:mm A",
    },
}
