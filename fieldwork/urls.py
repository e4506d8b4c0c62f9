from django.urls import path

from fieldwork import api

urlpatterns = [
    path(
        "coordinator/assignments/",
        api.CoordinatorAssignmentListApi.as_view(),
        name="coordinator-assignments",
    ),
    path(
        "coordinator/assignments/<int:assignment_id>/",
        api.CoordinatorAssignmentDetailApi.as_view(),
        name="coordinator-assignment",
    ),
    path(
        "coordinator/assignments/<int:assignment_id>/schedule/",
        api.CoordinatorAssignmentScheduleApi.as_view(),
        name="coordinator-assignment-schedule",
    ),
    path(
        "coordinator/assignments/<int:assignment_id>/start/",
        api.CoordinatorAssignmentStartApi.as_view(),
        name="coordinator-assignment-start",
    ),
    path(
        "coordinator/assignments/<int:assignment_id>/complete/",
        api.CoordinatorAssignmentCompleteApi.as_view(),
        name="coordinator-assignment-complete",
    ),
    path(
        "coordinator/assignments/<int:assignment_id>/problem/",
        api.CoordinatorAssignmentProblemApi.as_view(),
        name="coordinator-assignment-problem",
    ),
    path("orders/<int:order_id>/service/", api.OrderServiceProgressApi.as_view(), name="orders-service"),
]
