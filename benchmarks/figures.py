"""The figures `manage.py bench` reports, each with its baseline measured in the same run."""

import json
from dataclasses import dataclass

# The figures of issue 15, in the order they are printed; every run prints all of them.
FIGURES = {
    "intake_16": "intakes per second, 16 clients (baseline: a bare one-row insert)",
    "transition_16": "transitions per second, 16 clients (baseline: a bare one-row insert)",
    "intake_p95_16": "intake p95, 16 clients (baseline: the bare insert's p95)",
    "case_list_p95": "case list, first page, supervisor, p95 (baseline: a signed-in read)",
    "overdue_p95": "supervisor overdue list, first page, p95 (baseline: a signed-in read)",
    "timeline_p95": "case timeline p95 (baseline: a signed-in read)",
    "report_year": "yearly periodic report p95 (baseline: a signed-in read)",
    "duplicate_lookup_p95": "duplicate lookup by phone, p95 (baseline: a signed-in read)",
    "sweep_10k_due": "overdue sweep of 10,000 due (baseline: one bare UPDATE of them)",
    "queries_per_intake": "queries of one intake through the API (baseline: the bare insert)",
    "cpu_ms_per_intake": "CPU per intake, server + database (baseline: the bare insert)",
}


@dataclass(frozen=True)
class Figure:
    figure: str
    value: float
    baseline: float | None
    unit: str

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return round(self.value / self.baseline, 3)

    def as_json(self) -> str:
        return json.dumps(
            {
                "figure": self.figure,
                "value": round(self.value, 3),
                "baseline": None if self.baseline is None else round(self.baseline, 3),
                "ratio": self.ratio,
                "unit": self.unit,
            }
        )

    def as_row(self) -> str:
        baseline = "—" if self.baseline is None else f"{self.baseline:,.2f}"
        ratio = "—" if self.ratio is None else f"{self.ratio:.2f}"
        return f"  {self.figure:<22} {self.value:>12,.2f} {baseline:>12} {ratio:>7}  {self.unit}"
