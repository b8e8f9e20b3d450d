import unicodedata

from citycat.model.vietnamese import fold, slugify, sort_key


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
    from citycat.model.vietnamese import _sort_key

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


def test_remembered_texts_sort_as_the_long_way():
    """sort_key remembers each whole text: asked again (first with characters it has not met,
    then from memory), it gives what working it out on the whole text gives."""
    from citycat.model.vietnamese import _sort_key

    texts = [
        "Đường Giải Phóng – Hoàng Mai",
        "Ủy ban nhân dân phường Ỷ La",
        "Quỹ đầu tư ưu đãi Ứng Hòa",
        "HOÀ BÌNH hoà bình",
        "o\u0302\u0301 ơ\u0323",  # decomposed ố, ợ
        "\u0301 a lone mark first",
        "tab\tand\u00a0no-break space",
        "𝔘 𐍈 emoji 🙂",
        "",
    ]
    for text in texts + [unicodedata.normalize("NFD", t) for t in texts]:
        first = sort_key(text)
        assert first == _sort_key(text), text
        assert sort_key(text) == first == _sort_key(text), text
