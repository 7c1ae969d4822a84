"""Where a draft goes: each channel's form, length cap and address, and the default channel.

=============  =========================================  =====================================
channel        form                                       cap (settable in ``[drafts]``)
=============  =========================================  =====================================
email          subject (3-4 words) and a body             ``email_max_words`` words (125)
linkedin-note  a connection request's note                ``linkedin_note_cap`` characters (200)
dm             LinkedIn message, Mastodon, Bluesky, X...  ``dm_cap`` (500; Bluesky 300, X 280)
sms            a text message                             ``sms_cap`` characters (320)
post           the group post for a group evening         ``post_cap`` characters (280)
=============  =========================================  =====================================
"""

from __future__ import annotations

from dataclasses import dataclass

from irlmeet.core.models import Channel, Contact
from irlmeet.core.settings import DraftSettings

__all__ = ["Route", "cap_for", "default_channel", "parse_channel", "route"]

#: What the services themselves allow in one post or message.
SERVICE_CAPS = {"bluesky": 300, "x": 280, "threads": 500, "mastodon": 500}

_ALIASES = {"linkedin": Channel.LINKEDIN_NOTE, "note": Channel.LINKEDIN_NOTE, "text": Channel.SMS,
            "message": Channel.DM, "mail": Channel.EMAIL}


def parse_channel(value: Channel | str) -> Channel:
    if isinstance(value, str) and value.strip().lower() in _ALIASES:
        return _ALIASES[value.strip().lower()]
    return Channel.parse(value, "channel")


@dataclass(frozen=True, slots=True)
class Route:
    """Where one draft goes: the address (an email, a handle, a URL, a number; "" when irlmeet
    has none) and what service carries a DM (``linkedin``, ``mastodon``...)."""

    to: str
    service: str = ""


def default_channel(contact: Contact) -> Channel:
    """The contact's preferred channel, then whatever they have: email, a handle, LinkedIn, a phone."""
    pref = contact.preferred
    if pref == "email":
        return Channel.EMAIL
    if pref == "phone":
        return Channel.SMS
    if pref:  # linkedin (a connection: a message) or a handle's service
        return Channel.DM
    if contact.emails:
        return Channel.EMAIL
    if contact.handles or contact.linkedin:
        return Channel.DM
    if contact.phones:
        return Channel.SMS
    return Channel.EMAIL


def route(contact: Contact, channel: Channel) -> Route:
    if channel is Channel.EMAIL:
        return Route(contact.emails[0] if contact.emails else "")
    if channel is Channel.SMS:
        return Route(contact.phones[0] if contact.phones else "")
    if channel is Channel.LINKEDIN_NOTE:
        return Route(contact.linkedin, "linkedin")
    if channel is Channel.DM:
        order = [contact.preferred] if contact.preferred in contact.handles or contact.preferred == "linkedin" else []
        order += list(contact.handles) + ["linkedin"]
        for service in order:
            if service == "linkedin" and contact.linkedin:
                return Route(contact.linkedin, "linkedin")
            if service in contact.handles:
                return Route(f"{service}: {contact.handles[service]}", service)
        return Route("")
    return Route("")  # a post goes to your own feed or group


def cap_for(channel: Channel, caps: DraftSettings, service: str = "") -> int | None:
    """The channel's cap in characters; None for email (its cap is in words)."""
    if channel is Channel.LINKEDIN_NOTE:
        return caps.linkedin_note_cap
    if channel is Channel.DM:
        return min(caps.dm_cap, SERVICE_CAPS.get(service, caps.dm_cap))
    if channel is Channel.SMS:
        return caps.sms_cap
    if channel is Channel.POST:
        return caps.post_cap
    return None


def missing_address(contact: Contact, channel: Channel) -> str:
    """A hint when irlmeet has no address for the channel, else ""."""
    what = {
        Channel.EMAIL: ("no email address", "--email"),
        Channel.SMS: ("no phone number", "--phone"),
        Channel.LINKEDIN_NOTE: ("no LinkedIn URL", "--linkedin"),
        Channel.DM: ("no handle or LinkedIn URL", "--handle SERVICE:HANDLE or --linkedin"),
    }.get(channel)
    if what is None or route(contact, channel).to:
        return ""
    return f"irlmeet has {what[0]} for {contact.name}: add one with `irlmeet contact edit` {what[1]}"
