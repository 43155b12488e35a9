from .errors import SchemaParseError, UnsupportedUrlScheme
from .main import BuiltinSchemaLoader, MetaSchemaLoader, SchemaLoader, SchemaLoaderBase

__all__ = (
    "SchemaParseError",
    "UnsupportedUrlScheme",
    "BuiltinSchemaLoader",
    "MetaSchemaLoader",
    "SchemaLoader",
    "SchemaLoaderBase",
)
