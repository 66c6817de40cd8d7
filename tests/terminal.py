"""Driving the command line in a real terminal (tmux), key by key, as a person would."""

from __future__ import annotations

import os
import subprocess
import sys
import time

__all__ = ["Terminal"]


class Terminal:
    """A detached tmux session running one `jobsearch` command line."""

    def __init__(self, name: str) -> None:
        #: The session's name (the `terminal` fixture of conftest.py makes and kills it).
        self.name = name

    def start(self, url: str, *args: str) -> None:
        """Run `jobsearch --log URL ARGS...`, then print DONE and the exit status."""
        words = " ".join([sys.executable, "-m", "jobsearch_core", "--log", url, *args])
        command = f"{words}; echo DONE $?; sleep 600"
        env = {**os.environ, "COLUMNS": "160"}
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", "160", "-y", "60", command],
            check=True,
            env=env,
        )

    def screen(self) -> str:
        """What the terminal shows, with up to 200 lines of what scrolled by."""
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-S", "-200", "-t", self.name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def wait_for(self, text: str, count: int = 1, timeout: float = 30.0) -> str:
        """The screen, once `text` shows on it `count` times (a failure after `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if screen.count(text) >= count:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} (x{count}) never appeared; the screen:\n{screen}")
            time.sleep(0.1)

    def type(self, line: str) -> None:
        """Type `line` and Enter."""
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", line], check=True)
        subprocess.run(["tmux", "send-keys", "-t", self.name, "Enter"], check=True)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True, check=False)
