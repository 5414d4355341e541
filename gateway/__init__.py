"""schoolgate: the running service (SMTP relay, scanning, policy, storage, console, CLI)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("schoolgate")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"
