"""``flask settings``: print the declared settings as the docs' Markdown table, or write it."""
from __future__ import annotations

from pathlib import Path

import click

from portal.core.settings import markdown_table, replace_table


@click.command("settings")
@click.option("--write", "targets", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Replace the table between the markers in this Markdown file (repeatable).")
def settings_command(targets: tuple[Path, ...]) -> None:
    """Print every setting read from the environment (portal/core/settings.py) as a table."""
    if not targets:
        click.echo(markdown_table())
    for target in targets:
        target.write_text(replace_table(target.read_text(encoding="utf-8")), encoding="utf-8")
        click.echo(f"{target}: settings table rewritten")
