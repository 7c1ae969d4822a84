"""The vCard reader over real exports nobody on the project wrote (/work/shared/corpus; see its
SOURCES.md). Each file must give named people, or a clear problem or ImportFileError naming the
file: never a traceback. Skipped where the corpus is not beside the checkout."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from irlmeet.core.errors import ImportFileError
from irlmeet.core.imports import MonthDay, read_vcard


def _corpus() -> Path | None:
    for candidate in (
        os.environ.get("IRLMEET_CORPUS"),
        Path(__file__).resolve().parents[1].parent / "shared" / "corpus",
        "/work/shared/corpus",
    ):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


CORPUS = _corpus()
pytestmark = pytest.mark.skipif(CORPUS is None, reason="the shared import corpus is not here")


def _files(*folders: str) -> list[Path]:
    if CORPUS is None:
        return []
    out: list[Path] = []
    for folder in folders:
        base = CORPUS / folder
        if folder == "vdir":
            out.extend(sorted(p for p in base.iterdir() if p.is_dir()))
        elif base.is_dir():
            out.extend(sorted(p for p in base.iterdir() if p.is_file()))
    return out


@pytest.mark.parametrize("path", _files("vcard", "vdir", "broken"), ids=lambda p: p.name)
def test_every_corpus_file_gives_people_or_a_clear_error(path):
    try:
        result = read_vcard(path)
    except ImportFileError as error:
        assert error.path == path and str(error).startswith(str(path))
        assert path.parent.name == "broken", f"a real export was refused: {error}"
        return
    for person in result.records:
        assert person.name.strip() and "\n" not in person.name
        assert person.source.kind == "vcard" and person.source.card >= 1
    for problem in result.problems:
        assert str(problem).startswith(str(problem.file)) and problem.reason
    assert result.records or result.problems or result.skips
    if path.parent.name == "vcard":
        assert not result.problems, [str(p) for p in result.problems]


def _one(name: str, person: str):
    result = read_vcard(CORPUS / "vcard" / name)
    matches = [c for c in result.records if c.name == person]
    assert matches, [c.name for c in result.records]
    return matches[0]


def test_outlook_2003_qp_latin1_without_charset():
    antoni = _one("ical4j-vcard__vcard-antoni-outlook2003.vcf", "Antoni Jozef Mylka jun.")
    assert [p.text for p in antoni.places] == ["Kaiserslautern, Rheinland-Pfalz, Deutschland", "Krakow, malopolskie, Polen"]
    assert antoni.emails == ("antoni_mylka@somedomain.com",)


def test_shift_jis_phone_export():
    result = read_vcard(CORPUS / "vcard" / "aosp-vcard__v21_multiple_entry.vcf")
    assert [c.name for c in result.records] == ["安藤ロイド3", "安藤ロイド4", "安藤ロイド5"]


def test_fn_split_at_commas_by_vobject_is_read_whole():
    john = _one("ez-vcard__John_Doe_EVOLUTION.vcf", "Mr. John Richter, James Doe Sr.")
    assert john.emails[0] == "john.doe@ibm.com"
    assert john.places[0].text == "Albaney, New York, United States of America"


def test_fn_equal_to_email_takes_the_name_from_n():
    one = _one("audriga__rc-vcard.vcf", "One Test Contact")
    assert one.emails == ("testemailaddress@example.com", "miscmail@miscmail.com")
    assert (one.nickname, one.role, one.company) == ("OTC", "Software Engineer", "Test Inc.")
    assert one.birthday == date(1990, 2, 12)


def test_apple_group_company_and_nameless_cards_are_skipped_and_counted():
    assert read_vcard(CORPUS / "vcard" / "rcmcarddav__Group.vcf").skipped == {"group": 1}
    assert read_vcard(CORPUS / "vcard" / "rcmcarddav__CompanySetFN.vcf").skipped == {"organisation": 1}
    takeout = read_vcard(CORPUS / "vcard" / "audriga__google_takeout_contacts.vcf")
    assert takeout.skipped == {"no name": 4}
    assert "firstName lastName" in {c.name for c in takeout.records}


def test_rfc6350_example_geo_and_yearless_birthday():
    simon = _one("ez-vcard__rfc6350-example.vcf", "Simon Perreault")
    assert simon.birthday == MonthDay(2, 3)
    assert simon.places[0].text == "Quebec, QC, Canada"
    assert simon.places[0].geo == (46.772673, -71.282945)


def test_social_profiles_and_ios_impp():
    max_ = _one("audriga__nextcloud_vcard.vcf", "Baumus Maximilian")
    assert set(max_.handles) == {("github", "apache"), ("x", "@ApacheJames")}
    ios = _one("rcmcarddav__IM-iOS.vcf", "Test IosIMKontakt")
    assert ("skype", "skype@example.com") in ios.handles and ("xmpp", "jabber@example.com") in ios.handles


def test_khard_vdir_and_broken_files():
    vdir = read_vcard(CORPUS / "vdir" / "khard__test.abook")
    assert {c.name for c in vdir.records} == {"second contact", "third contact", "text birthday"}
    unparsable = read_vcard(CORPUS / "broken" / "khard__unparsable.vcf")
    assert not unparsable.records and "without END:VCARD" in unparsable.problems[0].reason
    with pytest.raises(ImportFileError, match="PNG image"):
        read_vcard(CORPUS / "broken" / "ez-vcard__gmail-single2.png")
    with pytest.raises(ImportFileError, match="iCalendar"):
        read_vcard(CORPUS / "broken" / "icalendar__example.ics")
