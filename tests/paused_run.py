"""``inspect-score`` with its CSV writer paused once the files are written, before the
renames: a run caught mid-write, for the signal and concurrency tests to act on.

Run as ``python tests/paused_run.py ARGS...``: when the CSV files are written it
writes its pid to the file named by ``PAUSE_READY``, then waits (at most a minute)
for the file named by ``PAUSE_GO`` to exist before going on.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from inspect_score.cli.main import main
from inspect_score.outputs import write

_real_write_csv = write.write_csv


def _paused_write_csv(*args: Any, **kwargs: Any) -> Any:
    written = _real_write_csv(*args, **kwargs)
    Path(os.environ["PAUSE_READY"]).write_text(str(os.getpid()))
    go = Path(os.environ["PAUSE_GO"])
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return written


write.write_csv = _paused_write_csv  # type: ignore[assignment]
# Ctrl-C as a terminal delivers it: a test run started in the background (CI
# scripts, `cmd &`) hands its children SIGINT ignored, and Python then never
# raises KeyboardInterrupt, so the run would sit out the pause instead.
signal.signal(signal.SIGINT, signal.default_int_handler)
main()
