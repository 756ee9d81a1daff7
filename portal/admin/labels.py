"""Labels of audit-log actions in the reader's language (the log stores the stable codes)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "draft": _l("Draf dibuat"),
    "submit": _l("Diajukan"),
    "approve": _l("Disetujui"),
    "reject": _l("Ditolak"),
    "publish": _l("Diterbitkan"),
    "publish_failed": _l("Gagal diterbitkan"),
    "supersede": _l("Digantikan"),
    "withdraw": _l("Ditarik"),
    "edit_metadata": _l("Metadata diubah"),
    "login": _l("Masuk"),
    "login_failed": _l("Gagal masuk"),
    "logout": _l("Keluar"),
    "account_create": _l("Akun dibuat"),
    "account_role": _l("Peran akun diubah"),
    "account_disable": _l("Akun dinonaktifkan"),
    "account_enable": _l("Akun diaktifkan"),
    "password_link": _l("Tautan kata sandi dibuat"),
    "password_set": _l("Kata sandi diatur"),
    "account_membership": _l("Keanggotaan OPD ditetapkan"),
    "api_token_create": _l("Token API dibuat"),
    "api_token_revoke": _l("Token API dicabut"),
    "organization_create": _l("OPD ditambahkan"),
    "organization_update": _l("OPD diubah"),
    "topic_create": _l("Topik ditambahkan"),
    "topic_update": _l("Topik diubah"),
    "topic_delete": _l("Topik dihapus"),
    "topic_set_switch": _l("Kelompok topik dinyalakan atau dimatikan"),
}


def action_label(code: str) -> str:
    """The label of an audit action; an unknown code is shown as it is."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


HARVEST_STATUS_LABELS = {"running": _l("Berjalan"), "ok": _l("Berhasil"), "failed": _l("Gagal")}


def harvest_status_label(code: str) -> str:
    """The label of a harvest run's status."""
    label = HARVEST_STATUS_LABELS.get(code)
    return str(label) if label is not None else code


# The same words as portal.datasets.versions.KIND_LABELS (which the CLI prints), translatable.
KIND_LABELS = {"major": _l("MAJOR: skema atau daftar kode berubah"), "minor": _l("MINOR: data berubah"),
               "patch": _l("PATCH: hanya metadata berubah"), "first": _l("Versi pertama")}


def kind_label(kind: str) -> str:
    """Why a release gets its version number, in the reader's language."""
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


def frequency_label(code: str) -> str:
    """The label of an update frequency stored in a release's metadata ("bulanan" ...)."""
    from portal.core.vocabularies import Frequency

    try:
        return Frequency(code).label
    except ValueError:
        return code
