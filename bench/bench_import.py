"""How fast the import readers turn exports into records (issue 9's targets, readers only).

Run: ``python bench/bench_import.py``

Writes, in a temporary folder, a LinkedIn Connections.csv of 30,000 rows (with the "Notes:"
preamble, quoted commas and doubled quotes), and vCard 3.0 files of 3,000 and 30,000 cards
(Apple-shaped: item groups, folded notes, categories, social profiles; one card in ten has a
20 KB photo), all from bench/gen.py's people. Then times each reader (median of 3) and, as the
baseline in the same run, vobject's own ``readComponents`` over the 3,000-card file.

Targets (issue 9; the store's writes come on top): 30,000 LinkedIn rows <= 1.5 s,
3,000 vCards <= 2 s; 30,000 vCards show progress.
"""

from __future__ import annotations

import base64
import csv
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen import make_contacts  # noqa: E402

from irlmeet.core.imports import read_linkedin, read_vcard  # noqa: E402

PHOTO = base64.b64encode(bytes(range(256)) * 60).decode()  # ~20 KB of base64


def write_linkedin(path: Path, n: int) -> None:
    buf = io.StringIO(newline="")
    buf.write('Notes:\r\n"When exporting your connection data, you may notice that some of the email '
              'addresses are missing."\r\n\r\n')
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    for i, c in enumerate(make_contacts(n)):
        first, _, last = c.name.partition(" ")
        w.writerow([
            first, last, f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{i}",
            c.emails[0] if c.emails and i % 5 == 0 else "",
            "Acme, Inc." if i % 3 else 'The "Best" Company',
            "VP, Engineering" if i % 2 else "Engineer",
            f"{1 + i % 28:02d} {months[i % 12]} {2010 + i % 16}",
        ])
    path.write_text(buf.getvalue(), encoding="utf-8-sig", newline="")


def _fold(line: str) -> str:
    return line[:75] + "".join("\r\n " + line[k:k + 74] for k in range(75, len(line), 74))


def write_vcards(path: Path, n: int) -> None:
    out: list[str] = []
    for i, c in enumerate(make_contacts(n)):
        given, _, family = c.name.partition(" ")
        home = c.places[0].place
        lines = [
            "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.4//EN",
            f"N:{family};{given};;;", f"FN:{c.name}",
            "ORG:Acme\\, Inc.;Research", "TITLE:VP, Engineering",
            *(f"item1.EMAIL;type=INTERNET;type=pref:{e}" for e in c.emails[:1]),
            "item1.X-ABLabel:_$!<Work>!$_",
            *(f"TEL;type=CELL;type=VOICE:{p}" for p in c.phones),
            f"item2.ADR;type=HOME;type=pref:;;Main Street {i};{home.name};{home.region};;{home.country}",
            "item2.X-ABADR:us",
            f"GEO:{home.lat};{home.lon}",
            _fold("NOTE:" + (c.how_we_met or "Met at a conference") + "\\, and we talked for a long while "
                  "about property-based testing and the best coffee in town."),
            "CATEGORIES:" + ",".join(c.tags or ("Coworkers",)),
            f"X-SOCIALPROFILE;type=linkedin:https://www.linkedin.com/in/p{i}",
            "BDAY:1990-02-03",
            f"UID:{i:08d}-4F89-11D3-9A0C-0305E82C3301",
        ]
        if i % 10 == 0:
            lines.append(_fold("PHOTO;ENCODING=b;TYPE=JPEG:" + PHOTO))
        lines.append("END:VCARD")
        out.append("\r\n".join(lines) + "\r\n")
    path.write_text("".join(out), encoding="utf-8", newline="")


def timed(fn, repeat: int = 3) -> tuple[str, object]:
    """Median wall and CPU time (CPU is steadier on a shared machine), and the last result."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return f"{statistics.median(times):6.2f} s wall, {statistics.median(cpu):5.2f} s cpu", result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        li = root / "Connections.csv"
        write_linkedin(li, 30_000)
        v3k, v30k = root / "3k.vcf", root / "30k.vcf"
        write_vcards(v3k, 3_000)
        write_vcards(v30k, 30_000)
        print(f"files: LinkedIn 30k rows {li.stat().st_size / 1e6:.1f} MB, vCard 3k "
              f"{v3k.stat().st_size / 1e6:.1f} MB, 30k {v30k.stat().st_size / 1e6:.1f} MB")

        t, r = timed(lambda: read_linkedin(li))
        print(f"LinkedIn 30,000 rows:        {t}  ({len(r.records)} people)   target <= 1.5 s")

        t, r = timed(lambda: read_vcard(v3k))
        print(f"vCard 3,000 cards:           {t}  ({len(r.records)} people)   target <= 2 s")

        import vobject

        text = v3k.read_text(encoding="utf-8")
        t_base, n = timed(lambda: sum(1 for _ in vobject.readComponents(text, allowQP=True)), repeat=1)
        print(f"  baseline vobject.readComponents, same 3,000 cards (no mapping): {t_base}")

        ticks: list[int] = []
        t, r = timed(lambda: read_vcard(v30k, progress=lambda d, total: ticks.append(d)), repeat=1)
        print(f"vCard 30,000 cards:          {t}  ({len(r.records)} people, "
              f"{len(ticks)} progress calls)")


if __name__ == "__main__":
    main()
