"""Leaving a finished command without the interpreter's teardown.

When a command returns, every file is written and closed, the lock released and every child
ended; tearing down Jupyter's ≈1,100 loaded modules would only add ≈0.1 s to each command.
:func:`leave` does the rest of what Python's exit does, in its order, and ends the process.
"""
from __future__ import annotations

import atexit
import os
import sys
import threading


def leave(code) -> None:
    """End the process with ``code`` (as ``sys.exit`` takes it), as Python's exit would, minus teardown."""
    status = _status(code)
    # The interpreter's own first steps: wake idle executor threads (the threading module's exit
    # hooks), join the non-daemon threads, then run the atexit handlers.
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 120  # as Python exits when it cannot flush its output
    os._exit(status)


def _status(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
