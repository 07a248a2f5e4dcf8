from rest_framework.metadata import SimpleMetadata


class SchemaPointingMetadata(SimpleMetadata):
    """OPTIONS answers name, description and media types only.

    DRF's default also describes the fields of the view's ``serializer_class`` for
    POST/PUT; here that class describes the response, not the request body, and
    views without one (leave, transfer-ownership) failed with a 500. The request
    bodies are described, correctly, in the OpenAPI schema (/api/schema/)."""

    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
