from django.utils.translation import gettext_lazy as _
from rest_framework import relations, serializers

# JSON type each kind of input field takes, most specific class first. DRF coerces
# ("true", 1 and "yes" become True; 5 becomes "5"); a strict body takes exactly the
# type the schema declares, so a client bug cannot pass for a choice.
_STRING = (str,)
_EXPECTED = [
    (serializers.BooleanField, (bool,), _("Expected true or false.")),
    (serializers.IntegerField, (int,), _("Expected an integer.")),
    (serializers.FloatField, (int, float), _("Expected a number.")),
    (serializers.DecimalField, (int, float, str), _("Expected a number.")),
    (serializers.CharField, _STRING, _("Expected a string.")),  # Email, Slug, URL, Regex...
    (serializers.UUIDField, _STRING, _("Expected a string.")),
    (serializers.DateTimeField, _STRING, _("Expected a string.")),
    (serializers.DateField, _STRING, _("Expected a string.")),
    (serializers.TimeField, _STRING, _("Expected a string.")),
    (serializers.DurationField, _STRING, _("Expected a string.")),
    (relations.SlugRelatedField, _STRING, _("Expected a string.")),
    (relations.PrimaryKeyRelatedField, (int,), _("Expected an integer.")),
]
_NOT_A_LIST = _("Expected a list.")
_NOT_AN_OBJECT = _("Expected a JSON object.")


def _expected(field):
    for cls, types, message in _EXPECTED:
        if isinstance(field, cls):
            return types, message
    return None, None


def type_errors(field, value):
    """Why ``value`` is not of the JSON type ``field`` declares (an error list, or a
    dict of them by key or index for containers), or None. Null is left to the
    field (allow_null); unknown field kinds (JSONField) take anything."""
    if value is None:
        return None
    if isinstance(field, serializers.ListSerializer):
        if not isinstance(value, list):
            return [_NOT_A_LIST]
        return _item_errors(field.child, enumerate(value))
    if isinstance(field, serializers.Serializer):
        if not isinstance(value, dict):
            return [_NOT_AN_OBJECT]
        return _item_errors_by_field(field, value)
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return [_NOT_A_LIST]
        return _item_errors(field.child, enumerate(value))
    if isinstance(field, serializers.DictField):
        if not isinstance(value, dict):
            return [_NOT_AN_OBJECT]
        return _item_errors(field.child, value.items())
    if isinstance(field, relations.ManyRelatedField):
        if not isinstance(value, list):
            return [_NOT_A_LIST]
        return _item_errors(field.child_relation, enumerate(value))
    if isinstance(field, serializers.MultipleChoiceField):
        if not isinstance(value, list) or any(type(item) is not str for item in value):
            return [_("Expected a list of strings.")]
        return None
    if isinstance(field, relations.RelatedField) and value == "":
        # DRF reads "" as null for a relation; a strict body says null for null.
        return [_("This field may not be blank.")]
    if isinstance(field, serializers.ChoiceField):
        # The type of the choices themselves (strings here; a choice of numbers takes numbers).
        types, message = tuple({type(key) for key in field.choices}) or _STRING, _("Expected a string.")
        if types != _STRING:
            message = _("Not one of the choices.")
    else:
        types, message = _expected(field)
    if types is None:
        return None
    # bool is an int in Python, never in JSON.
    if type(value) is bool and bool not in types:
        return [message]
    if not isinstance(value, types):
        return [message]
    # The schema's maxLength counts the string as sent; DRF would trim surrounding
    # whitespace first and accept a longer one.
    max_length = getattr(field, "max_length", None)
    if isinstance(value, str) and max_length is not None and len(value) > max_length:
        return [_("Ensure this field has no more than %(max)d characters.") % {"max": max_length}]
    return None


def _item_errors(child, items):
    errors = {}
    for key, item in items:
        problem = type_errors(child, item)
        if problem:
            errors[key] = problem
    return errors or None


def _item_errors_by_field(serializer, data: dict):
    errors = {}
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if field.field_name in data:
            problem = type_errors(field, data[field.field_name])
            if problem:
                errors[name] = problem
    return errors or None


# A request body, taken strictly:
# - fields it does not know are refused, not silently ignored (a typo in a privacy
#   setting must not look like it was saved);
# - every value must have the JSON type its field declares, in nested objects and
#   lists too (DRF would take "true", 1 or "yes" for a boolean and 5 for a name);
# - used with ``partial=True`` (PATCH) at least one field must be sent.
# The OpenAPI schema says the same (core/api/schema.py: additionalProperties
# false, minProperties 1 for PATCH). A comment, not a docstring: the schema would
# show it as the description of every request body.
class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Expected a JSON object.")]}, code="invalid"
            )
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(set(data) - writable)
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Unknown field.")] for name in unknown}, code="unknown_field"
            )
        if self.partial and not data:
            raise serializers.ValidationError({"non_field_errors": [_("Nothing to change.")]}, code="empty")
        wrong = _item_errors_by_field(self, data)
        if wrong:
            raise serializers.ValidationError(wrong, code="invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass
