"""The baseline endpoints, mounted only when LOIVE_BENCH is set (never in production)."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .models import BareRow


@csrf_exempt
@require_POST
def bare_insert(request):
    row = BareRow.objects.create(payload=request.body[:200].decode(errors="replace"))
    return JsonResponse({"id": row.pk}, status=201)


@require_GET
def signed_in(request):
    """The cheapest authenticated read: the session and the user, nothing else."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "not_authenticated"}, status=403)
    return JsonResponse({"user": request.user.username})
