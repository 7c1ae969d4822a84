"""Ways to reach someone as exports write them: e-mails, phones, profile URLs, IM handles.

All three importers use these, so "the same LinkedIn profile" or "the same Mastodon account"
means the same thing whichever file it came from.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

__all__ = [
    "clean_email",
    "clean_phone",
    "handle_from_impp",
    "handle_from_url",
    "linkedin_url",
    "service_name",
]

# Service names as exports spell them -> the one name irlmeet uses.
_SERVICES = {
    "twitter": "x",
    "x": "x",
    "x.com": "x",
    "mastodon": "mastodon",
    "fediverse": "mastodon",
    "bluesky": "bluesky",
    "bsky": "bluesky",
    "signal": "signal",
    "telegram": "telegram",
    "matrix": "matrix",
    "element": "matrix",
    "skype": "skype",
    "xmpp": "xmpp",
    "jabber": "xmpp",
    "googletalk": "xmpp",
    "gtalk": "xmpp",
    "google talk": "xmpp",
    "whatsapp": "whatsapp",
    "github": "github",
    "gitlab": "gitlab",
    "instagram": "instagram",
    "facebook": "facebook",
    "threads": "threads",
    "icq": "icq",
    "aim": "aim",
    "msn": "msn",
    "yahoo": "yahoo",
    "ymsgr": "yahoo",
    "msnim": "msn",
    "qq": "qq",
    "gadugadu": "gadugadu",
    "sip": "sip",
    "irc": "irc",
    "wechat": "wechat",
    "line": "line",
    "teams": "teams",
    "zoom": "zoom",
    "discord": "discord",
    "slack": "slack",
}


def service_name(text: str) -> str:
    """``"Twitter"`` -> ``"x"``, ``"GoogleTalk"`` -> ``"xmpp"``; unknown names lower-cased."""
    key = text.strip().lower()
    known = _SERVICES.get(key) or _SERVICES.get(key.replace(" ", ""))
    return known or re.sub(r"[^\w]+", "-", key).strip("-")


_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def clean_email(value: str) -> str | None:
    """``'"Ana" <ana@x.org>'``, ``mailto:ana@x.org`` -> ``ana@x.org``; ``None`` if not an address."""
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if "<" in text:
        text = parseaddr(text)[1]
    text = text.strip().strip("<>").strip()
    return text if _EMAIL.match(text) else None


def clean_phone(value: str) -> str | None:
    text = value.strip()
    if text.lower().startswith("tel:"):
        text = unquote(text[4:]).split(";", 1)[0]
    text = text.strip()
    return text if any(ch.isdigit() for ch in text) else None


_LINKEDIN_IN = re.compile(
    r"^(?:https?://)?(?:[a-z]{2,3}\.|www\.)?linkedin\.com/in/([^/?#\s]+)/?(?:[?#]\S*)?$", re.IGNORECASE
)


def linkedin_url(value: str) -> str | None:
    """A LinkedIn profile as ``https://www.linkedin.com/in/<slug>``, or ``None`` if it is not one.

    Accepts any scheme or none, country subdomains (``de.linkedin.com``), a trailing slash,
    query strings, and percent-encoded slugs; the slug is lower-cased (LinkedIn ignores case).
    """
    text = value.strip()
    if not text:
        return None
    if fast := _LINKEDIN_IN.match(text):  # the common shape, without urlsplit's cost
        return f"https://www.linkedin.com/in/{unquote(fast.group(1)).lower()}"
    if "://" not in text:
        text = "https://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if segments[:1] == ["mwlite"]:
        segments = segments[1:]
    if len(segments) >= 2 and segments[0].lower() == "in":
        return f"https://www.linkedin.com/in/{segments[1].lower()}"
    if len(segments) >= 2 and segments[0].lower() == "pub":
        return "https://www.linkedin.com/" + "/".join(s.lower() for s in segments)
    return None


# host -> service for URLs whose first path segment is the account.
_URL_HOSTS = {
    "twitter.com": "x",
    "x.com": "x",
    "github.com": "github",
    "gitlab.com": "gitlab",
    "instagram.com": "instagram",
    "facebook.com": "facebook",
    "t.me": "telegram",
    "telegram.me": "telegram",
}
_NOT_ACCOUNTS = {"home", "share", "intent", "hashtag", "search", "i", "profile.php", "pages"}


def handle_from_url(url: str, service_hint: str = "") -> tuple[str, str] | None:
    """``(service, handle)`` for a profile URL on a known network, else ``None``.

    ``https://twitter.com/ana`` -> ``("x", "@ana")``, ``https://bsky.app/profile/ana.bsky.social``
    -> ``("bluesky", "ana.bsky.social")``, ``https://chaos.social/@ana`` -> ``("mastodon",
    "@ana@chaos.social")``, ``https://matrix.to/#/@ana:matrix.org`` -> ``("matrix",
    "@ana:matrix.org")``. ``service_hint`` (an export's own TYPE) decides for unknown hosts.
    """
    text = url.strip()
    if "://" not in text:
        if "/" not in text or " " in text:
            return None
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("mobile.")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    hint = service_name(service_hint) if service_hint else ""
    if host == "matrix.to" and parts.fragment.startswith("/@"):
        return ("matrix", parts.fragment[1:])
    if host == "bsky.app" and len(segments) >= 2 and segments[0] == "profile":
        return ("bluesky", segments[1].lstrip("@"))
    if host in ("threads.net", "threads.com") and segments and segments[0].startswith("@"):
        return ("threads", segments[0])
    if host == "signal.me" and parts.fragment.startswith("p/"):
        return ("signal", parts.fragment[2:])
    service = _URL_HOSTS.get(host)
    if service and segments and segments[0].lower() not in _NOT_ACCOUNTS:
        account = segments[0].lstrip("@")
        return (service, "@" + account if service in ("x", "telegram") else account)
    # Mastodon and other fediverse servers: https://host/@user
    fediverse = segments and segments[0].startswith("@") and len(segments[0]) > 1 and host != "medium.com"
    if fediverse and hint in ("", "mastodon") and "@" not in segments[0][1:]:
        return ("mastodon", f"{segments[0]}@{host}")
    if hint and hint not in ("linkedin",) and segments:
        return (hint, segments[-1])
    return None


_IMPP_SCHEMES = {
    "xmpp": "xmpp",
    "skype": "skype",
    "sip": "sip",
    "aim": "aim",
    "ymsgr": "yahoo",
    "msnim": "msn",
    "icq": "icq",
    "irc": "irc",
    "matrix": "matrix",
    "gg": "gadugadu",
    "qq": "qq",
    "sgnl": "signal",
    "tg": "telegram",
}


def handle_from_impp(value: str, service_type: str = "") -> tuple[str, str] | None:
    """An IMPP URI (``xmpp:ana@x.org``, ``skype:ana``, ``x-apple:ana``) as ``(service, handle)``."""
    text = value.strip()
    if not text:
        return None
    scheme, sep, rest = text.partition(":")
    if not sep:
        scheme, rest = "", text
    scheme = scheme.lower()
    rest = unquote(rest).lstrip("/")
    if scheme in ("http", "https"):
        return handle_from_url(text, service_type)
    if scheme == "matrix":  # matrix:u/ana:matrix.org
        kind, _, ident = rest.partition("/")
        sigil = {"u": "@", "r": "#", "roomid": "!"}.get(kind, "@")
        return ("matrix", sigil + ident if ident else rest)
    service = service_name(service_type) if service_type else _IMPP_SCHEMES.get(scheme, "")
    if not service:
        service = scheme or "im"
    rest = rest.split("?", 1)[0]
    return (service, rest) if rest else None
