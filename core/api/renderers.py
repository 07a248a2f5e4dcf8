from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, made total: whatever a response echoes (an error message
    quoting the input, say), rendering it never fails. A string holding an unpaired
    surrogate cannot be encoded as UTF-8; written with \\u escapes it is still valid
    JSON, so that is the fallback."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _ASCII.render(data, accepted_media_type, renderer_context)


class _ASCIIJSONRenderer(renderers.JSONRenderer):
    ensure_ascii = True


_ASCII = _ASCIIJSONRenderer()
