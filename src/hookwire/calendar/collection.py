"""Reading a calendar over CalDAV: what changed since the last sync, and the changed objects.

What changed comes from a sync-collection report (RFC 6578) with the last sync token: one
request, empty when nothing did. A server without sync tokens (or one that forgot ours) is
asked for its ctag, and when that moved, for the etag of every object it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import caldav
from caldav.elements import cdav, dav
from caldav.elements.base import BaseElement, ValuedBaseElement
from caldav.lib import error as caldav_error
from lxml import etree


class GetCtag(ValuedBaseElement):
    """The calendar's change tag (a CalendarServer extension most servers offer)."""

    tag = "{http://calendarserver.org/ns/}getctag"


@dataclass(frozen=True)
class Listing:
    """What changed in a calendar: etag by object href (None for an object deleted);
    ``complete`` when it lists every object (a first listing, or one by etags), so an href
    it leaves out is gone. ``sync_token`` and ``ctag`` are what to compare with next time."""

    etags: dict[str, str | None]
    complete: bool
    sync_token: str | None
    ctag: str | None

    def as_cursor(self) -> dict[str, str | None]:
        return {"syncToken": self.sync_token, "ctag": self.ctag}


@dataclass(frozen=True)
class CalendarObject:
    """A calendar object as fetched: ``text`` is None when it was deleted meanwhile."""

    href: str
    etag: str
    text: str | None


def object_href(url: object) -> str:
    """An object's path, decoded: one spelling for every answer that names it."""
    return unquote(urlsplit(str(url)).path)


def list_changes(calendar: caldav.Calendar, known: dict[str, Any]) -> Listing | None:
    """What changed since ``known`` (the calendar's cursor; empty the first time); None when
    nothing did."""
    if known.get("ctag") is not None and known.get("syncToken") is None:
        return _by_ctag(calendar, known["ctag"])  # a server without sync tokens
    for token in dict.fromkeys((known.get("syncToken"), None)):
        try:
            return _by_token(calendar, token)
        except caldav_error.DAVError:
            # An unknown token is refused (403, RFC 6578's valid-sync-token): list it all;
            # refused without a token too, the server has no sync-collection.
            continue
    return _by_ctag(calendar, None)


def fetch_objects(calendar: caldav.Calendar, hrefs: Sequence[str]) -> list[CalendarObject]:
    """The objects at ``hrefs`` with their etags, in one calendar-multiget report; one the
    answer leaves out or has no data for was deleted."""
    body = cdav.CalendarMultiGet().append(
        (
            _prop(dav.GetEtag(), cdav.CalendarData()),
            *(dav.Href(value=quote(href)) for href in hrefs),
        )
    )
    answer = _report(calendar, body)
    found = {
        object_href(href): props
        for href, props in answer.expand_simple_props([dav.GetEtag(), cdav.CalendarData()]).items()
    }
    objects = []
    for href in hrefs:
        props = found.get(href, {})
        text = props.get(cdav.CalendarData.tag)
        objects.append(CalendarObject(href, props.get(dav.GetEtag.tag) or "", text or None))
    return objects


def _by_token(calendar: caldav.Calendar, token: str | None) -> Listing | None:
    changes = calendar.objects_by_sync_token(token, load_objects=False)
    etags = {object_href(item.url): item.props.get(dav.GetEtag.tag) for item in changes}
    new_token = str(changes.sync_token) if changes.sync_token else None
    if token is not None and not etags and new_token == token:
        return None
    return Listing(etags, complete=token is None, sync_token=new_token, ctag=None)


def _by_ctag(calendar: caldav.Calendar, known_ctag: str | None) -> Listing | None:
    ctag = calendar.get_properties([GetCtag()]).get(GetCtag.tag)
    if ctag is not None and ctag == known_ctag:
        return None
    body = dav.Propfind().append(_prop(dav.GetEtag()))
    answer = calendar.client.propfind(str(calendar.url), _xml(body), depth=1)
    _check(answer, calendar)
    own = object_href(calendar.url).rstrip("/")
    etags: dict[str, str | None] = {}
    for href, props in answer.expand_simple_props([dav.GetEtag()]).items():
        etag = props.get(dav.GetEtag.tag)
        if etag and object_href(href).rstrip("/") != own:  # the calendar answers for itself
            etags[object_href(href)] = etag
    return Listing(etags, complete=True, sync_token=None, ctag=ctag)


def _prop(*names: BaseElement) -> BaseElement:
    return dav.Prop().append(names)


def _report(calendar: caldav.Calendar, body: BaseElement) -> Any:
    answer = calendar.client.report(str(calendar.url), _xml(body), depth=1)
    _check(answer, calendar)
    return answer


def _check(answer: Any, calendar: caldav.Calendar) -> None:
    if answer.status >= 400:
        raise caldav_error.ReportError(f"{calendar.url} answered {answer.status} {answer.reason}")


def _xml(body: BaseElement) -> str:
    return etree.tostring(body.xmlelement(), encoding="utf-8", xml_declaration=True).decode()
