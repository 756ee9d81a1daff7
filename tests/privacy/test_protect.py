"""The threshold rule and secondary suppression of the first privacy layer."""
import pandas as pd
import pytest

from portal.datasets.vocabularies import PrivacyClass
from portal.privacy.protect import protect
from portal.statistics.catalogue import TableSpec
from portal.statistics.compute import Category, StatTable


def _table(rows, privacy_class=PrivacyClass.GENERAL):
    spec = TableSpec(name="t", title="T", description="", column="c", code_list="sex",
                     privacy_class=privacy_class)
    cats = [Category("a", 1, "A"), Category("b", 2, "B"), Category("c", 3, "C")]
    frame = pd.DataFrame(
        [{"kode_desa": f"51.02.01.{2001 + i}", "nama_desa": f"D{i}", "kode_kecamatan": "51.02.01",
          "nama_kecamatan": "K", "a": a, "b": b, "c": c, "jumlah": a + b + c}
         for i, (a, b, c) in enumerate(rows)])
    return StatTable(spec=spec, categories=cats, frame=frame)


def _hidden(protected):
    return protected.frame[["a", "b", "c"]].isna().to_numpy().tolist()


@pytest.mark.parametrize("small", [1, 2, 3, 4])
def test_counts_one_to_four_are_never_published(small):
    protected = protect(_table([(small, 50, 60)]), k=5)
    assert protected.frame.loc[0, "a"] is pd.NA
    assert protected.primary == 1


def test_zero_and_k_are_published_in_general_tables():
    protected = protect(_table([(0, 5, 60)]), k=5)
    assert protected.frame.loc[0, ["a", "b", "c"]].tolist() == [0, 5, 60]
    assert protected.primary == protected.secondary == 0


def test_a_lone_hidden_cell_gets_a_complement_so_the_total_cannot_give_it_back():
    protected = protect(_table([(2, 50, 60)]), k=5)
    assert _hidden(protected) == [[True, True, False]]
    assert protected.frame.loc[0, "jumlah"] == 112
    assert protected.secondary == 1


def test_complements_are_added_until_the_hidden_cells_hold_at_least_k():
    # 1 + 0 would let an attacker bound the hidden cells to 1 person: add more.
    protected = protect(_table([(1, 0, 60)]), k=5)
    hidden = _hidden(protected)[0]
    assert hidden == [True, True, True]


def test_specific_tables_hide_true_zeros_like_small_counts():
    protected = protect(_table([(0, 3, 80)], PrivacyClass.SPECIFIC), k=10)
    assert _hidden(protected)[0][:2] == [True, True]
    assert protected.primary == 2


def test_a_desa_total_below_k_hides_the_whole_row():
    protected = protect(_table([(1, 1, 1)]), k=5)
    assert protected.frame.loc[0, ["a", "b", "c", "jumlah"]].isna().all()


def test_report_counts_hidden_cells_without_values():
    report = protect(_table([(2, 50, 60), (30, 40, 50)]), k=5).report()
    assert report["suppressed_primary"] == 1 and report["suppressed_secondary"] == 1
    assert report["cells"] == 6 and report["k"] == 5
