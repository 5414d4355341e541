"""The command group."""

from __future__ import annotations

import click

from gateway import __version__
from gateway.cli.admin import config, db, hash_password
from gateway.cli.freemail import freemail
from gateway.cli.held import held
from gateway.cli.roster import roster, staff
from gateway.cli.scan import scan
from gateway.cli.serve import serve
from gateway.cli.users import users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="schoolgate")
def main() -> None:
    """schoolgate: outbound email data-loss prevention for UK schools.

    An SMTP relay in front of the school's mail server that checks every outgoing
    message for pupils' full names, unprotected personal data, chain letters and
    personal email addresses, then delivers, warns, holds or refuses it.
    """


main.add_command(serve)
main.add_command(scan)
main.add_command(config)
main.add_command(db)
main.add_command(hash_password)
main.add_command(roster)
main.add_command(staff)
main.add_command(freemail)
main.add_command(held)
main.add_command(users)
