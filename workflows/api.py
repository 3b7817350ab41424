"""The task API (DESIGN.md §4): a unit's inbox, one task, and doing a task by a transition."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Case
from cases.permissions import available_transitions
from cases.serializers import CaseSummarySerializer, TransitionInputSerializer
from rulebooks.selectors import stage_deadlines

from . import services
from .flows import STAGE_TRACK, SUPPORT_TRACK
from .process import CaseTask


class TaskSerializer(serializers.Serializer):
    """A human task with its case reference (no identity data), deadline and next moves.

    `track` is "stage" for the task of the case's stage, done by a transition, or "support"
    for the support track of a person being identified, done without one.
    """

    id = serializers.IntegerField(source="pk")
    stage = serializers.CharField()
    track = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    is_open = serializers.BooleanField()
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)
    done_by = serializers.SerializerMethodField()
    done_with = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    deadline = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()

    def get_done_by(self, task: CaseTask) -> str | None:
        return task.owner.username if task.owner_id else None

    def get_done_with(self, task: CaseTask) -> str | None:
        return task.data.get("transition")

    def get_overdue(self, task: CaseTask) -> bool:
        return bool(task.data.get("overdue"))

    def get_deadline(self, task: CaseTask) -> dict | None:
        deadline = stage_deadlines(task.case).get(task.stage)
        if deadline is None or task.track != STAGE_TRACK:
            return None
        return {"due_at": deadline.due_at, "citation": deadline.citation}

    def get_case(self, task: CaseTask) -> dict:
        case = task.case
        return {
            "id": str(case.uuid),
            "number": case.number,
            "state": case.state,
            "version": case.version,
        }

    def get_transitions(self, task: CaseTask) -> list[str]:
        """Transitions the caller may make from the task's stage now (none for a track)."""
        if not task.is_open or task.track != STAGE_TRACK:
            return []
        return available_transitions(self.context["request"].user, task.case)


class TaskCompletedSerializer(serializers.Serializer):
    """The task done, the case after the transition and the tasks now open for it."""

    task = TaskSerializer()
    case = CaseSummarySerializer()
    open_tasks = TaskSerializer(many=True)


class TaskListView(generics.ListAPIView):
    """GET /api/v1/tasks/: the inbox of the caller's unit, oldest first."""

    serializer_class = TaskSerializer

    def get_queryset(self) -> list[CaseTask]:
        return services.tasks_for_user(self.request.user)


class TaskDetailView(APIView):
    """GET /api/v1/tasks/{id}/: a task of a case the caller may see."""

    @extend_schema(responses=TaskSerializer)
    def get(self, request: Request, task_id: int) -> Response:
        task = services.get_visible_task(request.user, task_id)
        return Response(TaskSerializer(task, context={"request": request}).data)


class TaskCompleteView(APIView):
    """POST /api/v1/tasks/{id}/complete: do the task.

    A stage task is done by a transition out of its stage (the body names it); the support
    track of a person being identified is done with an empty body, once support is recorded.
    """

    @extend_schema(request=TransitionInputSerializer, responses=TaskCompletedSerializer)
    def post(self, request: Request, task_id: int) -> Response:
        task = services.get_visible_task(request.user, task_id)
        if task.track == SUPPORT_TRACK:
            case = services.complete_support_track(request.user, task)
        else:
            case = self._transition(request, task)
        done = {
            "task": services.get_visible_task(request.user, task_id),
            "case": case,
            "open_tasks": services.open_tasks(case),
        }
        return Response(TaskCompletedSerializer(done, context={"request": request}).data)

    def _transition(self, request: Request, task: CaseTask) -> Case:
        """Do a stage task by the transition in the request body."""
        name, options = TransitionInputSerializer.parse(request.data, request.user)
        return services.complete_task(request.user, task, name, **options)
