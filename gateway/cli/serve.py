"""`schoolgate serve`."""

from __future__ import annotations

from pathlib import Path

import click

from gateway.cli.common import config_options, load_config, run, setup_logging
from gateway.hold.crypto import HoldKeyError
from gateway.scanning.pool import start_forkserver
from gateway.storage.engine import StoreError


@click.command()
@config_options
@click.option("--listen", metavar="HOST:PORT", help="SMTP listen address (overrides smtp.listen).")
@click.option(
    "--next-hop", metavar="HOST:PORT", help="Where scanned mail goes (overrides relay.next_hop)."
)
@click.option("--web", metavar="HOST:PORT", help="Web console address (overrides web.listen).")
def serve(
    config_path: Path | None,
    data_dir: Path | None,
    listen: str | None,
    next_hop: str | None,
    web: str | None,
) -> None:
    """Run the gateway: receive, scan, decide, then deliver, hold or refuse.

    With no configuration it listens on 127.0.0.1:2525, keeps its database under ./var
    and, with no next hop, saves delivered mail as .eml files in ./var/outbox.
    """
    config = load_config(
        config_path,
        data_dir,
        {"smtp.listen": listen, "relay.next_hop": next_hop, "web.listen": web},
    )
    setup_logging(config.log_level)
    # The scan workers' forkserver imports the detectors while this process imports
    # the server and the web app: started first, the two overlap on separate CPUs.
    start_forkserver(config.active_detectors)
    from gateway.server import serve as run_gateway

    try:
        run(run_gateway(config))
    except (StoreError, HoldKeyError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
