from __future__ import annotations

from pendulum.formatting.formatter import Formatter


__all__ = ["Formatter"]
