"""How tests/data/irlmeet-schema1.json was made: run with irlmeet at schema 1 (commit b091ba7),
`python tests/data/make_schema1.py tests/data/irlmeet-schema1.json`. Kept for provenance; it
no longer runs against newer schemas."""
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, "tests")
from conftest import BERLIN, LISBON, NEW_YORK, POTSDAM

from irlmeet.core.models import Contact, ContactPlace, Meetup, Profile, Trip
from irlmeet.core.store import SCHEMA_VERSION, Store

assert SCHEMA_VERSION == 1
out = Path(sys.argv[1])
with Store(out) as s:
    s.set_profile(Profile(name="Sam Rivera", home=LISBON))
    s.put_contacts([
        Contact(id="c-ada", name="Ada Brandt", places=(ContactPlace(BERLIN, "home"), ContactPlace(POTSDAM, "work")),
                circle="both", how_we_met="the PyCon DE 2024 sprints", met_on=date(2024, 4, 24),
                emails=("ada@example.org", "ada.brandt@work.example"), phones=("+49 30 1234567",),
                handles={"linkedin": "https://de.linkedin.com/in/Ada-Brandt/?trk=x", "mastodon": "@ada@example.social"},
                tags=("python", "testing"), notes="Vegetarian.\nTwo kids; ask about the climbing trip.",
                last_seen=date(2024, 4, 26), last_contacted=date(2026, 9, 1), cadence_days=180),
        Contact(id="c-jonas", name="Jonas Weber", places=(ContactPlace(POTSDAM),), handles={"linkedin": "jonas-weber-42", "x": "@jweber"},
                phones=("n/a",), last_seen=date(2023, 9, 14)),
        Contact(id="c-mia", name="Mia Chen", places=(ContactPlace(NEW_YORK),), circle="personal",
                handles={"linkedin": "not a profile"}, how_we_met="a \x1b[31mred\x1b[0m thread \u202eabc", do_not_invite=True),
    ])
    s.put_trip(Trip(id="t-berlin", name="DataConf Berlin", destination=BERLIN, start=date(2026, 12, 8), end=date(2026, 12, 10)))
    z = ZoneInfo("Europe/Berlin")
    s.put_meetups([
        Meetup(id="m-ada", trip_id="t-berlin", contact_ids=("c-ada",), kind="coffee",
               start=datetime(2026, 12, 8, 10, 30, tzinfo=z), end=datetime(2026, 12, 8, 11, 15, tzinfo=z),
               uid="m-ada@irlmeet", status="confirmed", sequence=1, updated=datetime(2026, 11, 20, 9, 0, tzinfo=z)),
        Meetup(id="m-group", trip_id="t-berlin", contact_ids=("c-ada", "c-jonas"), kind="dinner",
               start=datetime(2026, 12, 9, 19, 30, tzinfo=z), end=datetime(2026, 12, 9, 21, 30, tzinfo=z),
               uid="m-group@irlmeet", status="invited"),
    ])
print(out.read_text()[:200])
