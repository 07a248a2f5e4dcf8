from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_organizations, name="my_organizations"),
    path("<slug:org_slug>/leave/", views.leave_organization, name="leave_organization"),
]
