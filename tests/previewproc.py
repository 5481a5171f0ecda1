"""A real ``reportkit preview`` in a child process, on a free port of 127.0.0.1 (tests and benchmark)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Optional

URL = re.compile(r"预览地址：(http://127\.0\.0\.1:\d+)(/\S*)")


class PreviewProcess:
    """Starts the preview (``--port 0``: the OS picks a free port), reads its address, stops it."""

    def __init__(self, params: Path, output: Path, year: int, bureau: Optional[str] = None,
                 python: list[str] = (), start_timeout: float = 90, notebook: Optional[Path] = None):
        cmd = [sys.executable, *python, "-m", "reportkit.cli", "--params", str(params), "--output", str(output),
               "preview", str(year), "--port", "0"] + (["--bureau", bureau] if bureau else []) + \
              (["--notebook", str(notebook)] if notebook else [])
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines: list[str] = []
        self.stderr = ""
        self._found = threading.Event()
        self.base = self.home = ""
        threading.Thread(target=self._read, daemon=True).start()
        self._err = threading.Thread(target=self._read_err, daemon=True)
        self._err.start()
        if not self._found.wait(start_timeout):
            self.stop()
            raise RuntimeError(f"preview did not start: {self.lines} {self.stderr}")

    def _read(self) -> None:
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            m = URL.search(line)
            if m and not self._found.is_set():
                self.base, self.home = m.group(1), m.group(2)
                self._found.set()
        self._found.set()

    def _read_err(self) -> None:
        self.stderr = self.proc.stderr.read().decode("utf-8", "replace")

    def url(self, path: Optional[str] = None) -> str:
        return self.base + (path or self.home)

    def get(self, path: str) -> tuple[int, bytes]:
        """(status, body) of one page, waiting as long as its build takes."""
        try:
            with urllib.request.urlopen(self.url(path), timeout=120) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while sum(text in line for line in self.lines) < count:
            if time.monotonic() > end:
                raise TimeoutError(f"{text!r} x{count} not in {self.lines}")
            time.sleep(0.02)

    def stop(self, timeout: float = 30) -> int:
        """Ctrl-C (SIGINT) the preview; its exit code. Killed (and -9 returned) if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._err.join(5)
        return self.proc.returncode
