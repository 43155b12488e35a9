from .iso8601_time import validate as validate_time
from .rfc3339 import validate as validate_rfc3339

__all__ = ("validate_rfc3339", "validate_time")
