"""Checks of a harvested export; each problem cites desa, table, row and column, never a value.

The residents table may be checked in chunks (``DistrictCheck.people`` once per chunk): rules
that need the whole district (the same NIK in two desa, references between tables) keep compact
arrays of integers rather than the text, and the report comes out as if read in one piece.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from portal.sources.codes import CODE_LISTS, COLUMN_CODE_LIST
from portal.sources.tables import TABLE_KEYS, SourceTables
from portal.sources.wilayah import District, dotted

REQUIRED_COLUMNS = {
    "config": ("id", "kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan"),
    "tweb_wil_clusterdesa": ("id", "rt", "rw", "dusun"),
    "tweb_keluarga": ("id", "no_kk", "nik_kepala"),
    "tweb_penduduk": ("id", "nik", "sex", "tanggallahir", "status_dasar", "id_kk", "id_cluster"),
}
# Codes a count cannot do without: an unknown value here blocks the harvest.
BLOCKING_CODES = ("sex", "status_dasar")
MAX_AGE = 130
# Reported per rule and table before the rest are summarised in one line.
LIMIT_PER_RULE = 50
# Ids written as plain decimal numbers fit an int64 lookup; any other spelling is kept as text.
_CANONICAL_ID = r"^(?:0|[1-9][0-9]{0,17})$"


@dataclass(frozen=True)
class Problem:
    """One finding of the checks; never carries the offending value."""

    severity: str  # "error" blocks the harvest, "warning" is counted and shown
    table: str
    message: str
    desa: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = [f"tabel {self.table}"]
        if self.desa:
            where.insert(0, f"desa {self.desa}")
        if self.row is not None:
            where.append(f"baris {self.row}")
        if self.column:
            where.append(f"kolom {self.column}")
        return f"{self.severity.upper()}: {', '.join(where)}: {self.message}"


@dataclass
class CheckReport:
    """All problems of one harvest."""

    problems: list[Problem] = field(default_factory=list)
    # The optional tables (tables.OPTIONAL_TABLES) present with the columns counting needs.
    optional: list[str] = field(default_factory=list, compare=False)
    # While residents are checked chunk by chunk: rule -> [first problems, hit count].
    pending: dict | None = field(default=None, repr=False, compare=False)
    # Warnings per (dotted desa code, message): every hit, not only the first LIMIT_PER_RULE,
    # for the data-quality report (statistics.quality). Counts only, never a value.
    by_desa: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def errors(self) -> list[Problem]:
        """Problems that block the harvest."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that are reported but do not block."""
        return [p for p in self.problems if p.severity == "warning"]

    def add(self, *args, **kwargs) -> None:
        """Record a problem."""
        self.problems.append(Problem(*args, **kwargs))

    def rule(self, severity: str, table: str, message: str, column: str,
             problems: list[Problem], hits: int) -> None:
        """Record the first problems of one rule and how many rows it hit in all."""
        if self.pending is not None:
            # Rules keep the order of their first call, so chunks report as one table would.
            entry = self.pending.setdefault((severity, table, message, column), [[], 0])
            entry[0].extend(problems[:LIMIT_PER_RULE - len(entry[0])])
            entry[1] += hits
            return
        self.problems.extend(problems[:LIMIT_PER_RULE])
        if hits > LIMIT_PER_RULE:
            self.add(severity, table, f"dan {hits - LIMIT_PER_RULE} baris lain: {message}", column=column)

    def settle(self) -> None:
        """Write out the rules gathered over the chunks, in the order they were first called."""
        pending, self.pending = self.pending or {}, None
        for (severity, table, message, column), (problems, hits) in pending.items():
            self.rule(severity, table, message, column, problems, hits)

    def to_dict(self, limit: int = 1000) -> dict:
        """A JSON-able summary for the harvest record (first ``limit`` problems)."""
        return {"errors": len(self.errors), "warnings": len(self.warnings),
                "problems": [asdict(p) for p in self.problems[:limit]]}


def _arrow(values: pd.Series) -> pa.Array:
    """A text column as a pyarrow string array (nulls kept)."""
    return pa.array(values, type=pa.string(), from_pandas=True)


def _isin(values: pd.Series, allowed) -> pd.Series:
    """Membership test in Arrow: pandas' own isin on Arrow strings loops in Python."""
    allowed = list(allowed) if isinstance(allowed, (set, frozenset, dict)) else allowed
    found = pc.is_in(_arrow(values), value_set=pa.array(allowed, type=pa.string()))
    return pd.Series(pc.fill_null(found, False).to_numpy(zero_copy_only=False), index=values.index)


def _numbers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(is a plain decimal id, its value or 0) for each text id."""
    canonical = pc.fill_null(pc.match_substring_regex(values, _CANONICAL_ID), False)
    text = pc.if_else(canonical, values, "0")
    return (canonical.to_numpy(zero_copy_only=False),
            pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False))


class IdSet:
    """The ids of one table, for "does this reference exist" over many chunks.

    Plain decimal ids live in a sorted int64 array; any other spelling (rare) stays text, so the
    test is exact text equality, as with the whole table at once.
    """

    def __init__(self, parts: list[pa.Array] = ()):
        self._numbers: list[np.ndarray] = []
        self._others: list[pa.Array] = []
        for part in parts:
            self.add(part)
        self.finish()

    def add(self, part: pa.Array) -> None:
        """Take in more ids (call finish() before asking)."""
        canonical, value = _numbers(part)
        # Copies only: a slice of a reader's column would keep its whole block in memory.
        self._numbers.append(value[canonical])
        if not canonical.all():
            self._others.append(part.filter(pa.array(~canonical)))

    def finish(self) -> IdSet:
        """Ready the set for lookups."""
        # Sorted, duplicates and all: searchsorted needs no more, and a sort beats a hash here.
        self.numbers = np.sort(np.concatenate(self._numbers)) if self._numbers else np.zeros(0, np.int64)
        self.others = pa.concat_arrays(self._others) if self._others else pa.array([], pa.string())
        self._numbers, self._others = [], []
        return self

    @classmethod
    def of(cls, values: pd.Series) -> IdSet:
        """The set of a column's values."""
        return cls([_arrow(values)])

    def contains(self, values: pd.Series) -> pd.Series:
        """Whether each value is one of the ids."""
        arrow = _arrow(values)
        canonical, value = _numbers(arrow)
        where = np.searchsorted(self.numbers, value).clip(0, max(len(self.numbers) - 1, 0))
        found = canonical & (self.numbers[where] == value) if len(self.numbers) else canonical & False
        if len(self.others):
            other = pc.fill_null(pc.is_in(arrow, value_set=self.others), False)
            found = found | other.to_numpy(zero_copy_only=False)
        return pd.Series(found, index=values.index)


class _Table:
    """One source table (or a chunk of it) with the desa and row number of each of its rows."""

    def __init__(self, name: str, frame: pd.DataFrame, desa: _Desa):
        self.name = name
        self.frame = frame
        self.desa_labels = desa.labels
        self.desa = desa.codes(frame)
        # Readers give each row its place in the source file; header is row 1.
        self.rows = (pd.to_numeric(frame["_baris"], errors="coerce").to_numpy(dtype="float64")
                     if "_baris" in frame.columns else np.arange(len(frame), dtype="float64") + 2)

    def problems(self, positions, severity: str, column: str, message: str) -> list[Problem]:
        """Problems for the rows at ``positions`` (at most LIMIT_PER_RULE)."""
        return [Problem(severity, self.name, message, desa=self.desa_labels[self.desa[i]],
                        row=None if np.isnan(self.rows[i]) else int(self.rows[i]), column=column)
                for i in positions[:LIMIT_PER_RULE]]

    def flag(self, report: CheckReport, mask: pd.Series, column: str, message: str,
             severity: str = "error") -> None:
        """Report every row where ``mask`` holds (the first LIMIT_PER_RULE, then a count)."""
        hits = np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))
        report.rule(severity, self.name, message, column,
                    self.problems(hits, severity, column, message), len(hits))
        if severity == "warning" and len(hits):
            for place, n in zip(*np.unique(self.desa[hits], return_counts=True)):
                key = (self.desa_labels[place], message)
                report.by_desa[key] = report.by_desa.get(key, 0) + int(n)


class _Desa:
    """Dotted desa code of each config id, as small integers into ``labels``."""

    def __init__(self, by_config: dict[str, str]):
        # Two config ids of one desa code are one desa, as the text would be.
        self.labels = list(dict.fromkeys([*by_config.values(), ""]))
        position = {label: i for i, label in enumerate(self.labels)}
        self.key_label = np.array([position[v] for v in by_config.values()] + [position[""]], np.int32)
        self.keyset = pa.array(list(by_config), type=pa.string())
        # Without a config_id column every row is the one desa of a single-desa export.
        self.only = position[next(iter(by_config.values()), "")]

    def codes(self, frame: pd.DataFrame) -> np.ndarray:
        """Index into ``labels`` for each row ("" when the config id is unknown)."""
        if "config_id" not in frame.columns:
            return np.full(len(frame), self.only, dtype=np.int32)
        found = pc.index_in(_arrow(frame["config_id"]), value_set=self.keyset)
        found = pc.fill_null(found, len(self.key_label) - 1).to_numpy(zero_copy_only=False)
        return self.key_label[found]


def _check_columns(columns: dict[str, list[str]], report: CheckReport) -> None:
    """Report every required column a table lacks."""
    for table, required in REQUIRED_COLUMNS.items():
        for column in required:
            if column not in columns[table]:
                report.add("error", table, "kolom wajib tidak ada", column=column)


def _check_region(config: pd.DataFrame, district: District | None, report: CheckReport) -> None:
    """Desa codes inside the district and known to Kemendagri; names compared, never renamed."""
    table = _Table("config", config, _Desa({}))
    codes = config["kode_desa"].str.strip()
    table.flag(report, ~codes.str.fullmatch(r"\d{10}"), "kode_desa",
               "kode desa harus 10 digit tanpa titik")
    table.flag(report, codes.duplicated(keep=False), "kode_desa", "kode desa muncul lebih dari sekali")
    for column in ("nama_desa", "nama_kecamatan"):
        # Published as they are: a spreadsheet opening the CSV would run a cell like "=HYPERLINK(".
        table.flag(report, config[column].str.contains(r"^\s*[=+\-@]", regex=True), column,
                   "nama diawali tanda rumus spreadsheet (=, +, -, @)")
    if district is None:
        return
    official = {d.kode: d for d in district.desa}
    dotted_codes = codes.map(lambda c: dotted(c) if c.isdigit() and len(c) == 10 else "")
    outside = ~dotted_codes.str.startswith(district.kode + ".")
    table.flag(report, outside, "kode_desa", f"desa di luar {district.nama} ({district.kode})")
    unknown = ~outside & ~_isin(dotted_codes, official)
    table.flag(report, unknown, "kode_desa", "kode desa tidak ada dalam daftar Kemendagri")
    names = config["nama_desa"].str.strip().str.casefold()
    official_names = dotted_codes.map(lambda c: official[c].nama.casefold() if c in official else "")
    table.flag(report, ~outside & ~unknown & (names != official_names), "nama_desa",
               "nama desa berbeda dari daftar Kemendagri (tidak diubah)", severity="warning")
    absent = sorted(set(official) - set(dotted_codes))
    if absent:
        # Desa join the district's OpenSID one by one: one line says how many and which.
        report.add("warning", "config", f"{len(absent)} dari {len(official)} desa dalam daftar "
                   "Kemendagri tidak ada di sumber (belum ada data): " + ", ".join(absent),
                   column="kode_desa")


def _digits(nik: pd.Series, full: pd.Series, start: int, stop: int) -> pd.Series:
    """Two digits of each full NIK as a number (NaN where the NIK is not full)."""
    part = pc.utf8_slice_codeunits(_arrow(nik), start, stop)
    number = pc.cast(pc.if_else(pa.array(full.to_numpy(dtype=bool)), part, "0"), pa.int64())
    return pd.Series(number.to_numpy(zero_copy_only=False), index=nik.index).where(full)


def _repeated(values: np.ndarray) -> np.ndarray:
    """A mask of the entries whose value occurs more than once."""
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    same = ranked[1:] == ranked[:-1]
    mask = np.zeros(len(values), dtype=bool)
    mask[order] = np.r_[False, same] | np.r_[same, False]
    return mask


def _report_residents(report: CheckReport, message: str, column: str, mask: np.ndarray,
                      desa: np.ndarray, rows: np.ndarray, labels) -> None:
    """Fill a tweb_penduduk rule with the rows ``mask`` marks (desa and row, never the value)."""
    hits = np.flatnonzero(mask)
    problems = [Problem("error", "tweb_penduduk", message, desa=labels[desa[i]],
                        row=None if np.isnan(rows[i]) else int(rows[i]), column=column)
                for i in hits[:LIMIT_PER_RULE]]
    report.rule("error", "tweb_penduduk", message, column, problems, len(hits))


class _NikLedger:
    """Every counted NIK of the district as int64, with its desa and place, for duplicates."""

    DUPLICATE_ACROSS = "NIK yang sama terdaftar hidup di dua desa atau lebih"
    DUPLICATE_WITHIN = "NIK yang sama terdaftar dua kali di desa ini"

    def __init__(self):
        self.nik: list[np.ndarray] = []
        self.desa: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []

    def add(self, people: _Table, nik: pd.Series, counted: pd.Series, report: CheckReport) -> None:
        """Remember the counted rows of a chunk; the rules are placed now, filled in at the end."""
        mask = counted.to_numpy(dtype=bool)
        positions = np.flatnonzero(mask)
        # Counted NIK are 16 digits without a leading zero: they fit an int64 exactly.
        numbers = pc.cast(_arrow(nik).filter(pa.array(mask)), pa.int64())
        self.nik.append(numbers.to_numpy(zero_copy_only=False))
        self.desa.append(people.desa[positions])
        self.rows.append(people.rows[positions])
        self.labels = people.desa_labels
        for message in (self.DUPLICATE_ACROSS, self.DUPLICATE_WITHIN):
            report.rule("error", people.name, message, "nik", [], 0)

    def settle(self, report: CheckReport) -> None:
        """Report NIK alive twice: in two desa or more, or twice in one desa."""
        if not self.nik:
            return
        nik, desa, rows = (np.concatenate(self.nik), np.concatenate(self.desa),
                           np.concatenate(self.rows))
        self.nik = self.desa = self.rows = []
        duplicated = _repeated(nik)
        across = np.zeros(len(nik), dtype=bool)
        if duplicated.any():
            dup = np.flatnonzero(duplicated)
            keys = pd.DataFrame({"nik": nik[dup], "desa": desa[dup]})
            spread = keys.groupby("nik")["desa"].nunique()
            across[dup] = keys["nik"].map(spread).to_numpy() > 1
        for mask, message in ((across, self.DUPLICATE_ACROSS), (duplicated & ~across, self.DUPLICATE_WITHIN)):
            _report_residents(report, message, "nik", mask, desa, rows, self.labels)


class _IdLedger:
    """Every resident id of the district (int64 where plain decimal), with its desa and place."""

    DUPLICATE = "id penduduk yang sama muncul lebih dari sekali"

    def __init__(self):
        self.numbers: list[np.ndarray] = []
        self.canonical: list[np.ndarray] = []
        self.others: list[pa.Array] = []  # any other spelling (rare), compared as exact text
        self.desa: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []

    def add(self, people: _Table, report: CheckReport) -> None:
        """Remember a chunk's ids; the rule is placed now (chunks report in order), filled in at the end."""
        ids = _arrow(people.frame["id"])
        canonical, value = _numbers(ids)
        self.numbers.append(value)
        self.canonical.append(canonical)
        if not canonical.all():
            self.others.append(ids.filter(pa.array(~canonical)))
        self.desa.append(people.desa)
        self.rows.append(people.rows)
        self.labels = people.desa_labels
        report.rule("error", people.name, self.DUPLICATE, "id", [], 0)

    def settle(self, report: CheckReport) -> None:
        """Report every row whose id another row of tweb_penduduk has too."""
        if not self.numbers:
            return
        value, canonical = np.concatenate(self.numbers), np.concatenate(self.canonical)
        desa, rows = np.concatenate(self.desa), np.concatenate(self.rows)
        others = pa.concat_arrays(self.others) if self.others else pa.array([], pa.string())
        self.numbers = self.others = self.desa = self.rows = self.canonical = []
        if len(others):
            # Distinct texts as -1, -2, ...: never equal to a plain id, equal to each other exactly.
            codes = pc.index_in(others, value_set=pc.unique(others)).to_numpy(zero_copy_only=False)
            value = value.copy()
            value[~canonical] = -1 - codes.astype(np.int64)
        _report_residents(report, self.DUPLICATE, "id", _repeated(value), desa, rows, self.labels)


def _check_people(people: _Table, refs: dict[str, IdSet], ledger: _NikLedger,
                  reference_date: date, report: CheckReport) -> None:
    """Check residents' codes, dates, references and NIK (one chunk or the whole table)."""
    frame = people.frame
    for column, code_list in COLUMN_CODE_LIST.items():
        if column not in frame.columns:
            continue
        valid = {str(c) for c in CODE_LISTS[code_list]}
        values = frame[column].str.strip()
        if column in BLOCKING_CODES:
            people.flag(report, ~_isin(values, valid), column, "kode tidak dikenal")
        else:
            people.flag(report, (values != "") & ~_isin(values, valid), column,
                        "kode tidak dikenal (dihitung sebagai BELUM MENGISI)", severity="warning")
    born = pd.to_datetime(frame["tanggallahir"].str.strip(), format="%Y-%m-%d", errors="coerce")
    people.flag(report, born.isna(), "tanggallahir", "tanggal tidak valid atau bukan YYYY-MM-DD")
    ref = pd.Timestamp(reference_date)
    people.flag(report, born > ref, "tanggallahir", "tanggal lahir sesudah tanggal referensi")
    people.flag(report, born < ref - pd.DateOffset(years=MAX_AGE), "tanggallahir",
                f"umur lebih dari {MAX_AGE} tahun")
    _check_nik(people, born, ledger, report)
    if "config_id" in frame.columns:
        people.flag(report, ~refs["config"].contains(frame["config_id"]), "config_id",
                    "desa (config_id) tidak ada di tabel config")
    people.flag(report, ~refs["tweb_keluarga"].contains(frame["id_kk"]), "id_kk",
                "keluarga tidak ada di tweb_keluarga")
    people.flag(report, ~refs["tweb_wil_clusterdesa"].contains(frame["id_cluster"]),
                "id_cluster", "wilayah tidak ada di tweb_wil_clusterdesa")


def _check_nik(people: _Table, born: pd.Series, ledger: _NikLedger, report: CheckReport) -> None:
    """Check NIK shape, Excel damage, birth date agreement and repeats across the district."""
    nik = people.frame["nik"].str.strip()
    excel = nik.str.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+")
    people.flag(report, excel, "nik", "NIK dalam notasi ilmiah (dirusak Excel): digit hilang")
    temporary = nik.str.startswith("0")  # NIK sementara, OpenSID's own placeholder
    malformed = ~excel & ~temporary & (nik != "") & ~nik.str.fullmatch(r"\d{16}")
    people.flag(report, malformed, "nik", "NIK harus 16 digit", severity="warning")
    full = nik.str.fullmatch(r"[1-9]\d{15}").fillna(False).astype(bool)
    day = _digits(nik, full, 6, 8)
    female = people.frame["sex"].str.strip() == "2"
    expected_day = born.dt.day + female.astype(int) * 40
    wrong_date = full & born.notna() & ((day != expected_day) | (_digits(nik, full, 8, 10) != born.dt.month))
    people.flag(report, wrong_date, "nik", "bagian tanggal lahir NIK tidak cocok dengan tanggal lahir "
                "dan jenis kelamin", severity="warning")
    alive = people.frame["status_dasar"].str.strip() == "1"
    ledger.add(people, nik, (alive & full).fillna(False).astype(bool), report)


def _check_families(families: _Table, people_ids: IdSet, report: CheckReport) -> None:
    """Check No. KK shape and repeats, and that each family's head is a resident."""
    kk = families.frame["no_kk"].str.strip()
    families.flag(report, (kk != "") & ~kk.str.fullmatch(r"\d{16}"), "no_kk",
                  "No. KK harus 16 digit", severity="warning")
    families.flag(report, (kk != "") & kk.duplicated(keep=False), "no_kk",
                  "No. KK yang sama muncul lebih dari sekali", severity="warning")
    heads = families.frame["nik_kepala"].str.strip()
    families.flag(report, ~people_ids.contains(heads), "nik_kepala",
                  "kepala keluarga tidak ada di tweb_penduduk (keluarga tidak dihitung)",
                  severity="warning")


class DistrictCheck:
    """The checks of one source, with its residents given whole or in chunks."""

    def __init__(self, source: SourceTables, reference_date: date, district: District | None,
                 people_columns: list[str]):
        """Check the small tables now; ``source`` needs config, clusters and families."""
        self.report = CheckReport()
        self.reference_date = reference_date
        self.source = source
        columns = {name: list(source[name].columns) for name in REQUIRED_COLUMNS if name != "tweb_penduduk"}
        _check_columns({**columns, "tweb_penduduk": list(people_columns)}, self.report)
        self.ready = not self.report.errors
        if not self.ready:
            return
        _check_region(source["config"], district, self.report)
        config = source["config"]
        self.desa = _Desa(dict(zip(config["id"], config["kode_desa"].map(
            lambda c: dotted(c) if str(c).isdigit() and len(str(c)) == 10 else str(c)))))
        self.refs = {name: IdSet.of(source[name]["id"])
                     for name in ("config", "tweb_keluarga", "tweb_wil_clusterdesa")}
        self.ledger = _NikLedger()
        self.ids = _IdLedger()
        self.people_ids = IdSet()
        self.report.pending = {}

    def people(self, frame: pd.DataFrame) -> None:
        """Check one chunk of tweb_penduduk (rows in file order, chunks in order)."""
        if not self.ready:
            return
        people = _Table("tweb_penduduk", frame, self.desa)
        _check_people(people, self.refs, self.ledger, self.reference_date, self.report)
        self.ids.add(people, self.report)
        self.people_ids.add(_arrow(frame["id"]))

    def finish(self) -> CheckReport:
        """The whole report, once every chunk has been checked."""
        if self.ready:
            self.ledger.settle(self.report)
            self.ids.settle(self.report)
            self.report.settle()
            ids = self.people_ids.finish()
            families = self.source["tweb_keluarga"]
            _check_families(_Table("tweb_keluarga", families, self.desa), ids, self.report)
            self.report.optional = check_optional(self.source, self.desa, ids, self.reference_date,
                                                  self.report)
        return self.report


def check_tables(source: SourceTables, reference_date: date,
                 district: District | None = None) -> CheckReport:
    """Check structure, region codes, code values, dates, NIK and references of the core tables."""
    people = source["tweb_penduduk"]
    check = DistrictCheck(source, reference_date, district, list(people.columns))
    check.people(people)
    return check.finish()


# ---- The optional tables (issue 16) --------------------------------------------------------
# Columns without which a table cannot be counted: lacking one, the table is not used.
OPTIONAL_COLUMNS = {
    "log_penduduk": ("id", "id_pend", "kode_peristiwa", "tgl_lapor"),
    "log_keluarga": ("id", "id_kk", "id_peristiwa", "tgl_peristiwa"),
    "program": ("id", "nama", "sasaran", "sdate", "edate"),
    "program_peserta": ("id", "program_id", "kartu_id_pend"),
    "tweb_rtm": ("id", "nik_kepala", "no_kk"),
    # Stunting convergence (v23.02+); created_at is the examination date the forms write.
    "posyandu": ("id",),
    "kia": ("id", "ibu_id", "anak_id"),
    "ibu_hamil": ("id_ibu_hamil", "kia_id", "status_kehamilan", "usia_kehamilan", "created_at"),
    "bulanan_anak": ("id_bulanan_anak", "kia_id", "status_gizi", "umur_bulan", "status_tikar",
                     "created_at"),
    "sasaran_paud": ("id_sasaran_paud", "kia_id", "kategori_usia", "created_at"),
}
OPTIONAL_KEYS = TABLE_KEYS
# The stunting tables are counted together: bulanan_anak is usable only with kia and ibu_hamil
# (the scorecard reads all three), so a statistic needing it needs them all.
STUNTING_TOGETHER = {"bulanan_anak": ("kia", "ibu_hamil")}
# Yes/no columns of the convergence services (1 Ya, 0 Tidak; empty counts as Tidak).
YES_NO = {"", "0", "1"}
STUNTING_YES_NO = {
    "ibu_hamil": ("pemeriksaan_kehamilan", "konsumsi_pil_fe", "pemeriksaan_nifas", "konseling_gizi",
                  "kunjungan_rumah", "akses_air_bersih", "kepemilikan_jamban", "jaminan_kesehatan"),
    "bulanan_anak": ("pemberian_imunisasi_dasar", "pengukuran_berat_badan",
                     "pengukuran_tinggi_badan", "konseling_gizi_ayah", "konseling_gizi_ibu",
                     "kunjungan_rumah", "air_bersih", "kepemilikan_jamban", "akta_lahir",
                     "jaminan_kesehatan", "pengasuhan_paud"),
}
PAUD_MONTHS = ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
               "september", "oktober", "november", "desember")
# Whole numbers a row must hold to be counted: (table, column) -> (lowest, highest).
OPTIONAL_RANGES = {("bulanan_anak", "umur_bulan"): (0, 23), ("ibu_hamil", "usia_kehamilan"): (0, 10)}
# Code columns of the optional tables (OpenSID's lists; opensid-more.md) and their codes.
OPTIONAL_CODES = {
    ("log_penduduk", "kode_peristiwa"): {"1", "2", "3", "4", "5", "6"},
    ("log_penduduk", "ref_pindah"): {"", "1", "2", "3", "4"},
    ("log_keluarga", "id_peristiwa"): {"1", "2", "3", "4", "5", "6", "11", "12", "13", "14"},
    ("program", "sasaran"): {"1", "2", "3", "4"},
    ("program", "asaldana"): {"", "Pusat", "Provinsi", "Kab/Kota", "Dana Desa", "Lain-lain (Hibah)"},
    # Stunting (S:app/Models/{IbuHamil,Anak}.php): status_kehamilan NULL = not a scorecard row.
    ("ibu_hamil", "status_kehamilan"): {"", "1", "2", "3"},
    ("bulanan_anak", "status_gizi"): {"1", "2", "3", "4"},
    ("bulanan_anak", "status_tikar"): {"1", "2", "3", "4"},
    ("bulanan_anak", "pemberian_imunisasi_campak"): {"", "0", "1", "2"},
    ("sasaran_paud", "kategori_usia"): {"1", "2"},
    **{(table, column): YES_NO for table, columns in STUNTING_YES_NO.items() for column in columns},
    **{("sasaran_paud", month): {"", "1", "2", "3"} for month in PAUD_MONTHS},
}
# Date columns that must be a date (empty allowed where OpenSID allows NULL) not after the
# reference date; a report dated later is a typing error, and counting it would shift months.
OPTIONAL_DATES = {
    ("log_penduduk", "tgl_lapor"): False, ("log_penduduk", "tgl_peristiwa"): True,
    ("log_keluarga", "tgl_peristiwa"): False,
    # An examination dated after the reference date (a posyandu record in the future).
    ("ibu_hamil", "created_at"): False, ("bulanan_anak", "created_at"): False,
    ("sasaran_paud", "created_at"): False, ("ibu_hamil", "tanggal_melahirkan"): True,
}
# References between tables: (table, column) -> the table whose ids it holds. A row that
# points nowhere is not counted (warning), as a family whose head is missing.
OPTIONAL_REFERENCES = {
    ("log_penduduk", "id_pend"): "tweb_penduduk",
    ("log_keluarga", "id_kk"): "tweb_keluarga",
    ("program_peserta", "program_id"): "program",
    ("program_peserta", "kartu_id_pend"): "tweb_penduduk",
    ("tweb_rtm", "nik_kepala"): "tweb_penduduk",
    ("kia", "ibu_id"): "tweb_penduduk",
    ("kia", "anak_id"): "tweb_penduduk",
    **{(table, column): target for table in ("ibu_hamil", "bulanan_anak", "sasaran_paud")
       for column, target in (("kia_id", "kia"), ("posyandu_id", "posyandu"))},
}
# References OpenSID leaves empty (NULL or 0) by design: a KIA card before the birth.
NULLABLE_REFERENCES = {("kia", "anak_id"), ("ibu_hamil", "posyandu_id"),
                       ("bulanan_anak", "posyandu_id"), ("sasaran_paud", "posyandu_id")}
NOT_COUNTED = "(baris tidak dihitung)"


def _dates(values: pd.Series) -> pd.Series:
    """The date part of a date or timestamp text (NaT when it is not one)."""
    return pd.to_datetime(values.str.strip().str.slice(0, 10), format="%Y-%m-%d", errors="coerce")


def _check_optional_table(table: _Table, ids: dict[str, IdSet], reference_date: date,
                          report: CheckReport) -> None:
    """Keys, desa, codes, dates and references of one optional table (values never cited)."""
    frame, name = table.frame, table.name
    key = OPTIONAL_KEYS.get(name, "id")
    table.flag(report, (frame[key].str.strip() != "") & frame[key].duplicated(keep=False), key,
               "id yang sama muncul lebih dari sekali")
    if "config_id" in frame.columns:
        known = ids["config"].contains(frame["config_id"])
        if name == "program":  # NULL config_id: a programme of the whole kabupaten
            known |= frame["config_id"].str.strip() == ""
        table.flag(report, ~known, "config_id", f"desa (config_id) tidak ada di tabel config {NOT_COUNTED}",
                   severity="warning")
    for (owner, column), codes in OPTIONAL_CODES.items():
        if owner == name and column in frame.columns:
            table.flag(report, ~frame[column].str.strip().isin(codes), column,
                       f"kode tidak dikenal {NOT_COUNTED}", severity="warning")
    end = pd.Timestamp(reference_date)
    for (owner, column), nullable in OPTIONAL_DATES.items():
        if owner != name or column not in frame.columns:
            continue
        when = _dates(frame[column])
        empty = frame[column].str.strip().isin(["", "0000-00-00", "0000-00-00 00:00:00"])
        table.flag(report, when.isna() & ~(empty & nullable), column,
                   f"tanggal tidak valid atau bukan YYYY-MM-DD {NOT_COUNTED}", severity="warning")
        table.flag(report, when > end, column, "tanggal sesudah tanggal referensi", severity="warning")
    if name == "program":
        start, stop = _dates(frame["sdate"]), _dates(frame["edate"])
        table.flag(report, start > stop, "edate", "program berakhir sebelum dimulai", severity="warning")
    for (owner, column), target in OPTIONAL_REFERENCES.items():
        if owner == name and column in frame.columns and target in ids:
            value = frame[column].str.strip()
            empty = value.isin(["", "0"]) if (owner, column) in NULLABLE_REFERENCES else False
            table.flag(report, ~ids[target].contains(value) & ~empty, column,
                       f"menunjuk ke baris {target} yang tidak ada {NOT_COUNTED}", severity="warning")
    for (owner, column), (low, high) in OPTIONAL_RANGES.items():
        if owner == name and column in frame.columns:
            number = pd.to_numeric(frame[column].str.strip(), errors="coerce")
            table.flag(report, ~number.between(low, high) | (number % 1 != 0), column,
                       f"bukan bilangan bulat {low}-{high} {NOT_COUNTED}", severity="warning")
    if name == "program_peserta":
        pair = frame[["program_id", "kartu_id_pend"]]
        table.flag(report, pair.duplicated(keep=False), "kartu_id_pend",
                   "peserta yang sama terdaftar dua kali dalam satu program (dihitung sekali)",
                   severity="warning")
    if name == "tweb_rtm":
        key = frame[["config_id", "no_kk"]] if "config_id" in frame.columns else frame[["no_kk"]]
        table.flag(report, (frame["no_kk"].str.strip() != "") & key.duplicated(keep=False), "no_kk",
                   "nomor rumah tangga yang sama muncul lebih dari sekali", severity="warning")


def check_optional(source: SourceTables, desa: _Desa, people_ids: IdSet, reference_date: date,
                   report: CheckReport) -> list[str]:
    """Check every optional table present; the ones usable for counting (all needed columns)."""
    ids = {"tweb_penduduk": people_ids, "config": IdSet.of(source["config"]["id"]),
           "tweb_keluarga": IdSet.of(source["tweb_keluarga"]["id"])}
    for name in OPTIONAL_COLUMNS:
        key = OPTIONAL_KEYS.get(name, "id")
        if name in source.tables and key in source[name].columns:
            ids[name] = IdSet.of(source[name][key])
    usable = []
    for name, required in OPTIONAL_COLUMNS.items():
        if name not in source.tables:
            continue
        lacking = [c for c in required if c not in source[name].columns]
        for column in lacking:
            report.add("warning", name, "kolom yang diperlukan tidak ada; tabel tidak dipakai",
                       column=column)
        if lacking:
            continue
        _check_optional_table(_Table(name, source[name], desa), ids, reference_date, report)
        usable.append(name)
    for name, partners in STUNTING_TOGETHER.items():
        lacking = [p for p in partners if p not in usable]
        if name in usable and lacking:
            usable.remove(name)
            report.add("warning", name, f"tabel {', '.join(lacking)} tidak ada atau tidak lengkap; "
                       "tabel ini tidak dipakai")
    if {"bulanan_anak", "kia"} <= set(usable):
        _check_child_cards(_Table("bulanan_anak", source["bulanan_anak"], desa), source["kia"], report)
    return usable


def _check_child_cards(rows: _Table, kia: pd.DataFrame, report: CheckReport) -> None:
    """A child's monthly record whose KIA card names no child (anak_id empty) is not counted."""
    childless = IdSet.of(kia.loc[kia["anak_id"].str.strip().isin(["", "0"]), "id"])
    rows.flag(report, childless.contains(rows.frame["kia_id"].str.strip()), "kia_id",
              f"kartu KIA tanpa anak (kia.anak_id kosong) {NOT_COUNTED}", severity="warning")
