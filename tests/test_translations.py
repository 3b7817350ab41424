"""Every string in the catalogue has a Vietnamese translation, and the catalogue is compiled."""

import subprocess
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _entries(catalogue: Path = CATALOGUE):
    entries = []
    block: list[str] = []
    for line in [*catalogue.read_text().splitlines(), ""]:
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


# The project's own source: every app's Python and every template (not tests, migrations or
# the virtual environment). Strings of the libraries (Django, DRF, viewflow) come with their
# own catalogues; where those miss one, our catalogue adds it.
SKIPPED = {
    ".venv",
    "var",
    "tests",
    "migrations",
    "node_modules",
    "locale",
    "static",
    ".git",
    "mutants",
}
XGETTEXT = [
    "xgettext",
    "--language=Python",
    "--from-code=UTF-8",
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
    "--output=-",
]


def _sources(tmp_path: Path) -> list[Path]:
    """The project's Python files, and its templates made readable to xgettext (as Django's
    makemessages does)."""
    root = Path(settings.BASE_DIR)
    files = [p for p in root.rglob("*") if not SKIPPED & set(p.relative_to(root).parts)]
    sources = [p for p in files if p.suffix == ".py"]
    for number, template in enumerate(p for p in files if p.suffix in (".html", ".txt")):
        converted = tmp_path / f"template_{number}.py"
        converted.write_text(templatize(template.read_text(), origin=str(template)))
        sources.append(converted)
    return sources


def test_every_string_in_the_code_and_templates_is_in_the_catalogue(tmp_path):
    """makemessages would add nothing: each msgid of the code is in our catalogue, where the
    test above requires its Vietnamese translation."""
    extracted = subprocess.run(
        [*XGETTEXT, *map(str, _sources(tmp_path))], capture_output=True, text=True, check=True
    ).stdout
    pot = tmp_path / "code.pot"
    pot.write_text(extracted)
    known = {msgid for msgid, _msgstr, _fuzzy in _entries()}
    wanted = {msgid for msgid, _msgstr, _fuzzy in _entries(pot)}
    assert sorted(wanted - known - {""}) == []
