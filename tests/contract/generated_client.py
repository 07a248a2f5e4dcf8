"""Generate a typed Python client from the schema the app serves (openapi-python-client)
and check every parsed response against the generated models' own type annotations.

The generated models parse leniently (``d.pop("x")`` keeps whatever JSON type came),
so a string where the schema says integer would slip through; ``conforms`` walks the
parsed model and compares each value with its annotation, and a declared model that
collected undeclared keys (``additional_properties``) means the server sent a field
the schema does not document."""

import datetime
import enum
import importlib
import os
import subprocess
import sys
import types
import typing
import uuid
from pathlib import Path

import attrs

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# No post-generation hooks: formatting the generated code with ruff only costs time.
CONFIG = "post_hooks: []\n"


def generate(schema_path: Path, into: Path, package: str = "icx_contract_client") -> types.ModuleType:
    """Generate the client package ``package`` under ``into`` and import it."""
    config = into / "generator.yaml"
    config.write_text(CONFIG)
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema_path),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(into / package),
            "--overwrite",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    output = result.stdout + result.stderr
    # A schema the generator cannot fully express is a contract failure too: it would
    # leave an operation or a model out of the client without failing generation.
    if result.returncode != 0 or "Warning" in output:
        raise AssertionError(f"openapi-python-client could not generate the client cleanly:\n{output}")
    sys.path.insert(0, str(into))
    try:
        module = importlib.import_module(package)
        importlib.import_module(f"{package}.models")
        return module
    finally:
        sys.path.remove(str(into))


class Mismatch(AssertionError):
    pass


def _namespace(model_cls) -> dict:
    package = sys.modules[model_cls.__module__.rsplit(".models.", 1)[0]]
    models = importlib.import_module(f"{package.__name__}.models")
    client_types = importlib.import_module(f"{package.__name__}.types")
    return {
        **vars(sys.modules[model_cls.__module__]),
        **{name: getattr(models, name) for name in dir(models) if not name.startswith("_")},
        "Unset": client_types.Unset,
        "datetime": datetime,
    }


def conforms(value, annotation, where: str = "response") -> None:
    """Raise Mismatch unless ``value`` (as parsed by the generated client) fits ``annotation``."""
    origin = typing.get_origin(annotation)
    if annotation is typing.Any:
        return
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in typing.get_args(annotation):
            try:
                conforms(value, option, where)
                return
            except Mismatch as error:
                errors.append(str(error))
        raise Mismatch(f"{where}: {value!r} fits none of {annotation}: {errors}")
    if annotation is type(None):
        if value is not None:
            raise Mismatch(f"{where}: {value!r} is not null")
        return
    if origin is list:
        if not isinstance(value, list):
            raise Mismatch(f"{where}: {value!r} is not a list")
        (item,) = typing.get_args(annotation) or (typing.Any,)
        for index, element in enumerate(value):
            conforms(element, item, f"{where}[{index}]")
        return
    if origin is dict:
        if not isinstance(value, dict):
            raise Mismatch(f"{where}: {value!r} is not an object")
        _key, item = typing.get_args(annotation) or (str, typing.Any)
        for key, element in value.items():
            conforms(element, item, f"{where}.{key}")
        return
    if attrs.has(annotation):
        if not isinstance(value, annotation):
            raise Mismatch(f"{where}: {value!r} is not a {annotation.__name__}")
        check_model(value, where)
        return
    if annotation is bool:
        if not isinstance(value, bool):
            raise Mismatch(f"{where}: {value!r} is not a boolean")
        return
    if annotation is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise Mismatch(f"{where}: {value!r} is not an integer")
        return
    if annotation is float:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise Mismatch(f"{where}: {value!r} is not a number")
        return
    if annotation is str:
        if not isinstance(value, str) or isinstance(value, enum.Enum):
            raise Mismatch(f"{where}: {value!r} is not a string")
        return
    if isinstance(annotation, type) and issubclass(annotation, datetime.datetime | datetime.date | uuid.UUID):
        if not isinstance(value, annotation):
            raise Mismatch(f"{where}: {value!r} is not a {annotation.__name__}")
        return
    if isinstance(annotation, type):
        if not isinstance(value, annotation):
            raise Mismatch(f"{where}: {value!r} is not a {annotation.__name__}")
        return
    raise Mismatch(f"{where}: cannot check against {annotation!r}")


def check_model(model, where: str = "response") -> None:
    """Every field of a parsed model has its declared type; no undeclared field arrived."""
    cls = type(model)
    hints = typing.get_type_hints(cls, globalns=_namespace(cls))
    declared = [f.name for f in attrs.fields(cls) if f.name != "additional_properties"]
    for name in declared:
        conforms(getattr(model, name), hints[name], f"{where}.{name}")
    extra = getattr(model, "additional_properties", {})
    if declared and extra:
        raise Mismatch(f"{where}: undocumented fields {sorted(extra)} in a {cls.__name__}")
    if not declared:  # a map type (additionalProperties: <schema>)
        conforms(extra, hints["additional_properties"], f"{where}")
