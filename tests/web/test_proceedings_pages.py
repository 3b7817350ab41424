"""The criminal-track pages: tips with their time limits (overdue first) and their steps as
forms, criminal cases with their steps, offenders' identity only for the case's units (read
audited), linked victims' cases; another unit's tip or case is a 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proceedings import services as track
from proceedings.models import CriminalCase, Tip
from security.models import AuditEvent

pytestmark = pytest.mark.django_db


def _tip(user, days_ago: int = 0, content: str = "Tin báo thử") -> Tip:
    return track.record_tip(
        user,
        track.TipData(
            kind="report",
            content=content,
            reported_at=timezone.now() - timedelta(days=days_ago),
            offence="art150",
        ),
    )


def _step(client, tip: Tip, step: str, **fields):
    data = {f"{step}-{name}": value for name, value in fields.items()}
    response = client.post(f"/proceedings/tips/{tip.uuid}/{step}/", data)
    assert response.status_code == 302, response.status_code
    return client.get(response.url).content.decode()


@pytest.fixture
def police(client_for, user_named):
    return client_for("demo-police"), user_named("demo-police")


def test_the_list_puts_overdue_tips_first_with_the_time_left(police):
    client, officer = police
    recent = _tip(officer, days_ago=1)
    late = _tip(officer, days_ago=25)  # the 20-day limit passed five days ago
    html = client.get("/proceedings/tips/").content.decode()
    assert html.index(str(late.uuid)) < html.index(str(recent.uuid))
    late_row = html.split(f'data-tip="{late.uuid}"', 1)[1].split("</tr>", 1)[0]
    assert "quá hạn 5 ngày" in late_row
    assert timezone.localtime(late.due_at).strftime("%d/%m/%Y") in late_row
    recent_row = html.split(f'data-tip="{recent.uuid}"', 1)[1].split("</tr>", 1)[0]
    assert "còn 18 ngày" in recent_row and "quá hạn" not in recent_row


def test_a_tip_goes_through_its_steps_as_forms(police):
    client, officer = police
    tip = _tip(officer)
    page = client.get(f"/proceedings/tips/{tip.uuid}/").content.decode()
    for step in ("start_verification", "classify", "extend", "resolve"):
        assert f'data-step="{step}"' in page
    assert "Bộ luật Tố tụng hình sự" in page or "Criminal Procedure Code" in page
    _step(client, tip, "start_verification")
    page = _step(client, tip, "extend", reason="Phải xác minh ở Trung Quốc")
    assert 'data-step="extend"' not in page
    page = _step(client, tip, "suspend")  # the reason is missing: refused, nothing changed
    tip.refresh_from_db()
    assert tip.state == "verifying" and "lý do" in page.lower()
    _step(client, tip, "suspend", reason="Chờ kết quả giám định")
    _step(client, tip, "resume")
    page = _step(
        client, tip, "resolve", outcome="case_opened", decision_number="01/QĐ", summary="Vụ án thử"
    )
    tip.refresh_from_db()
    assert tip.state == "resolved" and tip.outcome == "case_opened"
    cc = CriminalCase.objects.get(tip=tip)
    assert f"/proceedings/cases/{cc.uuid}/" in page
    assert 'data-step="' not in page  # nothing left to do


def test_another_units_tip_is_not_found(police, client_for):
    tip = _tip(police[1])
    other = client_for("qt-police-caseworker")
    assert other.get(f"/proceedings/tips/{tip.uuid}/").status_code == 404
    response = other.post(f"/proceedings/tips/{tip.uuid}/start_verification/", {})
    assert response.status_code == 404
    tip.refresh_from_db()
    assert tip.state == "received"
    assert str(tip.uuid) not in other.get("/proceedings/tips/").content.decode()


@pytest.mark.parametrize("username", ["demo-social", "demo-hotline", "demo-supervisor"])
def test_units_off_the_criminal_track_are_refused(client_for, username):
    client = client_for(username)
    assert client.get("/proceedings/tips/").status_code == 403
    assert client.get("/proceedings/cases/").status_code == 403


@pytest.fixture
def criminal_case(police, user_named, hotline_case):
    """A case opened on a tip, with an offender and the victim's case linked."""
    client, officer = police
    tip = _tip(officer)
    track.transition_tip(officer, tip, "start_verification")
    track.resolve_tip(officer, tip, outcome="case_opened", decision_number="01/QĐ-KTVA")
    cc = CriminalCase.objects.get(tip=tip)
    track.add_offender(
        officer, cc, track.OffenderData(role="recruiter", full_name="Lê Văn Mối", birth_year="1985")
    )
    track.link_victim_case(officer, cc, hotline_case)
    return cc


def test_the_case_page_shows_steps_offenders_and_the_victims_case(
    police, criminal_case, hotline_case
):
    client, officer = police
    page = client.get(f"/proceedings/cases/{criminal_case.uuid}/").content.decode()
    assert hotline_case.number not in page  # not before the police unit holds the case
    referral = hotline_case.referrals.get()
    assert client.post(f"/referrals/{referral.uuid}/accept/").status_code == 302
    before = AuditEvent.objects.filter(action="identity.read").count()
    page = client.get(f"/proceedings/cases/{criminal_case.uuid}/").content.decode()
    assert "Lê Văn Mối" in page and "01/QĐ-KTVA" in page
    assert AuditEvent.objects.filter(action="identity.read").count() == before + 1
    assert f"/cases/{hotline_case.uuid}/" in page and hotline_case.number in page
    assert 'data-step="conclude_investigation"' in page and 'data-step="indict"' not in page
    assert str(criminal_case.uuid) in client.get("/proceedings/cases/").content.decode()


def test_the_case_moves_from_police_to_procuracy_to_court(
    police, criminal_case, client_for, user_named
):
    client = police[0]
    url = f"/proceedings/cases/{criminal_case.uuid}/"
    client.post(f"{url}conclude_investigation/", {})
    criminal_case.refresh_from_db()
    assert criminal_case.state == "prosecution"
    assert 'data-step="' not in client.get(url).content.decode()  # the file left the police
    procuracy = client_for("lc-procuracy-caseworker")
    page = procuracy.get(url).content.decode()
    assert 'data-step="indict"' in page and "Lê Văn Mối" in page
    court = user_named("lc-court-caseworker")
    procuracy.post(f"{url}indict/", {"indict-court_unit": court.unit_id, "indict-number": "5/CT"})
    criminal_case.refresh_from_db()
    assert criminal_case.state == "trial" and criminal_case.court_unit_id == court.unit_id
    offender = criminal_case.offenders.get()
    judge = client_for("lc-court-caseworker")
    judge.post(
        f"{url}adjudicate/",
        {
            "adjudicate-number": "12/HSST",
            f"adjudicate-verdict_{offender.uuid}": "convicted",
            f"adjudicate-sentence_{offender.uuid}": "84",
        },
    )
    criminal_case.refresh_from_db()
    offender.refresh_from_db()
    assert criminal_case.state == "adjudicated" and offender.sentence_months == 84
    assert "Có tội" in judge.get(url).content.decode() or "84" in judge.get(url).content.decode()


def test_the_wrong_unit_cannot_make_a_step_and_others_do_not_find_the_case(
    police, criminal_case, client_for
):
    url = f"/proceedings/cases/{criminal_case.uuid}/"
    procuracy = client_for("lc-procuracy-caseworker")
    page = procuracy.get(procuracy.post(f"{url}conclude_investigation/", {}).url)
    criminal_case.refresh_from_db()
    assert criminal_case.state == "investigation"
    assert 'class="message error"' in page.content.decode()
    other = client_for("qt-police-caseworker")
    assert other.get(url).status_code == 404
    assert other.post(f"{url}conclude_investigation/", {}).status_code == 404
    assert client_for("lc-court-caseworker").get(url).status_code == 404  # not indicted yet
