"""Documents attached to a case (hồ sơ, giấy tờ): the paper the casework runs on.

The file itself never touches the database: it is encrypted under the victim's data key and
kept in the "documents" storage (the data directory, or an S3-compatible store). Destroying
the case's data key (crypto-shredding) therefore makes every file of the case unreadable too.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Unit, User
from cases.models import Case
from security.fields import EncryptedCharField
from security.models import EncryptedModel
from security.policy import FieldGroup


class DocumentKind(models.TextChoices):
    IDENTIFICATION_DECISION = "identification_decision", _("Victim identification decision")
    RETURN_CERTIFICATE = "return_certificate", _("Certificate of return from abroad")
    VERIFICATION_REPLY = "verification_reply", _("Police verification reply")
    MEDICAL_REPORT = "medical_report", _("Medical report")
    PSYCHOLOGICAL_REPORT = "psychological_report", _("Psychological assessment")
    CONSENT_FORM = "consent_form", _("Signed consent form")
    IDENTITY_PAPER = "identity_paper", _("Photo of an identity paper")
    LEGAL_AID = "legal_aid", _("Legal-aid document")
    OTHER = "other", _("Other document")


# Need-to-know: each kind of document belongs to the field group of what it proves, so only
# those who may see that group may list or download it (security.policy.NEED_TO_KNOW).
DOCUMENT_GROUP: dict[str, str] = {
    DocumentKind.IDENTIFICATION_DECISION: FieldGroup.IDENTITY,
    DocumentKind.RETURN_CERTIFICATE: FieldGroup.REPATRIATION,
    DocumentKind.VERIFICATION_REPLY: FieldGroup.INVESTIGATION,
    DocumentKind.MEDICAL_REPORT: FieldGroup.MEDICAL_PSYCHOLOGICAL,
    DocumentKind.PSYCHOLOGICAL_REPORT: FieldGroup.MEDICAL_PSYCHOLOGICAL,
    DocumentKind.CONSENT_FORM: FieldGroup.IDENTITY,
    DocumentKind.IDENTITY_PAPER: FieldGroup.IDENTITY,
    DocumentKind.LEGAL_AID: FieldGroup.LEGAL,
    DocumentKind.OTHER: FieldGroup.NARRATIVE,
}


class ProvenRecord(models.TextChoices):
    """The kind of case record a document proves (optional)."""

    VERIFICATION = "verification", _("Verification")
    IDENTIFICATION = "identification", _("Identification")
    PROTECTION = "protection", _("Protection measure")
    SERVICE = "service", _("Support service")
    CONSENT = "consent", _("Consent")


class Document(EncryptedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    # A file name often holds the victim's name: encrypted like the identity fields.
    filename = EncryptedCharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField(help_text="Bytes of the plaintext file as stored.")
    storage_name = models.CharField(max_length=128, unique=True)
    record_kind = models.CharField(max_length=16, choices=ProvenRecord.choices, blank=True)
    record_id = models.CharField(max_length=36, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    @property
    def field_group(self) -> str:
        return DOCUMENT_GROUP[self.kind]
