"""Which documents of a case a user may see: those of the field groups they may see."""

from agencies.models import User
from cases.models import Case
from cases.visibility import case_view

from .models import DOCUMENT_GROUP, Document


def visible_documents(user: User, case: Case) -> list[Document]:
    groups = case_view(user, case).groups
    kinds = [kind for kind, group in DOCUMENT_GROUP.items() if group in groups]
    return list(case.documents.filter(kind__in=kinds).select_related("unit"))
