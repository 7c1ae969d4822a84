"""The import readers on real-shaped exports (tests/fixtures/imports/, written in each format's
exact shape with its awkward cases), and on files that are not what the reader expects."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from irlmeet.core.errors import ImportFileError, IrlmeetError
from irlmeet.core.imports import (
    MonthDay,
    read,
    read_google,
    read_linkedin,
    read_vcard,
    scan_vcard,
)
from irlmeet.core.imports.channels import handle_from_impp, handle_from_url, linkedin_url
from irlmeet.core.imports.dates import parse_birthday, parse_day_month_year

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def by_name(result):
    return {c.name: c for c in result.records}


# --- LinkedIn -----------------------------------------------------------------------------------


def test_linkedin_export_with_preamble_quoting_and_non_ascii():
    result = read_linkedin(FIXTURES / "linkedin-connections.csv")
    people = by_name(result)
    assert list(people) == ["Ana Müller", "Zoë O'Brien", "José García Pérez", "Hiro 田中", "Lea Schmidt"]
    ana = people["Ana Müller"]
    assert (ana.company, ana.role) == ("Acme, Inc.", "VP, Engineering")
    assert ana.linkedin == "https://www.linkedin.com/in/ana-mueller-4b2a1"
    assert (ana.met_via, ana.met_on) == ("LinkedIn", date(2026, 10, 14))
    assert ana.emails == () and ana.places == ()
    assert ana.source.kind == "linkedin" and ana.source.id == ana.linkedin and ana.source.line == 5
    assert people["Zoë O'Brien"].role == 'Head of "Special" Projects'
    assert people["Zoë O'Brien"].emails == ("zoe@example.org",)
    # Percent-encoded slug, country subdomain, query string, upper case: one normal form.
    assert people["José García Pérez"].linkedin == "https://www.linkedin.com/in/josé-garcía"
    hiro = people["Hiro 田中"]
    assert hiro.linkedin == "https://www.linkedin.com/in/hiro-tanaka"
    assert hiro.company == "Line one line two GmbH"  # a quoted newline inside the cell
    assert hiro.met_on == date(2024, 2, 29)


def test_linkedin_bad_rows_are_reported_and_the_rest_come_in():
    result = read_linkedin(FIXTURES / "linkedin-connections.csv")
    [problem] = result.problems
    assert problem.line == 11 and "31 Foo 2024" in problem.reason
    assert "linkedin-connections.csv, line 11" in str(problem)
    assert by_name(result)["Lea Schmidt"].met_on is None  # imported without the bad date
    assert result.skipped == {"no name": 1}  # LinkedIn blanks members who left
    assert result.skips[0].line == 10


def test_linkedin_older_export_without_preamble_reads_columns_by_name():
    people = by_name(read_linkedin(FIXTURES / "linkedin-connections-old.csv"))
    marta = people["Marta Nowak"]
    assert (marta.company, marta.role, marta.emails) == ("Nowak, Nowak & Partners", "Partner", ("marta@example.pl",))
    assert marta.met_on == date(2015, 7, 3) and marta.linkedin is None
    assert marta.source.id is None and marta.source.line == 2


def test_linkedin_zip_as_downloaded(tmp_path):
    archive = tmp_path / "Basic_LinkedInDataExport_10-14-2026.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Profile.csv", "First Name,Last Name\r\nMe,Myself\r\n")
        z.write(FIXTURES / "linkedin-connections.csv", "Connections.csv")
        z.writestr("messages.csv", "CONVERSATION ID,FROM\r\n")
    result = read_linkedin(archive)
    assert len(result.records) == 5
    assert result.records[0].source.file == archive / "Connections.csv"
    assert str(result.problems[0]).startswith(f"{archive}/Connections.csv, line 11")


def test_linkedin_zip_without_connections(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Profile.csv", "x\r\n")
    with pytest.raises(ImportFileError, match="no Connections.csv.*Profile.csv"):
        read_linkedin(archive)


def test_linkedin_progress_reaches_the_total():
    calls: list[tuple[int, int]] = []
    read_linkedin(FIXTURES / "linkedin-connections.csv", progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, 6) and calls[-1] == (6, 6)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


# --- vCard --------------------------------------------------------------------------------------


def test_vcard_apple_30_card_keeps_every_field():
    result = read_vcard(FIXTURES / "contacts.vcf")
    ada = by_name(result)["Ada Brandt"]
    assert (ada.nickname, ada.company, ada.role) == ("Adi", "Acme, Inc.", "VP, Engineering")
    assert ada.emails == ("ada@acme.example", "ada.brandt@example.org")  # pref first; "Name" <addr>
    assert ada.phones == ("+49 30 1234567",)
    home, work = ada.places
    assert (home.label, home.text, home.geo) == ("home", "Berlin, Germany", (52.529, 13.401))
    assert (work.label, work.text) == ("work", "Paris, Île-de-France, France")  # item3.X-ABLabel
    assert ada.notes.startswith("Met at PyCon DE, talked about property-based testing.\nLikes coffee;")
    assert ada.notes.endswith("an exporter folds it.")  # the folded line is joined
    assert ada.tags == ("Coworkers", "climbing") and ada.circle == "professional"
    assert ada.linkedin == "https://www.linkedin.com/in/ada-brandt"
    assert ada.handles == (("x", "@adab"),)
    assert ada.urls == ("https://ada.example.org",)
    assert ada.birthday == date(1990, 2, 3)
    assert ada.source.id == "3F2504E0-4F89-11D3-9A0C-0305E82C3301"
    assert (ada.source.card, ada.source.line) == (1, 1)


def test_vcard_40_geo_uri_tz_impp_socialprofile_and_yearless_birthday():
    kenji = by_name(read_vcard(FIXTURES / "contacts.vcf"))["Kenji Ito"]
    [tokyo] = kenji.places
    assert (tokyo.label, tokyo.text, tokyo.geo) == ("work", "Tokyo, Japan", (35.6762, 139.6503))
    assert kenji.tz == "Asia/Tokyo"
    assert kenji.birthday == MonthDay(2, 3)
    assert set(kenji.handles) == {
        ("mastodon", "@kenji@hachyderm.io"),
        ("bluesky", "kenji.bsky.social"),
        ("xmpp", "kenji@jabber.example"),
        ("matrix", "@kenji:matrix.org"),
    }
    assert kenji.phones == ("+81-3-1234-5678",)  # tel: URI
    assert kenji.circle == "personal"


def test_vcard_21_quoted_printable_with_and_without_charset():
    jurgen = by_name(read_vcard(FIXTURES / "contacts.vcf"))["Jürgen Müller"]
    assert jurgen.places[0].text == "München, Bayern, Deutschland"
    # QP Latin-1 bytes with no CHARSET, and a soft line break.
    assert jurgen.notes == "Wohnt in Kraków, sehr nett, lange Notiz die weichumgebrochen wird."
    assert jurgen.birthday == date(1975, 5, 5)  # 1995/05/05 style
    assert jurgen.handles == (("skype", "juergen.m"),)


def test_vcard_names_groups_broken_cards_and_lower_case():
    result = read_vcard(FIXTURES / "contacts.vcf")
    people = by_name(result)
    assert "Priya Patel" in people  # FN was the e-mail: the name comes from N
    assert people["Priya Patel"].linkedin == "https://www.linkedin.com/in/priya-patel"
    assert people["Lower Case"].places[0].text == "Porto, Portugal"  # begin:vcard in lower case
    assert people["After Broken"].tz is None  # an offset is not a zone
    assert "Broken Card" not in people and "Book Club" not in people
    [problem] = result.problems
    assert (problem.card, problem.line) == (8, 268)
    assert "without END:VCARD" in problem.reason and "card 8 (line 268)" in str(problem)
    assert result.skipped == {"group": 1, "no name": 1}
    assert [s.hint for s in result.skips] == ["Book Club", "noname@example.com"]
    assert len(result.records) == 6


def test_vcard_without_utf8_falls_back_to_windows_1252():
    [card] = read_vcard(FIXTURES / "legacy-cp1252.vcf").records
    assert card.name == "François Léger"
    assert card.notes == "Café – €5"
    assert card.places[0].text == "Genève, Suisse"


def test_vcard_photo_is_skipped_and_never_reaches_the_record():
    ada = by_name(read_vcard(FIXTURES / "contacts.vcf"))["Ada Brandt"]
    assert "AAECAwQF" not in repr(ada)  # the base64 photo's start


def test_vcard_directory_reads_every_vcf_file(tmp_path):
    vdir = tmp_path / "contacts"
    shutil.copytree(FIXTURES / "vdir", vdir)
    (vdir / "broken.vcf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    result = read_vcard(vdir)
    assert sorted(by_name(result)) == ["Alan Turing", "Grace Hopper"]
    assert {c.source.id for c in result.records} == {"a1b2", "c3d4"}
    assert by_name(result)["Grace Hopper"].source.file == vdir / "a1b2.vcf"
    [problem] = result.problems  # the picture in the folder, not the hidden file or README
    assert problem.file == vdir / "broken.vcf" and "PNG image" in problem.reason


def test_vcard_progress_counts_cards():
    calls: list[tuple[int, int]] = []
    list(scan_vcard(FIXTURES / "contacts.vcf", progress=lambda d, t: calls.append((d, t))))
    assert calls[0] == (0, 9) and calls[-1] == (9, 9)


def test_one_card_that_breaks_the_parser_does_not_stop_the_others(tmp_path):
    path = tmp_path / "mixed.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Good One\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=x-no-such-charset;ENCODING=QUOTED-PRINTABLE:=FF=FE\r\n"
        "N:Two;Also;;;\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nthis line has no colon\r\nFN:Good Three\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    result = read_vcard(path)
    assert [c.name for c in result.records][0] == "Good One"
    assert "Good Three" in by_name(result)
    assert len(result.records) + len(result.problems) + len(result.skips) == 3


# --- Google -------------------------------------------------------------------------------------


def test_google_csv_labels_multi_values_and_quoted_newlines():
    result = read_google(FIXTURES / "google-contacts.csv")
    lina = by_name(result)["Lina Haddad"]
    assert (lina.nickname, lina.company, lina.role) == ("Li", "Nimbus, Ltd.", "CTO")
    assert lina.emails == ("lina@nimbus.example", "l.haddad@nimbus.example", "lina.h@example.com")
    assert lina.phones == ("+971 50 123 4567", "+44 7700 900123")
    assert [(p.label, p.text) for p in lina.places] == [
        ("home", "Dubai, United Arab Emirates"),
        ("work", "London, England, United Kingdom"),
    ]
    assert lina.notes == "Met at KubeCon.\nVegetarian, prefers mornings."
    assert lina.tags == ("Coworkers",) and lina.circle == "professional"  # myContacts/starred dropped
    assert lina.linkedin == "https://www.linkedin.com/in/lina-haddad"
    assert lina.urls == ("https://lina.example.com",)
    assert lina.birthday == MonthDay(7, 14)
    assert lina.source.kind == "google" and lina.source.id == "lina@nimbus.example"
    assert lina.source.line == 2
    tomas = by_name(result)["Tomás Ó Ceallaigh"]
    assert tomas.circle == "personal" and tomas.birthday == date(1988, 11, 30)
    assert tomas.source.line == 6  # Lina's notes spanned two lines


def test_google_csv_skips_and_problems():
    result = read_google(FIXTURES / "google-contacts.csv")
    assert result.skipped == {"organisation": 1, "no name": 1}
    [problem] = result.problems
    assert problem.line == 9 and "sometime in May" in problem.reason
    assert "Bad Birthday" in by_name(result)


def test_google_older_utf16_export():
    people = by_name(read_google(FIXTURES / "google-contacts-old.csv"))
    bjorn = people["Björn Andersson"]
    assert (bjorn.company, bjorn.role) == ("Spotify", "Staff Engineer")
    assert bjorn.places[0].text == "Stockholm, Sweden" and bjorn.places[0].label == "work"
    assert bjorn.handles == (("skype", "bjorn.a"),)
    assert bjorn.tags == ("Colleagues",) and bjorn.circle == "professional"
    nadia = people["Nadia Benali"]  # empty "Name": built from the given and family names
    assert nadia.phones == ("+212 600 000000",) and nadia.circle == "personal"


# --- the wrong file -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fixture", "message"),
    [
        ("linkedin", "google-contacts.csv", "Google Contacts CSV"),
        ("linkedin", "contacts.vcf", "vCard"),
        ("google", "linkedin-connections.csv", "LinkedIn Connections.csv"),
        ("google", "contacts.vcf", "vCard"),
    ],
)
def test_a_file_for_another_importer_is_refused_by_name(kind, fixture, message):
    with pytest.raises(ImportFileError, match=message) as info:
        read(kind, FIXTURES / fixture)
    assert info.value.path == FIXTURES / fixture
    assert str(info.value).startswith(str(FIXTURES / fixture))
    assert isinstance(info.value, IrlmeetError)


@pytest.mark.parametrize("kind", ["linkedin", "vcard", "google"])
def test_wrong_type_empty_and_missing_files(tmp_path, kind):
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    with pytest.raises(ImportFileError, match="PNG image"):
        read(kind, png)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(ImportFileError, match="empty"):
        read(kind, empty)
    with pytest.raises(ImportFileError, match="no such file"):
        read(kind, tmp_path / "nope.csv")


def test_ics_given_to_vcard(tmp_path):
    ics = tmp_path / "trip.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    with pytest.raises(ImportFileError, match=r"iCalendar \(.ics\) file, not a vCard"):
        read_vcard(ics)


@pytest.mark.parametrize("kind", ["linkedin", "google"])
def test_csv_in_a_legacy_encoding_is_refused_with_the_line(tmp_path, kind):
    path = tmp_path / "Connections.csv"
    path.write_bytes("First Name,Last Name,URL,Connected On\r\nRené,Lévy,,01 Jan 2020\r\n".encode("cp1252"))
    with pytest.raises(ImportFileError, match=r"not UTF-8 text \(byte 0xE9 on line 2\)"):
        read(kind, path)


def test_empty_folder_for_vcard(tmp_path):
    with pytest.raises(ImportFileError, match="no .vcf files"):
        read_vcard(tmp_path)


# --- the small parsers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.linkedin.com/in/ana-m", "https://www.linkedin.com/in/ana-m"),
        ("http://linkedin.com/in/Ana-M/", "https://www.linkedin.com/in/ana-m"),
        ("linkedin.com/in/ana-m?trk=x", "https://www.linkedin.com/in/ana-m"),
        ("https://fr.linkedin.com/in/ana-m/details/experience/", "https://www.linkedin.com/in/ana-m"),
        ("https://www.linkedin.com/company/acme", None),
        ("https://notlinkedin.com/in/ana", None),
        ("", None),
    ],
)
def test_linkedin_url_normal_form(text, expected):
    assert linkedin_url(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.com/ana", ("x", "@ana")),
        ("http://twitter.com/ana", ("x", "@ana")),
        ("https://github.com/ana", ("github", "ana")),
        ("https://chaos.social/@ana", ("mastodon", "@ana@chaos.social")),
        ("https://bsky.app/profile/ana.bsky.social", ("bluesky", "ana.bsky.social")),
        ("https://matrix.to/#/@ana:matrix.org", ("matrix", "@ana:matrix.org")),
        ("https://t.me/ana", ("telegram", "@ana")),
        ("https://ana.example.org/blog", None),
        ("https://medium.com/@ana", None),
    ],
)
def test_handles_from_profile_urls(url, expected):
    assert handle_from_url(url) == expected


def test_handles_from_impp():
    assert handle_from_impp("xmpp:ana@jabber.org") == ("xmpp", "ana@jabber.org")
    assert handle_from_impp("skype:ana.b") == ("skype", "ana.b")
    assert handle_from_impp("x-apple:ana", "Signal") == ("signal", "ana")
    assert handle_from_impp("matrix:u/ana:matrix.org") == ("matrix", "@ana:matrix.org")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-02-03", date(1990, 2, 3)),
        ("19900203", date(1990, 2, 3)),
        ("1995/05/05", date(1995, 5, 5)),
        ("1996-04-15T00:00:00-05:00", date(1996, 4, 15)),
        ("--0203", MonthDay(2, 3)),
        ("--02-29", MonthDay(2, 29)),
        ("1604-07-01", MonthDay(7, 1)),  # Apple's "no year"
        ("circa 1800", None),
        ("2023-02-30", None),
    ],
)
def test_birthday_forms(text, expected):
    assert parse_birthday(text) == expected


def test_connected_on_is_read_without_the_locale():
    assert parse_day_month_year("14 Oct 2026") == date(2026, 10, 14)
    assert parse_day_month_year("05 Mar 2024") == date(2024, 3, 5)
    assert parse_day_month_year("30 Feb 2024") is None
