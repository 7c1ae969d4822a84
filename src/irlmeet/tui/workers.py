"""Running Service calls off the event loop, latest request wins."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.dom import DOMNode
from textual.message import Message

__all__ = ["LatestWins", "describe_error"]

K = TypeVar("K")

_UNSET: Any = object()


def describe_error(error: BaseException) -> str:
    """The message to show for an error raised by a Service call.

    IrlmeetErrors are written for the user; anything else is a bug in irlmeet, said plainly
    (no traceback on screen; Textual's log has the details).
    """
    from irlmeet.core.errors import IrlmeetError
    from irlmeet.core.text import visible

    # Messages quote what was stored or typed: shown escaped, never obeyed by the terminal.
    if isinstance(error, IrlmeetError):
        return visible(str(error), lines=True)
    if isinstance(error, OSError):
        return visible(f"{error.filename + ': ' if error.filename else ''}{error.strerror or error}", lines=True)
    return visible(f"Unexpected error (a bug in irlmeet, please report it): {type(error).__name__}: {error}", lines=True)


class LatestWins(Generic[K]):
    """Compute ``compute(key)`` in a thread worker; deliver only the latest request's result.

    At most one worker runs per instance. A request made while it is busy replaces any earlier
    waiting one, and the worker picks it up when it finishes the current computation, so moving
    quickly through a list never queues up stale work and never shows a stale result. The result
    (or the exception) is posted to ``target`` as the message ``deliver(key, result, error)``.
    """

    def __init__(
        self,
        target: DOMNode,
        group: str,
        compute: Callable[[K], Any],
        deliver: Callable[[K, Any, BaseException | None], Message],
    ) -> None:
        self._target = target
        self._group = group
        self._compute = compute
        self._deliver = deliver
        self._lock = threading.Lock()
        self._wanted: Any = _UNSET
        self._generation = 0
        self._busy = False

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._busy

    def request(self, key: K) -> None:
        """Ask for ``key`` (call from the event loop)."""
        with self._lock:
            self._wanted = key
            self._generation += 1
            if self._busy:
                return
            self._busy = True
        self._target.run_worker(
            self._run, name=f"{self._group} worker", group=self._group, thread=True, exit_on_error=False
        )

    def _run(self) -> None:
        while True:
            with self._lock:
                key, generation = self._wanted, self._generation
            result: Any = None
            error: BaseException | None = None
            try:
                result = self._compute(key)
            except Exception as exc:  # noqa: BLE001 - delivered to the UI, which shows it
                error = exc
            with self._lock:
                if generation == self._generation:
                    self._busy = False
                    break
        self._target.post_message(self._deliver(key, result, error))
