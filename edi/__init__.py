"""edi: read, write, build, validate and reconcile X12 837 claims and 835 remittances."""

from edi.errors import EdiError, InputError, ReadError
from edi.x12.reader import iter_events, read_document
from edi.x12.writer import write_document

__all__ = ["EdiError", "InputError", "ReadError", "iter_events", "read_document", "write_document"]
__version__ = "0.1.0"
