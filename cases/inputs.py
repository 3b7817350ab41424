"""What a report says, as plain data: validated by the API's serializers or the web forms,
read by the intake service and the duplicate search. Identity fields are encrypted on save."""

from dataclasses import dataclass, field
from datetime import datetime

from .minors import AgeEvidence
from .models import Case

VIETNAMESE = "vi"  # BCP 47


@dataclass
class PersonData:
    """What an intake says about one person; identity fields are encrypted on save."""

    full_name: str = ""
    other_names: str = ""
    birth_year: str = ""
    stated_age: int | None = None
    assessed_min_age: int | None = None
    assessed_max_age: int | None = None
    childhood_indicators: bool = False
    id_number: str = ""
    phone: str = ""
    address: str = ""
    relationship: str = ""
    sex: str = "unknown"
    nationality: str = "VN"
    province_id: str | None = None
    language: str = ""
    languages: list[str] = field(default_factory=list)
    interpreter_needed: bool = False

    @property
    def needs_interpretation(self) -> bool:
        """The person's languages were recorded and Vietnamese is not among them."""
        return bool(self.languages) and VIETNAMESE not in self.languages

    @property
    def age_evidence(self) -> AgeEvidence:
        return AgeEvidence(
            stated_age=self.stated_age,
            assessed_min=self.assessed_min_age,
            assessed_max=self.assessed_max_age,
            childhood_indicators=self.childhood_indicators,
        )


@dataclass
class IntakeData:
    channel: str
    victim: PersonData
    reporter: PersonData | None = None
    relatives: list[PersonData] = field(default_factory=list)
    narrative: str = ""
    received_at: datetime | None = None
    purposes: list[str] = field(default_factory=list)
    destination_country: str = ""
    is_abroad: bool = False
    link_to_case: Case | None = None
