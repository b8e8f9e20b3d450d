import unicodedata

from citycat.vietnamese import fold, slugify, sort_key


def test_fold_removes_tones_and_maps_d():
    assert fold("Y tế") == "y te"
    assert fold("Đường") == "duong"
    assert fold("Hòa") == fold("Hoà") == "hoa"  # two NFC spellings of one word


def test_slugify_follows_ckan_name_rules():
    assert slugify("Sở Y tế – Đường phố") == "so-y-te-duong-pho"
    assert slugify("  Đặc biệt!!  ") == "dac-biet"
    assert len(slugify("a" * 300)) == 100


def test_vietnamese_alphabetical_order():
    words = ["Đống Đa", "Dương Nội", "Ba Đình", "Ân Thi", "Ăn", "An", "Hà Đông", "Ha", "Ô Chợ Dừa", "Ơ", "O"]
    assert sorted(words, key=sort_key) == [
        "An",
        "Ăn",
        "Ân Thi",
        "Ba Đình",
        "Dương Nội",
        "Đống Đa",
        "Ha",
        "Hà Đông",
        "O",
        "Ô Chợ Dừa",
        "Ơ",
    ]


def test_tones_are_a_secondary_key():
    assert sorted(["hỏa", "hoa", "hòa", "hóa"], key=sort_key) == ["hoa", "hòa", "hỏa", "hóa"]


def test_remembered_characters_sort_as_the_long_way():
    """sort_key remembers each character's letter and tone; it must agree with working them out
    on the whole text, including NFD input, lone combining marks and characters outside the
    alphabet."""
    from citycat.vietnamese import _sort_key

    texts = [
        "Danh sách cơ sở khám bệnh",
        "Đường phố Hòa Bình",
        "Hoà",
        "hòa",
        "Ánh ĂN ân Ơn ưu ỷ ỹ",
        "x\u0300 a\u0301",  # a lone tone mark after x, a decomposed á
        "e\u0302\u0323 Ệ",
        "Straße ﬁ 한국 Ǆ 2026",
        "",
    ]
    for text in texts + [unicodedata.normalize("NFD", t) for t in texts]:
        assert sort_key(text) == _sort_key(text), text
