"""Indonesian analysis (PySastrawi): derived words meet their root, so a search finds either form."""
import pytest

from portal.search.analysis import analyse, stem


@pytest.mark.parametrize("derived, root", [
    ("kependudukan", "penduduk"), ("pendidikan", "pendidik"), ("kesehatan", "sehat"),
    ("pekerjaan", "bekerja"), ("perkawinan", "kawin"), ("kelahiran", "lahir"),
    ("pertanian", "petani"), ("bantuan", "bantu"), ("perjalanan", "jalan"),
    ("perceraian", "cerai"), ("beragama", "agama"), ("pengangguran", "menganggur"),
    ("digunakan", "menggunakan"), ("keterangan", "terang"), ("pemerintahan", "pemerintah"),
    # Roots an affix stripper without a dictionary recoded wrongly (the hand-written stemmer
    # gave "endali"/"ndali", "pilik"/"milik", "ekam"/"rekam", "encana"/"rencana").
    ("pengendalian", "kendali"), ("kepemilikan", "milik"), ("perekaman", "rekam"),
    ("berencana", "rencana"), ("memiliki", "milik"),
])
def test_derived_words_share_their_roots_stem(derived, root):
    assert stem(derived) == stem(root)


def test_kependudukan_and_penduduk_both_stem_to_duduk():
    assert stem("kependudukan") == stem("penduduk") == "duduk"


@pytest.mark.parametrize("word", ["agama", "umur", "desa", "jalan", "hindu", "islam", "cerai",
                                  "dinas", "tani", "ikan", "hanya", "2026"])
def test_roots_and_short_words_are_left_alone(word):
    assert stem(word) == word


def test_words_that_are_not_plain_letters_stay_as_they_are():
    assert [stem(w) for w in ("51", "ktp2", "dinas")] == ["51", "ktp2", "dinas"]


def test_analyse_lowercases_splits_and_drops_stopwords():
    assert analyse("Jumlah Penduduk dan Keluarga per Desa, laki-laki") == [
        "jumlah", "duduk", stem("keluarga"), "desa", "laki", "laki"]
