"""The control socket: read-only questions from the command line to a running gateway."""
