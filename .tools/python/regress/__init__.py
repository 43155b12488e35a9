from .regress import *

__doc__ = regress.__doc__
if hasattr(regress, "__all__"):
    __all__ = regress.__all__