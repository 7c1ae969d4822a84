"""A re-import tells its unchanged records without rebuilding them (issue 9's speed), and
decides exactly what building them would: same counts, same problems, same stored contacts,
also when another irlmeet changes the contacts between reading the file and taking the lock."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, datetime
from pathlib import Path

import pytest

from irlmeet.core import intake
from irlmeet.core.imports import ImportedContact, SourceRef
from irlmeet.core.service import Service
from irlmeet.core.settings import Settings, default_paths
from irlmeet.core.store import Store

from .conftest import NOW

FIX = Path(__file__).parent / "fixtures" / "imports"
HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]


def open_service(data: Path, place_index, prefix: str = "id") -> Service:
    counter = itertools.count(1)
    settings = Settings.load(default_paths({"XDG_CONFIG_HOME": str(data.parent / "cfg")}, data_file=data))
    return Service(Store(data), places=lambda: place_index, settings=settings, clock=lambda: NOW,
                   new_id=lambda: f"{prefix}{next(counter):05d}")


def linkedin_csv(path: Path, n: int, *, company_of=lambda i: "Acme, Inc.") -> Path:
    buf = io.StringIO(newline="")
    buf.write('Notes:\r\n"When exporting your connection data, you may notice that some of the email '
              'addresses are missing."\r\n\r\n')
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    for i in range(n):
        w.writerow([f"First{i}", f"Last{i}", f"https://www.linkedin.com/in/person-{i}",
                    f"p{i}@example.org" if i % 4 == 0 else "", company_of(i), "Engineer",
                    f"{1 + i % 28:02d} Mar {2010 + i % 16}"])
    path.write_text(buf.getvalue(), encoding="utf-8-sig", newline="")
    return path


def _problems(report) -> list[tuple]:
    return [(str(p.file), p.line, p.card, p.reason) for p in report.problems]


def _people(svc: Service) -> dict[str, dict]:
    out = {}
    for c in svc.store.contacts():
        d = c.to_dict()
        d.pop("id")
        out[c.name] = d
    return out


@pytest.mark.parametrize("kind,name", [("linkedin", "linkedin-connections.csv"), ("vcard", "contacts.vcf"),
                                       ("google", "google-contacts.csv")])
def test_a_second_import_reports_the_same_problems_and_changes_nothing(tmp_path, place_index, kind, name):
    svc = open_service(tmp_path / "d.json", place_index)
    first = svc.import_contacts(kind, FIX / name)
    stored = _people(svc)
    again = svc.import_contacts(kind, FIX / name)
    assert (again.created, again.merged, again.updated, again.unchanged) == (0, 0, 0, first.read)
    # a value the model refused the first time is refused (and said) again, not skipped quietly
    assert _problems(again) == _problems(first)
    assert _people(svc) == stored
    svc.store.close()


def test_only_a_record_equal_to_what_its_source_gave_last_time_skips_the_model() -> None:
    ref = SourceRef("linkedin", "https://www.linkedin.com/in/ana-m", Path("Connections.csv"), 5)
    known = {("linkedin", "https://www.linkedin.com/in/ana-m"): {
        "name": "Ana M", "company": "Acme", "emails": ["ana@x.org"], "met_via": "LinkedIn", "met_on": "2024-03-01"}}
    lookup = intake.PlaceLookup(lambda text, cc: None)

    def rec(**kw) -> ImportedContact:
        base = dict(name="Ana M", source=ref, company="Acme", emails=("ana@x.org",), met_via="LinkedIn",
                    met_on=date(2024, 3, 1))
        return ImportedContact(**{**base, **kw})

    key = ("linkedin", ref.id)
    assert intake.unchanged(rec(), lookup, known) == (key, known[key])
    # anything the model would clean, refuse or change goes through it
    for different in (rec(company=" Acme"), rec(emails=("ANA@x.org",)), rec(emails=("ana@x.org", "ana@x.org")),
                      rec(linkedin="https://www.linkedin.com/in/ana-m"), rec(met_on=date(2024, 3, 2)),
                      rec(met_on=datetime(2024, 3, 1, 9, 0)), rec(circle="professional"), rec(name="Ana  M"),
                      rec(source=SourceRef("linkedin", "https://www.linkedin.com/in/other", ref.file, 5))):
        assert intake.unchanged(different, lookup, known) is None, different


def _run_with_a_concurrent_import(tmp_path: Path, place_index, *, fast: bool, monkeypatch) -> tuple:
    """Import 1,500 rows, then import the same file again while, once the records are read and
    checked (the first "matching" progress call, before the lock), another irlmeet deletes one
    of the people and imports a newer export changing another one's company."""
    data = tmp_path / ("fast" if fast else "full") / "d.json"
    data.parent.mkdir()
    path = linkedin_csv(data.parent / "Connections.csv", 1500)
    newer = linkedin_csv(data.parent / "Newer.csv", 1500, company_of=lambda i: "Globex" if i == 7 else "Acme, Inc.")
    svc = open_service(data, place_index)
    svc.import_contacts("linkedin", path)
    if not fast:
        monkeypatch.setattr(intake, "known_sources", lambda contacts: {})
    done = []

    def progress(phase: str, n: int, total: int) -> None:
        if phase == "matching" and not done:
            done.append(n)
            other = open_service(data, place_index, prefix="other")
            other.import_contacts("linkedin", newer)
            gone = next(c for c in other.store.contacts() if c.name == "First3 Last3")
            other.store.delete_contact(gone.id)
            other.store.close()

    report = svc.import_contacts("linkedin", path, progress=progress)
    monkeypatch.undo()
    people = _people(svc)
    svc.store.close()
    assert done, "the concurrent change happened before the lock"
    return (report.created, report.merged, report.updated, report.unchanged, _problems(report)), people


def test_records_changed_under_the_import_are_decided_as_if_built(tmp_path, place_index, monkeypatch):
    fast = _run_with_a_concurrent_import(tmp_path, place_index, fast=True, monkeypatch=monkeypatch)
    full = _run_with_a_concurrent_import(tmp_path, place_index, fast=False, monkeypatch=monkeypatch)
    (created, merged, updated, unchanged, _), people = fast
    assert (created, merged, updated, unchanged) == (1, 0, 1, 1498)
    assert people["First7 Last7"]["company"] == "Acme, Inc.", "the export's value came back"
    assert "First3 Last3" in people, "deleted under the import, and the import brought them back"
    assert fast[0][:4] == full[0][:4] and fast[0][4] == [
        (p[0].replace("/full/", "/fast/"), *p[1:]) for p in full[0][4]]
    assert fast[1] == full[1]
