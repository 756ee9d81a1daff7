"""Count the tables of village data beyond the register (issue 16) from minimised tables.

Inputs are what the harvest boundary kept (privacy.policy.minimise_table): log rows with
their month of report (``bulan_lapor``), programmes with their published code, and a compact
frame of every resident (id, sex, status_dasar, config_id, id_kk, id_rtm). No personal
value is read here. Each table comes out in compute's shape (every desa x category, by sex).
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from portal.sources.codes import CODE_LISTS
from portal.statistics.catalogue import (
    AKHIR,
    AWAL,
    CITIZENSHIP_BLOCKS,
    DATANG,
    HILANG,
    LAHIR,
    MATI,
    MONTHLY_KELUARGA,
    MONTHLY_PENDUDUK,
    MOVE_DESTINATIONS,
    PINDAH,
    PROGRAMME_CATEGORIES,
    UNFILLED_CODE,
    UNFILLED_LABEL,
    WNA_CODE,
    TableSpec,
    is_register,
)
from portal.statistics.compute import Category, StatTable, _assemble, _positions

# ref_peristiwa (log_penduduk.kode_peristiwa) -> row of the monthly report; 6 (pergi) is not reported.
PERSON_EVENTS = {"1": LAHIR, "2": MATI, "3": PINDAH, "4": HILANG, "5": DATANG}
# log_keluarga.id_peristiwa -> row (1 keluarga baru, 2 KK mati, 3 KK pindah, 4 KK hilang, 5 datang).
FAMILY_EVENTS = {"1": LAHIR, "2": MATI, "3": PINDAH, "4": HILANG, "5": DATANG}
KNOWN_EVENTS = {"1", "2", "3", "4", "5", "6"}
KNOWN_FAMILY_EVENTS = {"1", "2", "3", "4", "5", "6", "11", "12", "13", "14"}
OPENING_PERSON = {"1", "5"}         # latest log before the month: born or arrived
OPENING_FAMILY = {"1", "5", "12"}   # new, arrived, or split off (OpenSID: 1 and 12)
# Columns of the residents frame the village tables read.
LINK_COLUMNS = ("id", "sex", "status_dasar", "config_id", "id_kk", "id_rtm", "warganegara_id")
CORE = ("config", "tweb_wil_clusterdesa", "tweb_keluarga", "tweb_penduduk")
PLAIN_ID = r"^(?:0|[1-9][0-9]{0,17})$"  # a decimal id int64 holds exactly


def report_month(reference_date: date) -> str:
    """"YYYY-MM" of the last complete month on the reference date."""
    if (reference_date + timedelta(days=1)).month != reference_date.month:
        return reference_date.strftime("%Y-%m")
    first = reference_date.replace(day=1) - timedelta(days=1)
    return first.strftime("%Y-%m")


def available(specs, tables: set[str], people_columns: set[str]) -> tuple[list[TableSpec], dict[str, list[str]]]:
    """The specs a source can feed, and for each missing need the tables it leaves undrafted."""
    keep, missing = [], {}
    for spec in specs:
        lacking = [n for n in spec.needs if (n.split(".", 1)[1] not in people_columns if "." in n
                                             else n not in tables)]
        for need in lacking:
            missing.setdefault(need, []).append(spec.name)
        if not lacking:
            keep.append(spec)
    return keep, missing


def drafted(specs, report, people_columns: set[str]) -> list[TableSpec]:
    """The specs this source can feed; one warning per missing table or column (``report.add``).

    ``report.optional`` lists the optional tables present and usable (sources.checks).
    """
    keep, missing = available(specs, {*CORE, *report.optional}, set(people_columns))
    for need, names in missing.items():
        table, _, column = need.partition(".")
        what = f"kolom {column}" if column else "tabel ini"
        report.add("warning", table, f"{what} tidak ada di sumber (ekspor OpenSID versi lama?): tabel "
                   f"statistik {', '.join(names)} tidak dibuat", column=column)
    return keep


def _ids(values: pd.Series) -> np.ndarray:
    """Text ids as int64 (-1 when not a plain number)."""
    arrow = pa.array(values, type=pa.string(), from_pandas=True) if len(values) else None
    if arrow is not None and arrow.null_count == 0 and pc.all(pc.match_substring_regex(arrow, PLAIN_ID)).as_py():
        # Every id a plain decimal number (the usual export): Arrow reads them as pandas would.
        return pc.cast(arrow, pa.int64()).to_numpy(zero_copy_only=False).astype(np.int64)
    return pd.to_numeric(values, errors="coerce").fillna(-1).astype(np.int64).to_numpy()


class _Counter:
    """(desa, category, sex) counts for one table."""

    def __init__(self, desa: pd.DataFrame, cats: list[Category]):
        self.desa = desa
        self.cats = cats
        self.place = {key: i for i, key in enumerate(desa.index)}
        self.index = {c.code: i for i, c in enumerate(cats)}
        # Category code -> position, as an array: codes are small non-negative integers.
        self.lookup = np.full(max(self.index) + 2, -1, dtype=np.int64)
        self.lookup[list(self.index)] = list(self.index.values())
        self.counts = np.zeros((len(desa), len(cats), 2), dtype=np.int64)

    def add(self, config_id: pd.Series, code: np.ndarray, sex: pd.Series) -> None:
        """Count one unit per row: its desa, category code and sex ("1"/"2")."""
        place = _positions(config_id.astype(str).reset_index(drop=True), self.place)
        code = np.asarray(code, dtype=np.int64)
        cat = self.lookup[np.where((code >= 0) & (code < len(self.lookup)), code, len(self.lookup) - 1)]
        sx = _positions(sex.astype(str).reset_index(drop=True), {"1": 0, "2": 1})
        ok = (place >= 0) & (cat >= 0) & (sx >= 0)
        key = (place[ok] * len(self.cats) + cat[ok]) * 2 + sx[ok]
        self.counts += np.bincount(key, minlength=self.counts.size).reshape(self.counts.shape)

    def table(self, spec: TableSpec) -> StatTable:
        """The counted table."""
        return _assemble(spec, self.counts, self.cats, self.desa)


def _cats(labels: dict[int, str]) -> list[Category]:
    return [Category(code, label) for code, label in labels.items()]


def _latest(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The row with the highest id for each ``key`` (OpenSID's MAX(id) per person or family).

    Ordered by id (ties in file order), the last row of each key, as sort_values then
    drop_duplicates(keep="last") gives; positions first, so the frame is taken once.
    """
    ids = _ids(frame["id"])
    order = np.argsort(ids, kind="stable")
    codes, _ = pd.factorize(frame[key], use_na_sentinel=False)
    # The last of each key in that order: the first of each in the reversed order.
    _, first = np.unique(codes[order][::-1], return_index=True)
    kept = order[np.sort(len(order) - 1 - first)]
    return frame.take(kept).assign(_id=ids[kept])


def _close(counter: _Counter, offset: int = 0) -> None:
    """akhir = awal + lahir + datang - mati - pindah - hilang, per desa and sex (rows + offset)."""
    c, i = counter.counts, {code - offset: pos for code, pos in counter.index.items()}
    c[:, i[AKHIR]] = (c[:, i[AWAL]] + c[:, i[LAHIR]] + c[:, i[DATANG]]
                      - c[:, i[MATI]] - c[:, i[PINDAH]] - c[:, i[HILANG]])


class Residents:
    """The residents frame indexed by id once, so every table's lookups share one hash index.

    Indexing 470,000 text ids (uniqueness, hash table) costs more than most of the lookups;
    count_village builds this once and hands it to each table instead of the bare frame.
    """

    def __init__(self, people: pd.DataFrame):
        self.frame = people
        self.columns = people.columns
        self.by_id = people.set_index("id")
        self._living: pd.DataFrame | None = None
        self._citizenship: pd.Series | None = None
        self._keys: pa.Array | None = None

    @property
    def living(self) -> pd.DataFrame:
        """Living residents (status_dasar 1), indexed by id."""
        if self._living is None:
            self._living = self.by_id[self.by_id["status_dasar"] == "1"]
        return self._living

    @property
    def citizenship(self) -> pd.Series:
        """warganegara_id stripped, by id."""
        if self._citizenship is None:
            self._citizenship = self.by_id["warganegara_id"].astype(str).str.strip()
        return self._citizenship

    def lookup(self, values: pd.Series, ids: pd.Series) -> pd.Series:
        """``values.reindex(ids)`` for a column of ``by_id`` (None where an id is absent).

        With unique text ids the rows are found by Arrow (pandas converts both sides to
        Python objects on every reindex); otherwise pandas' reindex, which refuses repeats.
        """
        try:
            if not self.by_id.index.is_unique:
                raise ValueError("ids repeat")
            if self._keys is None:
                self._keys = pa.array(self.by_id.index, type=pa.string(), from_pandas=True)
            found = pc.index_in(pa.array(ids, type=pa.string(), from_pandas=True), value_set=self._keys)
            taken = pa.array(values, from_pandas=True).take(found)
        except (ValueError, pa.ArrowInvalid, pa.ArrowTypeError):
            return values.reindex(ids)
        return pd.Series(taken.to_numpy(zero_copy_only=False), dtype=object)


def _residents(people) -> Residents:
    """``people`` as Residents (a bare frame is indexed here)."""
    return people if isinstance(people, Residents) else Residents(people)


def _block(people, ids: pd.Series) -> np.ndarray:
    """The citizenship block offset of each person (OpenSID: WNA = code 2, WNI = any other)."""
    people = _residents(people)
    wna = people.lookup(people.citizenship, ids).to_numpy() == WNA_CODE
    return np.where(wna, CITIZENSHIP_BLOCKS["WNA"], CITIZENSHIP_BLOCKS["WNI"])


def _add_by_citizenship(counter: _Counter, config_id: pd.Series, codes: np.ndarray, sex: pd.Series,
                        people: Residents, ids: pd.Series) -> None:
    """Count rows once in the totals (codes 1-7) and once in their citizenship block."""
    codes = np.asarray(codes, dtype=np.int64)
    counter.add(config_id, codes, sex)
    counter.add(config_id, codes + _block(people, ids), sex)


def monthly_people(spec: TableSpec, logs: pd.DataFrame, people, desa: pd.DataFrame,
                   month: str) -> StatTable:
    """Laporan bulanan penduduk: OpenSID's current formulas (see the spec's method note).

    ``people``: the residents frame, or Residents of it.
    """
    counter = _Counter(desa, _cats(MONTHLY_PENDUDUK))
    people = _residents(people)
    if "warganegara_id" not in people.columns:  # an export without it: everyone WNI, as OpenSID
        people = Residents(people.frame.assign(warganegara_id=""))
    sex = people.by_id["sex"]
    # A row the checks flagged (no month, a code outside ref_peristiwa) is not counted at all.
    logs = logs[(logs["bulan_lapor"] != "") & logs["kode_peristiwa"].str.strip().isin(KNOWN_EVENTS)]
    before = _latest(logs[logs["bulan_lapor"] < month], "id_pend")
    opening = before[before["kode_peristiwa"].str.strip().isin(OPENING_PERSON)]
    _add_by_citizenship(counter, opening["config_id"], np.full(len(opening), AWAL),
                        people.lookup(sex, opening["id_pend"]).fillna(""), people, opening["id_pend"])
    now = logs[(logs["bulan_lapor"] == month) & logs["kode_peristiwa"].str.strip().isin(PERSON_EVENTS)]
    codes = now["kode_peristiwa"].str.strip().map(PERSON_EVENTS).to_numpy()
    _add_by_citizenship(counter, now["config_id"], codes, people.lookup(sex, now["id_pend"]).fillna(""),
                        people, now["id_pend"])
    for offset in (0, *CITIZENSHIP_BLOCKS.values()):
        _close(counter, offset)
    return counter.table(spec)


def moves_out(spec: TableSpec, logs: pd.DataFrame, people, desa: pd.DataFrame,
              month: str) -> StatTable:
    """Rincian pindah keluar: this month's kode-3 rows by ref_pindah (unknown: 1, OpenSID's default)."""
    counter = _Counter(desa, _cats(MOVE_DESTINATIONS))
    people = _residents(people)
    sex = people.by_id["sex"]
    out = logs[(logs["bulan_lapor"] == month) & (logs["kode_peristiwa"].str.strip() == "3")]
    where = out["ref_pindah"].str.strip() if "ref_pindah" in out.columns else pd.Series("1", index=out.index)
    codes = where.where(where.isin([str(c) for c in MOVE_DESTINATIONS]), "1").astype(int).to_numpy()
    counter.add(out["config_id"], codes, people.lookup(sex, out["id_pend"]).fillna(""))
    return counter.table(spec)


def monthly_families(spec: TableSpec, family_logs: pd.DataFrame, logs: pd.DataFrame,
                     families: pd.DataFrame, desa: pd.DataFrame, month: str) -> StatTable:
    """Laporan bulanan keluarga: family events by the head's sex, month from the linked log."""
    counter = _Counter(desa, _cats(MONTHLY_KELUARGA))
    head_sex = families.set_index("id")["kepala_sex"]
    linked = logs.set_index("id")["bulan_lapor"]
    frame = family_logs.copy()
    own = frame["bulan_peristiwa"] if "bulan_peristiwa" in frame.columns else pd.Series("", index=frame.index)
    via = (linked.reindex(frame["id_log_penduduk"]).to_numpy() if "id_log_penduduk" in frame.columns
           else np.full(len(frame), np.nan, dtype=object))
    frame["bulan"] = pd.Series(via, index=frame.index).fillna("").where(lambda s: s != "", own)
    frame = frame[(frame["bulan"] != "") & frame["id_peristiwa"].str.strip().isin(KNOWN_FAMILY_EVENTS)]
    event = frame["id_peristiwa"].str.strip()
    before = _latest(frame[frame["bulan"] < month], "id_kk")
    opening = before[before["id_peristiwa"].str.strip().isin(OPENING_FAMILY)]
    counter.add(opening["config_id"], np.full(len(opening), AWAL),
                head_sex.reindex(opening["id_kk"]).fillna(""))
    now = frame[(frame["bulan"] == month) & event.isin(FAMILY_EVENTS)]
    counter.add(now["config_id"], now["id_peristiwa"].str.strip().map(FAMILY_EVENTS).to_numpy(),
                head_sex.reindex(now["id_kk"]).fillna(""))
    _close(counter)
    return counter.table(spec)


def active_programmes(programmes: pd.DataFrame, reference_date: date) -> pd.DataFrame:
    """Programmes running on the reference date (OpenSID rewrites status from edate the same way)."""
    day = reference_date.isoformat()
    start = programmes["sdate"].str.slice(0, 10) if "sdate" in programmes.columns else ""
    end = programmes["edate"].str.slice(0, 10) if "edate" in programmes.columns else ""
    status = programmes["status"].str.strip() if "status" in programmes.columns else "1"
    started = (start == "") | (start <= day)
    running = (end > day) | (((end == day) | (end == "")) & (status == "1"))
    return programmes[started & running]


def aid(spec: TableSpec, programmes: pd.DataFrame, recipients: pd.DataFrame, people,
        families: pd.DataFrame, households: pd.DataFrame | None, desa: pd.DataFrame,
        reference_date: date) -> StatTable:
    """Recipients of one target kind per published programme code: each unit once per code."""
    from portal.statistics.catalogue import AID_TARGETS

    counter = _Counter(desa, _cats(PROGRAMME_CATEGORIES))
    active = active_programmes(programmes, reference_date)
    active = active[active["sasaran"].str.strip().map(AID_TARGETS) == spec.unit]
    code = active.set_index("id")["kode_program"]
    rows = recipients[recipients["program_id"].isin(code.index)]
    living = _residents(people).living
    holder = living.reindex(rows["kartu_id_pend"])
    units = pd.DataFrame({"kode": code.reindex(rows["program_id"]).to_numpy(),
                          "config_id": holder["config_id"].to_numpy(), "sex": holder["sex"].to_numpy(),
                          "unit": holder.index.to_numpy()})
    if spec.unit == "keluarga":
        fams = families[families["aktif"].to_numpy(dtype=bool)].set_index("id")
        fam = fams.reindex(holder["id_kk"].to_numpy())
        units = units.assign(unit=holder["id_kk"].to_numpy(), config_id=fam["config_id"].to_numpy(),
                             sex=fam["kepala_sex"].to_numpy())
    elif spec.unit == "rumah_tangga":
        # OpenSID gives a household's card to its head (tweb_rtm.nik_kepala); a card held by a
        # member reaches the household through tweb_penduduk.id_rtm when the export has it.
        heads = _household_heads(households, living)
        by_head = pd.Series(heads.index, index=heads["head"].to_numpy())
        by_head = by_head[~by_head.index.duplicated()]
        member = holder["config_id"].fillna("").to_numpy() + "|" + holder["id_rtm"].fillna("").to_numpy()
        key = by_head.reindex(holder.index).fillna(pd.Series(member, index=holder.index)).to_numpy()
        head = heads.reindex(key)
        units = units.assign(unit=key, config_id=head["config_id"].to_numpy(), sex=head["sex"].to_numpy())
    units = units.dropna().drop_duplicates(subset=["kode", "unit"])
    counter.add(units["config_id"], units["kode"].astype(int).to_numpy(), units["sex"])
    return counter.table(spec)


def _household_heads(households: pd.DataFrame, living: pd.DataFrame) -> pd.DataFrame:
    """Each household ("config_id|no_kk") with its living head's desa, sex and family."""
    head = living.reindex(households["nik_kepala"])
    frame = pd.DataFrame({"config_id": head["config_id"].to_numpy(), "sex": head["sex"].to_numpy(),
                          "id_kk": head["id_kk"].to_numpy(), "head": households["nik_kepala"].to_numpy()},
                         index=(households["config_id"] + "|" + households["no_kk"].str.strip()).to_numpy())
    frame = frame[~frame.index.duplicated(keep="first")]
    return frame.dropna(subset=["config_id"])


def households_by_class(spec: TableSpec, households: pd.DataFrame, people,
                        families: pd.DataFrame, desa: pd.DataFrame) -> StatTable:
    """Households with a living head, by the welfare class of the head's family and the head's sex."""
    labels = {**CODE_LISTS["kelas_sosial"], UNFILLED_CODE: UNFILLED_LABEL}
    counter = _Counter(desa, _cats(labels))
    heads = _household_heads(households, _residents(people).living)
    kelas = families.set_index("id")["kelas_sosial"].str.strip() if "kelas_sosial" in families.columns else None
    cls = (kelas.reindex(heads["id_kk"]).fillna("") if kelas is not None
           else pd.Series("", index=heads.index))
    known = cls.isin([str(c) for c in CODE_LISTS["kelas_sosial"]])
    codes = np.where(known, pd.to_numeric(cls, errors="coerce").fillna(0), UNFILLED_CODE).astype(int)
    counter.add(heads["config_id"], codes, heads["sex"])
    return counter.table(spec)


def count_village(specs, frames: dict[str, pd.DataFrame], people: pd.DataFrame, families: pd.DataFrame,
                  desa: pd.DataFrame, reference_date: date) -> list[StatTable]:
    """Every non-register table of ``specs`` (the caller keeps only those its source can feed)."""
    month = report_month(reference_date)
    people = Residents(people.assign(**{c: "" for c in LINK_COLUMNS if c not in people.columns}))
    out = []
    for spec in specs:
        if is_register(spec):
            continue
        if spec.dimension == "peristiwa" and spec.unit == "penduduk":
            out.append(monthly_people(spec, frames["log_penduduk"], people, desa, month))
        elif spec.dimension == "peristiwa":
            out.append(monthly_families(spec, frames["log_keluarga"], frames["log_penduduk"], families,
                                        desa, month))
        elif spec.dimension == "pindah":
            out.append(moves_out(spec, frames["log_penduduk"], people, desa, month))
        elif spec.dimension == "bantuan":
            out.append(aid(spec, frames["program"], frames["program_peserta"], people, families,
                           frames.get("tweb_rtm"), desa, reference_date))
        elif spec.dimension == "rumah_tangga":
            out.append(households_by_class(spec, frames["tweb_rtm"], people, families, desa))
        else:
            raise ValueError(f"dimensi tabel tidak dikenal: {spec.dimension}")
    return out
