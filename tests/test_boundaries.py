"""The domain core must never pull in the UI libraries (DEVELOPERS.md, "Shape")."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import irlmeet.core

ROOT = Path(__file__).resolve().parents[1]


def test_importing_all_of_core_loads_no_ui_library():
    modules = [f"irlmeet.core.{m.name}" for m in pkgutil.iter_modules(irlmeet.core.__path__)]
    assert "irlmeet.core.store" in modules and "irlmeet.core.planner" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'rich'} or m.startswith('irlmeet.tui'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"core imported UI modules: {result.stdout.strip()}"


def test_scripted_commands_do_not_load_the_tui():
    code = (
        "import sys\n"
        "from irlmeet import cli\n"
        "cli.build_parser()\n"
        "print(any(m.split('.')[0] == 'textual' for m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_import_linter_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is part of the test extras"
    result = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_scripted_commands_load_neither_icalendar_nor_textual(tmp_path):
    """`trip list`, `contact list` (plain and --near) and `plan --json` never write a calendar:
    they load neither icalendar nor Textual (issue 10: imports only when used)."""
    data = tmp_path / "irlmeet.json"
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from irlmeet.core.models import Contact, ContactPlace, Place, Trip\n"
        "from irlmeet.core.store import Store\n"
        "berlin = Place(name='Berlin', country_code='DE', lat=52.52, lon=13.405, tz='Europe/Berlin')\n"
        f"with Store({str(data)!r}) as s:\n"
        "    s.put_contact(Contact(id='c1', name='Ada', places=(ContactPlace(berlin),)))\n"
        "    s.put_trip(Trip(id='t1', name='Berlin', destination=berlin, start=date(2099, 5, 1), end=date(2099, 5, 3)))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    for argv in (["trip", "list"], ["contact", "list"], ["contact", "list", "--json"], ["plan", "t1", "--json"]):
        probe = (
            "import sys\n"
            "from irlmeet import cli\n"
            f"rc = cli.main(['--data', {str(data)!r}, *{argv!r}])\n"
            "bad = sorted({m.split('.')[0] for m in sys.modules} & {'icalendar', 'textual'})\n"
            "print('LOADED', ','.join(bad), rc, file=sys.stderr)\n"
        )
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
        assert "LOADED  0" in result.stderr, (argv, result.stderr[-2000:])


def test_trip_list_loads_no_planner_places_or_event_loop(tmp_path):
    """`trip list` shows stored trips: it loads neither the planner, the city index, the
    contact book nor asyncio (each is imported by the use case that needs it; issue 10)."""
    data = tmp_path / "irlmeet.json"
    probe = (
        "import sys\n"
        "from irlmeet import cli\n"
        f"rc = cli.main(['--data', {str(data)!r}, 'trip', 'list'])\n"
        "names = {'asyncio', 'irlmeet.core.planner', 'irlmeet.core.places.index', 'irlmeet.core.places.dataset',\n"
        "         'irlmeet.core.drafts', 'irlmeet.core.ics', 'irlmeet.core.directory'}\n"
        "print('LOADED', ','.join(sorted(names & set(sys.modules))), rc, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert "LOADED  0" in result.stderr, result.stderr[-2000:]


def test_tui_first_paint_imports_only_what_it_shows():
    """The app and its main screen (all the first paint needs) load no planner, drafts, service,
    store, dialogs or contacts screen: those come after the data file is open (issue 10)."""
    code = (
        "import sys\n"
        "import irlmeet.tui.app, irlmeet.tui.main_screen\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(result.stdout.split())
    later = {
        "irlmeet.core.planner", "irlmeet.core.drafts", "irlmeet.core.service", "irlmeet.core.store",
        "irlmeet.core.etiquette", "irlmeet.core.clipboard", "irlmeet.core.places", "irlmeet.core.ics",
        "irlmeet.tui.screens", "irlmeet.tui.contacts_screen", "irlmeet.tui.keymap",
        "irlmeet.tui.drafts_screen", "icalendar", "orjson", "tinydb", "filelock",
    }
    assert sorted(loaded & later) == []
