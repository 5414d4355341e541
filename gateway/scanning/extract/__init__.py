"""Text and protection facts from attached files.

`extract_file` identifies a file by its content (not its name or declared type),
records a PartInfo for it, and adds its readable text to the collector. Each format
lives in its own module; archives and attached messages recurse through the same
entry point with the shared limits.

`extract_file` is in `dispatch`, not re-exported here: importing this package (for
`Limits`) must not load every format's library into a process that parses nothing.
"""

from gateway.scanning.extract.context import Collector, LimitExceeded, Limits

__all__ = ["Collector", "LimitExceeded", "Limits"]
