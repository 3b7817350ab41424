"""Accessibility of every page of the web interface: each form control has a label a screen
reader announces, every page starts with a skip link to its content, and the style sheet
keeps a visible focus ring (WCAG 2.2: 1.3.1, 2.4.1, 2.4.7, 4.1.2)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from referrals.models import Referral

pytestmark = pytest.mark.django_db

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class Controls(HTMLParser):
    """The page's form controls, which of them a <label> names, and the page's landmarks."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.links: list[dict] = []
        self._open_labels = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "label":
            self._open_labels += 1
            if attributes.get("for"):
                self.label_for.add(attributes["for"])
        elif tag == "a":
            self.links.append(attributes)
        elif tag in ("input", "select", "textarea") and (
            attributes.get("type", "text") not in UNLABELLED_TYPES
        ):
            self.controls.append(attributes | {"_in_label": self._open_labels > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self._open_labels -= 1

    def unlabelled(self) -> list[str]:
        return [
            control.get("name") or control.get("id") or "?"
            for control in self.controls
            if not (
                control["_in_label"]
                or control.get("id") in self.label_for
                or control.get("aria-label")
                or control.get("aria-labelledby")
            )
        ]


def _parsed(client: Client, url: str, method: str = "get", data=None) -> Controls:
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    parsed = Controls()
    parsed.feed(response.content.decode())
    return parsed


@pytest.fixture
def pages(hotline_case, client_for, user_named):
    """(who, url) of every page of the web interface, with a case to show and forms on it."""
    police = client_for("demo-police")
    police.post(f"/referrals/{Referral.objects.get(case=hotline_case).uuid}/accept/")
    case = f"/cases/{hotline_case.uuid}/"
    visits = [
        (None, "/login/"),
        *[(who, "/") for who in ("demo-hotline", "demo-police", "demo-supervisor", "demo-admin")],
        ("demo-hotline", "/intake/"),
        ("demo-hotline", f"/intake/{hotline_case.uuid}/"),
        ("demo-police", "/inbox/"),
        ("demo-police", "/cases/"),
        ("demo-police", case),  # with every record form and the referral form
        ("demo-police", f"/search/?q={hotline_case.number}"),
        ("demo-police", "/notifications/"),
        ("demo-supervisor", case),  # the reason asked before identity is shown
        ("demo-supervisor", "/routing/"),
        ("demo-supervisor", "/reports/"),
        ("demo-supervisor", "/supervision/overdue/"),
        ("demo-supervisor", "/supervision/timeliness/"),
        ("demo-supervisor", f"/supervision/cases/{hotline_case.uuid}/timeline/"),
    ]
    visits.append(("unverified-supervisor", "/security/two-factor/"))
    unverified = Client(HTTP_ACCEPT_LANGUAGE="vi")
    unverified.force_login(user_named("demo-supervisor"))  # asked for the second factor
    clients = {None: Client(HTTP_ACCEPT_LANGUAGE="vi"), "unverified-supervisor": unverified}
    return [
        (clients.get(who) or clients.setdefault(who, client_for(who)), url) for who, url in visits
    ]


def test_every_form_control_has_a_label_and_every_page_a_skip_link(pages):
    problems = {}
    for client, url in pages:
        page = _parsed(client, url)
        if unlabelled := page.unlabelled():
            problems[url] = unlabelled
        skip = page.links[0] if page.links else {}
        if "skip" not in skip.get("class", "") or skip.get("href") != "#main":
            problems[url] = "the first link is not the skip link to #main"
        if "main" not in page.ids:
            problems[url] = "no element with id main"
    assert problems == {}
    assert sum(len(_parsed(c, u).controls) for c, u in pages) > 40  # the forms were there


def test_the_live_duplicate_warning_is_labelled_too(hotline_case, client_for):
    html = client_for("demo-hotline").post("/intake/check/", {"caller_phone": "0912345678"})
    page = Controls()
    page.feed(html.content.decode())
    assert 'class="link-case"' in html.content.decode() and page.unlabelled() == []


def test_the_focus_ring_is_visible_and_never_removed():
    css = (Path(settings.BASE_DIR) / "static" / "loive.css").read_text()
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*[2-9]px solid", css)
    assert not re.search(r"outline:\s*(none|0)\b", css)
    assert re.search(r"\.skip:focus\s*\{[^}]*left:\s*\.5rem", css)  # the skip link shows
