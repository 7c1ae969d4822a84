"""Figures for the data file at 1k / 10k / 30k contacts, and TinyDB's stock storage for comparison.

Run: ``python bench/bench_store.py [sizes...]`` (default 1000 10000 30000).

Each size runs in fresh processes so the figures do not borrow warm caches from each other:
one process builds the file (bulk import), another opens it and edits it the way the app
does, and reports its own peak RSS. "Before" is TinyDB's default ``JSONStorage`` doing the
same single edit at 30k (it rewrites the whole file in place on every write).
"""

from __future__ import annotations

import dataclasses
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

EDITS = 50


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1]


def phase_build(path: Path, n: int) -> dict:
    """Bulk import ``n`` contacts into a new file, then close."""
    from gen import make_contacts

    from irlmeet.core.store import Store

    cs = make_contacts(n)
    s = Store(path)
    t0 = time.perf_counter()
    s.put_contacts(cs)
    bulk = time.perf_counter() - t0
    s.close()
    return {"bulk": bulk, "size": path.stat().st_size, "build_rss": _peak_rss_mb()}


def phase_use(path: Path) -> dict:
    """Open, read, edit, compact and close, timing each, in a fresh process."""
    from irlmeet.core.store import Store

    t0 = time.perf_counter()
    s = Store(path)
    opened = time.perf_counter() - t0
    reads = []
    for _ in range(5):
        t0 = time.perf_counter()
        cs = s.contacts()
        reads.append(time.perf_counter() - t0)
    edits = []
    for i in range(EDITS):
        c = dataclasses.replace(cs[(i * 7919) % len(cs)], notes=f"bench edit {i}")
        t0 = time.perf_counter()
        s.put_contact(c)
        edits.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    s.compact()
    compact = time.perf_counter() - t0
    for i in range(EDITS):
        s.put_contact(dataclasses.replace(cs[i], notes=f"second edit {i}"))
    t0 = time.perf_counter()
    s.close()
    close = time.perf_counter() - t0
    return {
        "open": opened,
        "contacts": statistics.median(reads),
        "edit_median": statistics.median(edits),
        "edit_p95": _p95(edits),
        "compact": compact,
        "close": close,
        "use_rss": _peak_rss_mb(),
    }


def phase_tinydb_default(path: Path, n: int) -> dict:
    """TinyDB's stock JSONStorage: bulk insert, then single edits by doc id."""
    from gen import make_contacts
    from tinydb import TinyDB

    docs = [c.to_dict() for c in make_contacts(n)]
    db = TinyDB(path)
    table = db.table("contacts")
    t0 = time.perf_counter()
    ids = table.insert_multiple(docs)
    bulk = time.perf_counter() - t0
    edits = []
    for i in range(7):
        t0 = time.perf_counter()
        table.update({"notes": f"edit {i}"}, doc_ids=[ids[i * 1000]])
        edits.append(time.perf_counter() - t0)
    db.close()
    t0 = time.perf_counter()
    db = TinyDB(path)
    n_read = len(db.table("contacts").all())
    reopen = time.perf_counter() - t0
    db.close()
    assert n_read == n
    return {"bulk": bulk, "edit_median": statistics.median(edits), "edit_max": max(edits), "open": reopen,
            "size": path.stat().st_size}


def _child(phase: str, path: Path, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, str(path), str(n)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.splitlines()[-1])


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="irlmeet-bench-") as tmp:
        rows = []
        for n in sizes:
            path = Path(tmp) / f"n{n}" / "irlmeet.json"
            built = _child("build", path, n)
            used = _child("use", path, n)
            rows.append((n, built | used))
        print(f"irlmeet Store (journal + atomic rewrite); {EDITS} single edits per size")
        for n, r in rows:
            print(f"\n{n:,} contacts")
            print(f"  file size                  {r['size'] / 1e6:8.1f} MB")
            print(f"  bulk import put_contacts   {_ms(r['bulk'])}")
            print(f"  open (load + validate)     {_ms(r['open'])}")
            print(f"  contacts()                 {_ms(r['contacts'])}")
            print(f"  edit durable, median       {_ms(r['edit_median'])}")
            print(f"  edit durable, p95          {_ms(r['edit_p95'])}")
            print(f"  compact()                  {_ms(r['compact'])}")
            print(f"  close() (compacts)         {_ms(r['close'])}")
            print(f"  peak RSS build / use       {r['build_rss']:8.0f} MB / {r['use_rss']:.0f} MB")
        big = max(sizes)
        before = _child("tinydb", Path(tmp) / "tinydb" / "default.json", big)
        print(f"\nBefore: TinyDB default JSONStorage at {big:,} contacts")
        print(f"  file size                  {before['size'] / 1e6:8.1f} MB")
        print(f"  insert_multiple            {_ms(before['bulk'])}")
        print(f"  one edit, median of 7      {_ms(before['edit_median'])}  (max {before['edit_max'] * 1000:.0f} ms)")
        print(f"  open + all()               {_ms(before['open'])}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--phase":
        phase, path_arg, n_arg = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
        path_arg.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "build": lambda: phase_build(path_arg, n_arg),
            "use": lambda: phase_use(path_arg),
            "tinydb": lambda: phase_tinydb_default(path_arg, n_arg),
        }[phase]()
        print(json.dumps(result))
    else:
        main([int(a) for a in sys.argv[1:]] or [1000, 10_000, 30_000])
