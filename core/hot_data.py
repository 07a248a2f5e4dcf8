"""Read-mostly data kept in process (DESIGN.md, "Performance lessons").

The cookie declaration, the privacy-policy version in force and the material
policy versions are read on every page or every consent write. Each is kept in
the process and recomputed at most once per HOT_DATA_RECHECK_SECONDS, so a
change reaches every process within that time (tests set it to 0)."""

import functools
import time

from django.conf import settings

from .replicas import reads_from_primary


def rechecked(loader):
    """Wrap ``loader(previous) -> value``; it gets its previous value so it can
    keep it when a cheap check shows nothing changed. ``.forget()`` makes the
    next call reload (publishing calls it for its own process)."""
    state = {"value": None, "at": 0.0, "loaded": False}

    @functools.wraps(loader)
    def get():
        now = time.monotonic()
        if not state["loaded"] or now - state["at"] >= settings.HOT_DATA_RECHECK_SECONDS:
            # From the primary: a replica behind it would take the kept value back in time,
            # and writes (a consent record names the revision) use what is kept here.
            with reads_from_primary():
                state["value"] = loader(state["value"])
            state["at"], state["loaded"] = now, True
        return state["value"]

    get.forget = lambda: state.update(loaded=False)
    return get
