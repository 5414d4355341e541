"""`python -m gateway` is the `schoolgate` command."""

from gateway.cli import main

main()
