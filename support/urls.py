from django.urls import path

from . import case_views, staff_views, views

urlpatterns = [
    path("support/report-a-minor/", views.minor_report, name="minor_report"),
    path("support/report-a-minor/thanks/", views.minor_report_thanks, name="minor_report_thanks"),
    path("support/privacy-question/", views.privacy_question, name="privacy_question"),
    path("support/privacy-question/thanks/", views.privacy_question_thanks, name="privacy_question_thanks"),
    path("privacy/support-cases/", case_views.cases, name="privacy_cases"),
    path("privacy/support-cases/new/", case_views.case_new, name="privacy_case_new"),
    path("privacy/support-cases/<uuid:public_id>/", case_views.case, name="privacy_case"),
    path("privacy/privacy-questions/", case_views.questions, name="privacy_questions"),
    path("staff/", staff_views.staff_home, name="staff_home"),
    path("staff/minor-reports/", staff_views.minor_reports, name="staff_minor_reports"),
    path("staff/minor-reports/<int:report_id>/", staff_views.minor_report, name="staff_minor_report"),
    path(
        "staff/minor-reports/<int:report_id>/suspend/",
        staff_views.minor_report_suspend,
        name="staff_minor_report_suspend",
    ),
    path(
        "staff/minor-reports/<int:report_id>/delete/",
        staff_views.minor_report_delete,
        name="staff_minor_report_delete",
    ),
    path(
        "staff/minor-reports/<int:report_id>/dismiss/",
        staff_views.minor_report_dismiss,
        name="staff_minor_report_dismiss",
    ),
    path("staff/privacy-questions/", staff_views.privacy_questions, name="staff_privacy_questions"),
    path(
        "staff/privacy-questions/<int:question_id>/",
        staff_views.privacy_question,
        name="staff_privacy_question",
    ),
    path(
        "staff/privacy-questions/<int:question_id>/close/",
        staff_views.privacy_question_close,
        name="staff_privacy_question_close",
    ),
    path(
        "staff/privacy-questions/<int:question_id>/reopen/",
        staff_views.privacy_question_reopen,
        name="staff_privacy_question_reopen",
    ),
    path("staff/cases/", staff_views.cases, name="staff_cases"),
    path("staff/cases/<int:case_id>/", staff_views.case, name="staff_case"),
    path("staff/cases/<int:case_id>/assign/", staff_views.case_assign, name="staff_case_assign"),
    path("staff/cases/<int:case_id>/status/", staff_views.case_status, name="staff_case_status"),
    path("staff/cases/<int:case_id>/note/", staff_views.case_note, name="staff_case_note"),
    path("staff/cases/<int:case_id>/share/", staff_views.case_share, name="staff_case_share"),
]
