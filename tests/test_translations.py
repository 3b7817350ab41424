"""Every string in the catalogue has a Vietnamese translation, and the catalogue is compiled."""

from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _entries():
    entries = []
    block: list[str] = []
    for line in [*CATALOGUE.read_text().splitlines(), ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            entries.append(block)
        block = []
    for block in entries:
        text = "\n".join(block)
        fuzzy = "#, fuzzy" in text
        ids = text.split("msgstr", 1)
        msgid = "".join(
            part.split('"', 1)[1].rsplit('"', 1)[0]
            for part in ids[0].splitlines()
            if '"' in part and not part.startswith("#")
        )
        msgstr = (
            "".join(
                part.split('"', 1)[1].rsplit('"', 1)[0]
                for part in ids[1].splitlines()
                if '"' in part
            )
            if len(ids) > 1
            else ""
        )
        yield msgid, msgstr, fuzzy


def test_every_string_has_a_vietnamese_translation():
    missing = [msgid for msgid, msgstr, fuzzy in _entries() if msgid and (not msgstr or fuzzy)]
    assert missing == []


def test_the_catalogue_is_compiled():
    assert CATALOGUE.with_suffix(".mo").exists()
