"""The records of processing, by surface; the roof (icentrex/urls.py) mounts each list."""

from django.urls import path

from . import console, staff_views

staff_urls = [
    path("records/", staff_views.controller_record, name="staff_records"),
    path("records/processor/", staff_views.processor_records, name="staff_processor_records"),
    path("records/processor/<slug:slug>/", staff_views.processor_record, name="staff_processor_record"),
    path("records/editions/", staff_views.record_editions, name="staff_record_editions"),
    path("records/editions/<int:edition_id>/", staff_views.record_edition, name="staff_record_edition"),
]

console_urls = [
    path("record-of-processing/", console.organization_record, name="org_record"),
]
