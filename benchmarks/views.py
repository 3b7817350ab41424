"""The baseline endpoint, mounted only when LOIVE_BENCH is set (never in production)."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import BareRow


@csrf_exempt
@require_POST
def bare_insert(request):
    row = BareRow.objects.create(payload=request.body[:200].decode(errors="replace"))
    return JsonResponse({"id": row.pk}, status=201)
