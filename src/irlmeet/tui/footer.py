"""The footer every irlmeet screen shows: Textual's own, recomposed only when its keys change.

Textual's :class:`~textual.widgets.Footer` rebuilds all its keys each time the screen says its
bindings changed, and a screen says so several times in a row (shown, focused, the app's
``refresh_bindings``): right after the first paint that was three identical rebuilds of about
20 ms each on the event loop, while the opening worker waited for the GIL (issue 10). This one
rebuilds when what it would show differs from what it shows.
"""

from __future__ import annotations

from textual.widgets import Footer

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    """A :class:`~textual.widgets.Footer` that skips rebuilds which would draw the same keys."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[object, ...] | None = None  # what the last rebuild drew

    def _keys(self) -> tuple[object, ...]:
        """Everything the footer's compose reads: the shown bindings, enabled or not, with
        their tooltips; the palette key; and how keys are displayed."""
        shown = tuple(
            (binding.key, binding.action, binding.description, binding.key_display, binding.group, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )
        return (shown, self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE)

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
