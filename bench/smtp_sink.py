"""A counting SMTP sink for benchmarks (aiosmtpd, in its own process).

python -m bench.smtp_sink PORT COUNT_FILE: accepts every message, keeps only
how many arrived and for how many distinct recipients, written to COUNT_FILE
as JSON every 0.2 s."""

import json
import os
import sys
import time

from aiosmtpd.controller import Controller


class Count:
    def __init__(self):
        self.messages = 0
        self.recipients: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


def main(port: int, count_file: str):
    handler = Count()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        while True:
            with open(count_file + ".tmp", "w") as f:
                json.dump({"messages": handler.messages, "recipients": len(handler.recipients)}, f)
            # Atomic replace: readers never see half a file.
            os.replace(count_file + ".tmp", count_file)
            time.sleep(0.2)
    finally:
        controller.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
