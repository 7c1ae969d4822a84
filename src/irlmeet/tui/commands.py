"""The command palette's list of the current screen's actions, by name.

Every action has a :class:`~textual.binding.Binding` (with an id, the keymap contract), so the
palette lists exactly what the keys do, with the key beside each. It sits beside Textual's own
providers (``App.COMMANDS | {ScreenActions}``), so the theme picker and friends stay.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

__all__ = ["ScreenActions"]


class ScreenActions(Provider):
    """The enabled actions of the screen the palette was opened from, and the app's own."""

    def _actions(self) -> Iterator[tuple[str, str, DOMNode, Binding]]:
        seen: set[tuple[int, str]] = set()
        # Textual's own entries (Quit, Theme, Keys, ...) are listed by its provider already.
        system = {command.title.casefold() for command in self.app.get_system_commands(self.screen)}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            # Hidden bindings of widgets are navigation (arrows, enter); the screen's and the
            # app's are actions kept out of a crowded footer.
            if not active.enabled or not binding.description:
                continue
            if not binding.show and active.node not in (self.screen, self.app):
                continue
            if binding.description.casefold() in system:
                continue
            mark = (id(active.node), binding.action)
            if mark in seen:
                continue
            seen.add(mark)
            shown = binding.key_display or self.app.get_key_display(binding)
            yield binding.description, f"key: {shown}", active.node, binding

    async def discover(self) -> Hits:
        for name, help_text, node, binding in sorted(self._actions(), key=lambda a: a[0]):
            yield DiscoveryHit(name, partial(self.app.run_action, binding.action, node), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, node, binding in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, binding.action, node), help=help_text)
