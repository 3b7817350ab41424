"""Prometheus counters of the cases app (exported at /metrics by the health app)."""

from prometheus_client import Counter

INTAKES_CREATED = Counter(
    "loive_intakes_created",
    "Intakes (tiếp nhận tin báo) committed, by channel and whether they opened a new case.",
    ["channel", "opened_case"],
)
