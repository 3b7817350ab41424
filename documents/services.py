"""Attaching a document to a case, and reading one back: encrypted, need-to-know, audited."""

import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import User
from cases.models import Case
from cases.permissions import require_holder
from cases.visibility import case_view
from config.errors import InvalidInput, NotAllowed, NotFound
from security.audit import record_event
from security.blobs import open_file, seal_file

from .content import clean_upload
from .models import DOCUMENT_GROUP, Document, DocumentKind, ProvenRecord
from .selectors import visible_documents

# The case records a document can prove, by the related name on the case and their id field.
PROVABLE = {
    ProvenRecord.VERIFICATION: ("verifications", "uuid"),
    ProvenRecord.IDENTIFICATION: ("identifications", "uuid"),
    ProvenRecord.PROTECTION: ("protections", "uuid"),
    ProvenRecord.SERVICE: ("services", "pk"),
    ProvenRecord.CONSENT: ("consents", "pk"),
}


def attach_document(
    actor: User,
    case: Case,
    *,
    content: bytes,
    filename: str,
    kind: str,
    record_kind: str = "",
    record_id: str = "",
) -> Document:
    """Đính kèm tài liệu: a unit holding the case attaches a file, cleaned and encrypted.

    Nothing is stored unless everything checks out: the type read from the bytes, the size,
    the picture decodable and not a decompression bomb, the proven record on this case.
    """
    require_holder(actor, case)
    if kind not in DocumentKind.values:
        raise InvalidInput(_("Unknown kind of document."), "unknown_document_kind")
    if DOCUMENT_GROUP[kind] not in case_view(actor, case).groups:
        raise NotAllowed(
            _("Your role may not see this kind of document, so it may not attach one."),
            "document_not_allowed",
        )
    _require_record(case, record_kind, record_id)
    clean = clean_upload(content)
    document = Document(
        case=case,
        data_key_id=case.data_key_id,
        kind=kind,
        filename=(filename or "").strip()[:255] or _("document"),
        content_type=clean.content_type,
        size=len(clean.content),
        storage_name=f"{uuid.uuid4().hex}.bin",
        record_kind=record_kind,
        record_id=record_id,
        unit=actor.unit,
        uploaded_by=actor,
    )
    storage = storages["documents"]
    stored_name = storage.save(
        document.storage_name, ContentFile(seal_file(document, clean.content))
    )
    try:
        with transaction.atomic():
            document.storage_name = stored_name
            document.save()
            record_event(
                "document.attach",
                actor=actor,
                case=case,
                obj=document,
                details={"kind": kind, "content_type": clean.content_type, "size": document.size},
            )
    except BaseException:
        storage.delete(stored_name)  # the row was not written: leave no orphan file behind
        raise
    return document


def list_documents(actor: User, case: Case) -> list[Document]:
    """The documents the user may see; their names may identify the victim: audited."""
    documents = visible_documents(actor, case)
    if documents:
        with transaction.atomic():
            record_event(
                "document.list",
                actor=actor,
                case=case,
                details={"kinds": sorted({d.kind for d in documents})},
            )
    return documents


@dataclass(frozen=True)
class OpenedDocument:
    document: Document
    content: bytes


def read_document(actor: User, case: Case, document_id: uuid.UUID) -> OpenedDocument:
    """The decrypted file, for a user who may see its field group; every read is audited,
    and so is every refused one (answered as not found: existence is not revealed)."""
    document = case.documents.filter(uuid=document_id).first()
    if document is None:
        raise NotFound(_("No such document."))
    if DOCUMENT_GROUP[document.kind] not in case_view(actor, case).groups:
        _audit(actor, case, document, "document.read_refused")
        raise NotFound(_("No such document."))
    with storages["documents"].open(document.storage_name, "rb") as stored:
        content = open_file(document, stored.read())
    _audit(actor, case, document, "document.read")
    return OpenedDocument(document, content)


def _require_record(case: Case, record_kind: str, record_id: str) -> None:
    if not record_kind and not record_id:
        return
    if record_kind not in PROVABLE:
        raise InvalidInput(_("Unknown kind of record."), "unknown_record_kind")
    related, id_field = PROVABLE[record_kind]
    try:
        found = getattr(case, related).filter(**{id_field: record_id}).exists()
    except (ValueError, TypeError):  # not a uuid / not a number
        found = False
    if not found:
        raise NotFound(_("No such record on this case."))


def _audit(actor: User, case: Case, document: Document, action: str) -> None:
    with transaction.atomic():
        record_event(action, actor=actor, case=case, obj=document, details={"kind": document.kind})
