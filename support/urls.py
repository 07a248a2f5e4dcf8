"""Support pages, by surface; the roof (icentrex/urls.py) mounts each list."""

from django.urls import path

from . import console, staff_views, views

urlpatterns = [
    path("support/report-a-minor/", views.minor_report, name="minor_report"),
    path("support/report-a-minor/thanks/", views.minor_report_thanks, name="minor_report_thanks"),
    path("support/privacy-question/", views.privacy_question, name="privacy_question"),
    path("support/privacy-question/thanks/", views.privacy_question_thanks, name="privacy_question_thanks"),
]

privacy_centre_urls = [
    path("support-cases/", views.cases, name="privacy_cases"),
    path("support-cases/new/", views.case_new, name="privacy_case_new"),
    path("support-cases/<uuid:public_id>/", views.case, name="privacy_case"),
    path("privacy-questions/", views.questions, name="privacy_questions"),
]

console_urls = [
    path("support-cases/", console.shared_cases, name="org_shared_cases"),
    path("support-cases/<uuid:share_id>/", console.shared_case, name="org_shared_case"),
    path("support-cases/<uuid:share_id>/reply/", console.shared_case_reply, name="org_shared_case_reply"),
]

staff_urls = [
    path("minor-reports/", staff_views.minor_reports, name="staff_minor_reports"),
    path("minor-reports/<int:report_id>/", staff_views.minor_report, name="staff_minor_report"),
    path(
        "minor-reports/<int:report_id>/suspend/",
        staff_views.minor_report_suspend,
        name="staff_minor_report_suspend",
    ),
    path(
        "minor-reports/<int:report_id>/delete/",
        staff_views.minor_report_delete,
        name="staff_minor_report_delete",
    ),
    path(
        "minor-reports/<int:report_id>/dismiss/",
        staff_views.minor_report_dismiss,
        name="staff_minor_report_dismiss",
    ),
    path("privacy-questions/", staff_views.privacy_questions, name="staff_privacy_questions"),
    path("privacy-questions/<int:question_id>/", staff_views.privacy_question, name="staff_privacy_question"),
    path(
        "privacy-questions/<int:question_id>/close/",
        staff_views.privacy_question_close,
        name="staff_privacy_question_close",
    ),
    path(
        "privacy-questions/<int:question_id>/reopen/",
        staff_views.privacy_question_reopen,
        name="staff_privacy_question_reopen",
    ),
    path("cases/", staff_views.cases, name="staff_cases"),
    path("cases/<int:case_id>/", staff_views.case, name="staff_case"),
    path("cases/<int:case_id>/assign/", staff_views.case_assign, name="staff_case_assign"),
    path("cases/<int:case_id>/status/", staff_views.case_status, name="staff_case_status"),
    path("cases/<int:case_id>/note/", staff_views.case_note, name="staff_case_note"),
    path("cases/<int:case_id>/share/", staff_views.case_share, name="staff_case_share"),
]
