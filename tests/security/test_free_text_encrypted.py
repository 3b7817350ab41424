"""Every text field of a model that holds case data is encrypted, or declared here as
non-identifying with the reason (issue 9, point 4).

A new CharField, TextField or JSONField on such a model fails this test until it is either an
encrypted field (security.fields) or added to NON_IDENTIFYING with a reason a reviewer can
check. Fields with choices hold a closed vocabulary (codes), never free text.
"""

from django.apps import apps
from django.db import models

from security.fields import EncryptedField
from tests.test_plaintext_hunt import FREE_TEXT_FIELDS

# The apps whose models hold cases, their records, handoffs, processes or messages about them.
CASE_DATA_APPS = [
    "cases",
    "referrals",
    "documents",
    "crossborder",
    "workflows",
    "supervision",
    "notifications",
    "security",
]

CODE = "a code from a fixed vocabulary, validated by the API; never free text"
NON_IDENTIFYING = {
    # cases
    "cases.Case.number": "the case number the system gives (prefix, year, sequence)",
    "cases.Case.rulebook": "the code of the rulebook in force, chosen by date",
    "cases.Case.purposes": "trafficking purpose codes, kept in clear for statistics",
    "cases.Case.destination_country": "ISO 3166 code, kept in clear for statistics",
    "cases.Case.state_before_closure": "a stage code, set by the state machine",
    "cases.Person.nationality": "ISO 3166 code, kept in clear for statistics",
    "cases.Person.language": "a language name, in clear to find an interpreter; it names a "
    "group of speakers, not the person",
    "cases.Person.languages": "BCP 47 language codes, in clear to offer an interpreter; each "
    "names a group of speakers, not the person",
    "cases.Person.phone_index": "a keyed blind index (HMAC), not the phone number",
    "cases.Person.id_number_index": "a keyed blind index (HMAC), not the ID number",
    "cases.Person.name_year_index": "a keyed blind index (HMAC), not the name",
    "cases.Intake.idempotency_key": "a digest of the client's request key (HMAC)",
    "cases.Intake.idempotency_fingerprint": "a keyed digest of the request body",
    "cases.Consent.informed_language": "the language the victim was told in (a language "
    "name or code, as Person.language)",
    "cases.Screening.indicators": "ILO indicator codes",
    "cases.Screening.purposes": "trafficking purpose codes",
    "cases.Screening.reasons": "codes computed by cases.screening.recommend, never typed",
    "cases.Rescue.partner_authority": "names the foreign authority asked to rescue (an "
    "organisation), not the person",
    "cases.Rescue.country": "ISO 3166 code",
    "cases.ProtectionMeasure.limit_citation": "a legal citation copied from the rulebook",
    "cases.SupportService.kind": CODE,
    "cases.SupportService.currency": "ISO 4217 code",
    "cases.Consent.recipient_kind": CODE,
    "cases.Consent.purpose": CODE,
    "cases.Consent.given_by": CODE,
    "cases.CaseHolding.field_groups": "field group codes",
    "cases.StateChange.transition": "a transition name from cases.lifecycle",
    "cases.StateChange.source": "a stage code",
    "cases.StateChange.target": "a stage code",
    "cases.CaseNumberSequence.prefix": "a case number prefix",
    # referrals
    "referrals.Referral.field_groups": "field group codes",
    # documents: the file itself is sealed in the storage, its name encrypted
    "documents.Document.content_type": "a MIME type read from the file's bytes",
    "documents.Document.storage_name": "a random name in the storage",
    "documents.Document.record_id": "the id of a record on the same case (uuid or number)",
    # crossborder: agreements, counterparts and gates are public reference data; a request or
    # a handover carries the number of a letter or of the minutes, never the person
    "crossborder.Agreement.code": "reference data with its legal source, not case data",
    "crossborder.Agreement.title": "reference data with its legal source, not case data",
    "crossborder.Agreement.partner_country": "ISO 3166 code",
    "crossborder.Agreement.citation": "reference data with its legal source, not case data",
    "crossborder.AgreementTerm.wording": "reference data with its legal source, not case data",
    "crossborder.AgreementTerm.citation": "reference data with its legal source, not case data",
    "crossborder.Counterpart.code": "reference data with its legal source, not case data",
    "crossborder.Counterpart.name": "names a foreign authority (an organisation), not the person",
    "crossborder.Counterpart.country": "ISO 3166 code",
    "crossborder.Counterpart.citation": "reference data with its legal source, not case data",
    "crossborder.BorderGate.code": "reference data with its legal source, not case data",
    "crossborder.BorderGate.name": "reference data with its legal source, not case data",
    "crossborder.BorderGate.partner_country": "ISO 3166 code",
    "crossborder.BorderGate.facing_gate": "reference data with its legal source, not case data",
    "crossborder.CrossBorderRequest.reference": "the number of an official letter",
    "crossborder.BorderHandover.minutes_reference": "the number of the handover minutes",
    # workflows (django-viewflow)
    "workflows.CaseProcess.flow_class": "a Python path of the flow",
    "workflows.CaseProcess.data": "process data: case uuid and codes only (workflows.services)",
    "workflows.CaseTask.flow_task": "a Python path of the task",
    "workflows.CaseTask.flow_task_type": "viewflow's task type",
    "workflows.CaseTask.token": "viewflow's branch token",
    "workflows.CaseTask.external_task_id": "viewflow's id of an external task",
    "workflows.CaseTask.owner_permission": "a permission codename",
    "workflows.CaseTask.owner_permission_obj_pk": "a primary key",
    "workflows.CaseTask.data": "task data: codes and pseudonymous ids only",
    # notifications: subjects and bodies name the case number and purpose, never the person
    "notifications.OutboxMessage.idempotency_key": "a key built from ids and event names",
    "notifications.OutboxMessage.subject": "case number and purpose only (referrals.messages)",
    "notifications.OutboxMessage.body": "case number, purpose, units and deadline only",
    "notifications.OutboxMessage.last_error": "the transport's error text (SMTP)",
    "workflows.PendingProcessSync.last_error": "the class name of the process dispatcher's "
    "error, never its text (workflows.services)",
    "notifications.Notification.subject": "copied from the outbox message",
    "notifications.Notification.body": "copied from the outbox message",
    # security: keys and the audit ledger (pseudonymous ids only; reasons of case records are
    # never copied into it, only whether one was given)
    "security.DataKey.kek_id": "the id of a key-encryption key",
    "security.DataKey.destroyed_reason": "the administrator's ground for erasure (request, "
    "retention), about the erasure, not the person",
    "security.AuditChainHead.hash": "a SHA-256 hash",
    "security.ApiToken.digest": "knox's one-way digest of an integration token",
    "security.ApiToken.token_key": "knox's short public prefix of an integration token",
    "security.AuditEvent.actor_username": "a staff member's username",
    "security.AuditEvent.action": "an event name",
    "security.AuditEvent.object_type": "a model label",
    "security.AuditEvent.object_id": "a pseudonymous id (uuid)",
    "security.AuditEvent.reason": "a staff member's ground for a read or an erasure",
    "security.AuditEvent.details": "codes and pseudonymous ids (secret-like keys dropped)",
    "security.AuditEvent.prev_hash": "a SHA-256 hash",
    "security.AuditEvent.hash": "a SHA-256 hash",
}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _text_fields() -> dict[str, models.Field]:
    found = {}
    for label in CASE_DATA_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, (*TEXT_FIELDS, EncryptedField)):
                    found[f"{model._meta.label}.{field.name}"] = field
    return found


def test_every_text_field_of_case_data_is_encrypted_or_declared_non_identifying():
    clear = [
        name
        for name, field in _text_fields().items()
        if not isinstance(field, EncryptedField)
        and not field.choices
        and name not in NON_IDENTIFYING
    ]
    assert not clear, (
        f"free text in clear; encrypt it or declare why it is not identifying: {clear}"
    )


def test_the_declarations_name_real_clear_fields_each_with_a_reason():
    fields = _text_fields()
    stale = [
        name
        for name in NON_IDENTIFYING
        if name not in fields or isinstance(fields[name], EncryptedField)
    ]
    assert not stale, f"declared non-identifying but absent or encrypted: {stale}"
    assert all(len(reason) > 10 for reason in NON_IDENTIFYING.values())


def test_the_free_text_a_user_types_about_a_case_is_encrypted():
    """The fields the pg_dump hunt seeds with markers are all encrypted."""
    fields = {name.split(".", 1)[1]: f for name, f in _text_fields().items()}
    assert all(isinstance(fields[name], EncryptedField) for name in FREE_TEXT_FIELDS)
