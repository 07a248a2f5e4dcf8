"""The embedded profile's Celery broker: kombu's filesystem transport, with
messages published atomically.

kombu writes a message file in place, under its final name, so a worker that
lists the folder at that moment can take the file while it is still empty and
crash on it (seen here with beat publishing every second). Here a message is
written under a name the transport does not read and renamed into place, which
is atomic on one filesystem: a worker sees a whole message or none."""

import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The name kombu gives a message (its _get sorts by the leading time).
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.partial"
        with open(partial, "wb") as file:
            file.write(str_to_bytes(dumps(payload)))
        os.replace(partial, final)


class Transport(filesystem.Transport):
    Channel = Channel
