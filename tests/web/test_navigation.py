"""The landing page and the navigation: each role sees only where it may go."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LINKS = {
    "intake": 'href="/intake/"',
    "inbox": 'href="/inbox/"',
    "cases": 'href="/cases/"',
    "search": 'href="/search/"',
    "notifications": 'href="/notifications/"',
    "routing": 'href="/routing/"',
    "supervision": 'href="/supervision/overdue/"',
    "reports": 'href="/reports/"',
    "proceedings": 'href="/proceedings/tips/"',
    "admin": 'href="/admin/"',
}
SEES = {
    "demo-hotline": {"intake", "inbox", "cases", "search", "notifications"},
    "demo-police": {"inbox", "cases", "search", "notifications", "proceedings"},
    "demo-social": {"inbox", "cases", "search", "notifications"},
    "demo-supervisor": {"cases", "search", "notifications", "routing", "supervision", "reports"},
    "demo-admin": {"notifications", "admin"},
}
PAGES = {
    "intake": "/intake/",
    "inbox": "/inbox/",
    "cases": "/cases/",
    "search": "/search/",
    "reports": "/reports/",
    "routing": "/routing/",
    "supervision": "/supervision/overdue/",
    "proceedings": "/proceedings/tips/",
}


def test_signed_out_people_are_sent_to_sign_in():
    assert Client().get("/").url.startswith("/login/")
    assert Client().get("/intake/").url.startswith("/login/")


@pytest.mark.parametrize("username", sorted(SEES))
def test_each_role_sees_exactly_its_links_and_may_follow_them(client_for, username):
    client = client_for(username)
    html = client.get("/").content.decode()
    nav = html.split('class="areas"', 1)[1].split("</nav>", 1)[0]
    shown = {area for area, link in LINKS.items() if link in nav}
    assert shown == SEES[username]
    for area, url in PAGES.items():
        status = client.get(url).status_code
        assert (status == 200) == (area in SEES[username]), (area, status)


def test_the_unread_badge_counts_unread_notifications(client_for, user_named):
    from notifications.models import Notification, OutboxMessage

    police = user_named("demo-police")
    for n in range(2):
        message = OutboxMessage.objects.create(
            idempotency_key=f"k{n}", recipient=police, channel="in_app", subject="s", body="b"
        )
        Notification.objects.create(recipient=police, message=message, subject="s", body="b")
    client = client_for("demo-police")
    assert 'class="badge"' in client.get("/").content.decode()
    assert ">2</span>" in client.get("/").content.decode()
    assert client.get("/notifications/").status_code == 200
    assert 'class="badge"' not in client.get("/").content.decode()


def test_pages_are_vietnamese_by_default_and_english_on_request(client_for):
    client = client_for("demo-police")
    assert "Hộp việc" in client.get("/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Inbox" in client.get("/").content.decode()


def test_admin_is_branded_and_shows_no_case_data(client_for):
    from django.contrib import admin

    html = client_for("demo-admin").get("/admin/").content.decode()
    assert "Quản trị Lối Về" in html
    registered = {model._meta.app_label for model in admin.site._registry}
    assert not registered & {"cases", "referrals", "workflows", "viewflow"}


def test_api_docs_are_served_without_the_internet(client_for):
    html = client_for("demo-police").get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr" not in html
