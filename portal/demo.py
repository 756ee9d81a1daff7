"""The demo district: seeded accounts, a generated export, a first approved release."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.auth.models import Role
from portal.auth.services import create_user, find_user
from portal.datasets import services as releases
from portal.extensions import db
from portal.harvest.service import harvest

# The generator's own reference date, so the demo's numbers do not drift day by day.
DEMO_REFERENCE_DATE = date(2026, 11, 1)
DEMO_SEED = 2026
DEMO_USERS = (
    ("walidata@demo.tabanan.go.id", "walidata-demo", Role.WALIDATA, "Walidata Demo"),
    ("produsen@demo.tabanan.go.id", "produsen-demo", Role.PRODUSEN, "Produsen Demo"),
)


def ensure_demo_users() -> dict[Role, object]:
    """Create the two demo accounts if they do not exist yet."""
    users = {}
    for email, password, role, name in DEMO_USERS:
        # The demo's passwords are published in the README, so the strength rules do not apply.
        user = find_user(email) or create_user(email, password + "-2026", role, name, check_strength=False)
        users[role] = user
    db.session.commit()
    return users


def ensure_demo_export(residents: int) -> Path:
    """Generate the demo district export under the instance folder unless it is there."""
    from portal.demogen.generator import generate_district
    from portal.sources.wilayah import load_district

    out = Path(current_app.instance_path) / "demo-district"
    if not (out / "tweb_penduduk.csv").exists():
        click.echo(f"Membuat distrik demo ({residents} penduduk) di {out} ...")
        generate_district(out, residents=residents, seed=DEMO_SEED, fmt="csv",
                          district=load_district(current_app.config["DISTRICT_CODE"]))
    return out


def publish_demo(residents: int) -> list:
    """Harvest the demo export and take every new draft through submit and approval."""
    users = ensure_demo_users()
    source = ensure_demo_export(residents)
    result = harvest(str(source), DEMO_REFERENCE_DATE, users[Role.PRODUSEN])
    published = []
    for draft in result.drafts:
        releases.submit(draft, users[Role.PRODUSEN], "Rilis data demo hasil panen OpenSID.")
        db.session.commit()
        published.append(releases.approve(draft, users[Role.WALIDATA], "Disetujui (demo)."))
    return published


@click.command("demo")
@click.option("--residents", default=lambda: current_app.config["DEMO_RESIDENTS"],
              type=click.IntRange(min=1330), show_default="DEMO_RESIDENTS, 470000")
@with_appcontext
def demo_command(residents: int) -> None:
    """Seed demo users, generate and harvest the demo district, publish what changed."""
    published = publish_demo(residents)
    for release in published:
        click.echo(f"Terbit: {release.dataset.name} versi {release.version}")
    if not published:
        click.echo("Tidak ada perubahan: tidak ada rilis baru.")
    click.echo("Akun demo:")
    for email, password, role, _ in DEMO_USERS:
        click.echo(f"  {role.label:14} {email} / {password}-2026")
