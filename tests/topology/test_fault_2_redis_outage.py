"""Redis stopped during a burst of intakes: every intake is stored; the notifications written
meanwhile (referrals arriving) go out after Redis returns, once each."""

import time

import pytest

from .client import Api, Burst, Figures, wait_for

pytestmark = pytest.mark.topology

RETURNEE = {
    "channel": "border_handover",
    "purposes": ["forced_labour"],
    "destination_country": "LA",
    "narrative": "Returned from a plantation in Laos",
}
PENDING = """
SELECT count(*) FILTER (WHERE m.sent_at IS NULL),
       count(*) FILTER (WHERE m.sent_at IS NOT NULL),
       count(*) FILTER (WHERE m.channel = 'in_app'),
       (SELECT count(*) FROM notifications_notification n
        JOIN notifications_outboxmessage o ON o.id = n.message_id WHERE o.id > %(after)s),
       (SELECT count(*) FROM (SELECT message_id FROM notifications_notification
        WHERE message_id > %(after)s GROUP BY message_id HAVING count(*) > 1) d)
FROM notifications_outboxmessage m WHERE m.id > %(after)s
"""


def refer(border: Api, n: int) -> bool:
    victim = {"full_name": f"Lò Văn {n}", "birth_year": 1980 + n, "sex": "male"}
    opened = border.request("POST", "/api/v1/intakes/", {**RETURNEE, "victim": victim})
    assert opened.status == 201, opened
    case = opened.body["case"]["id"]
    consent = {
        "recipient_kind": "health_department",
        "purpose": "reception",
        "status": "given",
        "informed_how": "orally",
        "informed_language": "vi",
    }
    given = border.request("POST", f"/api/v1/cases/{case}/consents/", consent)
    assert given.status == 201, given
    body = {"case": case, "purpose": "reception", "to_unit": "ht-health_department"}
    sent = border.request("POST", "/api/v1/referrals/", body)
    assert sent.status == 201, sent
    return True


def test_redis_outage_loses_no_intake_and_delays_notifications(
    cluster, operator, cluster_db, report
):
    border = Api(operator.port, "ht-border_guard-caseworker", cluster.password())
    with cluster_db() as connection:
        after = connection.execute(
            "SELECT coalesce(max(id), 0) FROM notifications_outboxmessage"
        ).fetchone()[0]
    cluster.stop("redis")
    stopped_at = time.monotonic()
    burst = Burst(operator, 40, threads=4, retry_for=60).start()
    referrals = sum(refer(border, n) for n in range(5))
    burst.wait()
    readyz_during = cluster.readyz()[0]
    time.sleep(3)  # a beat tick or two without Redis: nothing can be sent
    with cluster_db() as connection:
        pending, sent_during, in_app, _, _ = connection.execute(
            PENDING, {"after": after}
        ).fetchone()
    figures = report(burst.figures("2 Redis stopped (intakes)", cluster_db))
    assert figures.acknowledged == figures.sent == figures.stored
    assert figures.duplicates == 0 and figures.lost == 0
    assert pending >= 2 * referrals and sent_during == 0

    cluster.start_redis()
    restarted_at = time.monotonic()

    def delivered():
        with cluster_db() as connection:
            row = connection.execute(PENDING, {"after": after}).fetchone()
        return row if row[0] == 0 else None

    _, sent, in_app, notifications, doubled = wait_for(delivered, 120, interval=0.5)
    notes = report(
        Figures(
            "2 Redis stopped (notifications)",
            sent=pending,
            acknowledged=sent,
            stored=notifications,
            duplicates=doubled + (notifications - in_app if notifications > in_app else 0),
            lost=pending - sent,
            recover_seconds=time.monotonic() - restarted_at,
            notes={
                "outage_s": round(restarted_at - stopped_at, 1),
                "readyz_during": readyz_during,
                "in_app_messages": in_app,
                "referrals": referrals,
            },
        )
    )
    assert notifications == in_app  # one in-app notification per message, none twice
    assert notes.duplicates == 0 and notes.lost == 0
    cluster.wait_ready(60)
