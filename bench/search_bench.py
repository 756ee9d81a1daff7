"""Search quality and speed of the one read path: the /dataset page and package_search.

Builds the demo catalogue in a throwaway SQLite database: the 19 statistic tables of
``portal.statistics.catalogue`` (their real titles, descriptions, tags, topics and OPDs),
each published once and indexed as publishing does, plus ``--clones`` renamed copies
for a larger catalogue. Then, through the Flask test client (no page cache):

* quality: labelled queries with the datasets a reader expects ("kependudukan" finds
  "penduduk"...), precision and recall of the page and of package_search;
* speed: per-query time of the page and of package_search over a mix of words, stems,
  phrases, facets, sorts and pages, and of the worst-case requests of issue 12.

    .venv/bin/python bench/search_bench.py [--clones N] [--repeat R]
"""
from __future__ import annotations

import argparse
import logging
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from portal import create_app  # noqa: E402
from portal.core.vocabularies import ReleaseStatus  # noqa: E402
from portal.datasets.models import Dataset, Organization, Release, ReleaseFile  # noqa: E402
from portal.datasets.signals import catalog_changed  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.statistics.catalogue import CATALOGUE, ORGANIZATIONS  # noqa: E402

RESULT_LINK = re.compile(r'<h2><a href="/dataset/([^"/]+)">')
T0 = datetime(2026, 11, 1, 8, 0)
# Query -> the demo datasets a reader expects (judged by hand from titles, descriptions, tags).
LABELLED = {
    "kependudukan": None,  # None: every dataset about residents (all but keluarga-menurut-kelas-sosial)
    "kelahiran": {"kepemilikan-akta-kelahiran"},
    "lahir": {"kepemilikan-akta-kelahiran"},
    # (KTP-el is owed from 17 or once married: its description says "kawin".)
    "kawin": {"penduduk-menurut-status-perkawinan", "akseptor-kb", "kepemilikan-ktp"},
    "perkawinan": {"penduduk-menurut-status-perkawinan", "akseptor-kb", "kepemilikan-ktp"},
    "hamil": {"status-kehamilan"},
    "sakit": {"penduduk-menurut-penyakit-menahun"},
    "sekolah": {"penduduk-menurut-pendidikan-sedang-ditempuh"},
    "didik": {"penduduk-menurut-pendidikan-dalam-kk", "penduduk-menurut-pendidikan-sedang-ditempuh"},
    "kerja": {"penduduk-menurut-pekerjaan"},
    "tenaga kerja": {"penduduk-menurut-pekerjaan"},
    # (religion is published by the Bagian Kesejahteraan Rakyat.)
    "sejahtera": {"keluarga-menurut-kelas-sosial", "penduduk-menurut-agama"},
    "disabilitas": {"penduduk-menurut-disabilitas"},
    "golongan darah": {"penduduk-menurut-golongan-darah"},
    "asuransi kesehatan": {"penduduk-menurut-asuransi-kesehatan"},
    "kewarganegaraan": {"penduduk-menurut-warga-negara"},
    "akta kelahiran": {"kepemilikan-akta-kelahiran"},
    "ktp elektronik": {"kepemilikan-ktp"},
    "religion": {"penduduk-menurut-agama"},
    # Roots that an affix stripper without a dictionary recodes wrongly (pengendalian, perekaman,
    # kepemilikan, berencana); a reader types the root.
    "kendali": {"akseptor-kb"},
    "rencana": {"akseptor-kb"},
    "rekam": {"kepemilikan-ktp"},
    "milik": {"kepemilikan-akta-kelahiran", "kepemilikan-ktp"},
    "pregnancy": {"status-kehamilan"},
}
# The page's URL arguments and the package_search parameters that ask the same question.
SPEED = [
    ({"q": "penduduk"}, {"q": "penduduk"}),
    ({"q": "kependudukan"}, {"q": "kependudukan"}),
    ({"q": "jenis kelamin desa"}, {"q": "jenis kelamin desa"}),
    ({"q": "kesehatan", "sort": "name"}, {"q": "kesehatan", "sort": "title_string asc"}),
    ({"topic": "kesehatan"}, {"fq": "groups:kesehatan"}),
    ({"q": "umur", "tag": "demografi"}, {"q": "umur", "fq": "tags:demografi"}),
    ({"sort": "updated", "page": "2"}, {"sort": "metadata_modified desc", "start": "20", "rows": "20"}),
    ({"q": "akta kelahiran"}, {"q": "akta kelahiran"}),
]
WORST = {
    "q = 2,000 'zz*' OR'ed": {"q": " OR ".join(["zz*"] * 2000)},
    "q = 3,000 '('": {"q": "(" * 3000},
    "fq = NOW-999999999999DAYS": {"fq": "metadata_modified:[NOW-999999999999DAYS TO *]"},
    "q = 200 words": {"q": " ".join(f"kata{i}" for i in range(200))},
    "fq = 500 OR'ed orgs": {"fq": " OR ".join(f"organization:o{i}" for i in range(500))},
    # The most work a query within the bounds can ask for (64 clauses).
    "q = 64 OR'ed words": {"q": " OR ".join(f"kata{i}*" for i in range(64))},
    "q = 64 OR'ed res_description:": {"q": " OR ".join(f"res_description:kata{i}" for i in range(64))},
    "q = 64 OR'ed name wildcards": {"q": " OR ".join(f"name:*a*b*c*d{i}" for i in range(64))},
}


def build(clones: int) -> None:
    """Publish the statistic tables (and clones) and index them as publishing does."""
    orgs = {name: Organization(name=name, title=title, description=f"OPD {title}")
            for name, title in ORGANIZATIONS.items()}
    db.session.add_all(orgs.values())
    at = T0
    for copy in range(clones + 1):
        for spec in CATALOGUE:
            at += timedelta(minutes=7)
            suffix = f"-{copy}" if copy else ""
            ds = Dataset(name=spec.name + suffix, title=spec.title + (f" {copy}" if copy else ""),
                         title_en=spec.title_en, description=spec.description,
                         description_en=spec.description_en, privacy_class=spec.privacy_class,
                         topic=spec.topic, tags=list(spec.tags),
                         organization=orgs[spec.organization])
            release = Release(dataset=ds, version="1.0.0", status=ReleaseStatus.PUBLISHED,
                              reference_date=date(2026, 11, 1), change_note="Rilis pertama.",
                              schema_hash="s" * 64, data_hash="d" * 64, published_at=at)
            release.files = [ReleaseFile(name=f"{ds.name}.{f}", format=f, media_type="text/plain",
                                         bytes=1, sha256="0" * 64) for f in ("csv", "json", "zip")]
            db.session.add(ds)
            db.session.flush()
            catalog_changed.send(ds)
    db.session.commit()


def page_names(client, args: dict) -> list[str]:
    """Dataset names listed by /dataset for these URL arguments."""
    return RESULT_LINK.findall(client.get("/dataset", query_string=args).get_data(as_text=True))


def api_names(client, params: dict) -> list[str]:
    """Dataset names package_search returns for these parameters."""
    body = client.get("/api/3/action/package_search", query_string=params).get_json()
    return [p["name"] for p in body["result"]["results"]] if body.get("success") else []


def quality(client, everything: set[str]) -> dict[str, tuple[float, float]]:
    """Mean (precision, recall) over the labelled queries, for the page and the API."""
    scores: dict[str, list[tuple[float, float]]] = {"page": [], "api": []}
    for q, expected in LABELLED.items():
        expected = expected or everything - {"keluarga-menurut-kelas-sosial"}
        found = {"page": set(page_names(client, {"q": q})) | set(page_names(client, {"q": q, "page": 2})),
                 "api": set(api_names(client, {"q": q, "rows": 1000}))}
        for face, names in found.items():
            hit = len(names & expected)
            scores[face].append((hit / len(names) if names else 0.0, hit / len(expected)))
            if names != expected:
                print(f"  {face:4} {q!r}: missed {sorted(expected - names)} extra {sorted(names - expected)}")
    return {face: (statistics.mean(p for p, _ in s), statistics.mean(r for _, r in s))
            for face, s in scores.items()}


def timed(call, repeat: int) -> float:
    """Median milliseconds of ``call()`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    """Build, measure, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clones", type=int, default=0, help="renamed copies of the 19 tables")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the built releases have no datapackage.json on disk
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.sqlite3",
                          "STORAGE_DIR": f"{tmp}/storage", "INSTANCE_PATH": f"{tmp}/instance",
                          "SECRET_KEY": "bench", "PAGE_CACHE": False, "API_RATE_LIMIT": 0})
        with app.app_context():
            upgrade()
            build(args.clones)
            count = db.session.query(Dataset).count()
            client = app.test_client()
            print(f"catalogue: {count} published datasets")
            if args.clones == 0:
                for face, (p, r) in quality(client, set(page_names(client, {"page": 1})) |
                                            set(page_names(client, {"page": 2}))).items():
                    print(f"quality {face}: precision {p:.2f} recall {r:.2f} over {len(LABELLED)} queries")
            page_ms = [timed(lambda a=a: client.get("/dataset", query_string=a), args.repeat) for a, _ in SPEED]
            api_ms = [timed(lambda p=p: client.get("/api/3/action/package_search", query_string=p),
                            args.repeat) for _, p in SPEED]
            print(f"page /dataset: median of per-query medians {statistics.median(page_ms):.1f} ms, "
                  f"max {max(page_ms):.1f} ms")
            print(f"package_search: median of per-query medians {statistics.median(api_ms):.1f} ms, "
                  f"max {max(api_ms):.1f} ms")
            for label, params in WORST.items():
                # GET: an attacker needs no body (a POST body has its own size limit).
                ms = timed(lambda p=params: client.get("/api/3/action/package_search", query_string=p),
                           max(3, args.repeat // 4))
                status = client.get("/api/3/action/package_search", query_string=params).status_code
                print(f"worst case {label}: {ms:.1f} ms, HTTP {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
