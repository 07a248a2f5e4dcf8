from django.core.paginator import Page
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination, serializers
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_PAGE_SIZE = 100


def _whole_number(raw: str, name: str, *, maximum: int | None = None) -> int:
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        message = (
            _("Expected a whole number from 1 to %(maximum)d.") % {"maximum": maximum}
            if maximum is not None
            else _("Expected a whole number of at least 1.")
        )
        raise serializers.ValidationError({name: [message]}, code="invalid")
    return int(raw)


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (1 to 100), as the schema declares them.

    A page past the last one is an empty page (``results: []``, ``next: null``,
    ``previous`` pointing at the last page), not an error, so a client walking
    pages while rows disappear stops cleanly. A page or page size that is not a
    whole number in range is a 400."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return _whole_number(raw, self.page_size_query_param, maximum=self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        number = _whole_number(request.query_params.get(self.page_query_param, "1"), self.page_query_param)
        if number > paginator.num_pages:
            self.page = Page([], number, paginator)
        else:
            self.page = paginator.page(number)
        return list(self.page)

    def get_next_link(self):
        if self.page.number >= self.page.paginator.num_pages:
            return None
        return super().get_next_link()

    def get_previous_link(self):
        number = min(self.page.number - 1, self.page.paginator.num_pages)
        if number < 1:
            return None
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number (from 1). A page past the last one is empty.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
