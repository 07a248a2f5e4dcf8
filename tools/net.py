"""What the processes this repository starts on one machine share (tests,
benchmarks, bin/cluster)."""

import socket


def free_port() -> int:
    """A loopback TCP port nothing listens on now, as the system picks one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
