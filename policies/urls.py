from django.urls import path

from . import views

urlpatterns = [
    path("accept/", views.policy_accept, name="policy_accept"),
    path("updates/acknowledge/", views.policy_updates_acknowledge, name="policy_updates_acknowledge"),
    path("<slug:slug>/", views.policy, name="policy"),
    path("<slug:slug>/versions/<int:number>/", views.policy, name="policy_version"),
    path("<slug:slug>/diff/", views.policy_diff, name="policy_diff"),
]
