from .main_command import main

__all__ = ("main",)
