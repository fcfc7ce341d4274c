#!/usr/bin/env python3
"""Runs `runjob auth claude login --no-browser` on a pseudo-terminal, as a user would.

usage: pty_login.py RUNJOB PORT paste|interrupt

Reads the authorize URL the login prints, fetches the emulator's approval page
(127.0.0.1:PORT) for it, then either types the `code#state` it shows and Enter
(`paste`) or presses Ctrl-C at the prompt (`interrupt`). Prints one JSON object:
the exit status, everything the terminal showed, the pasted text, and whether the
terminal echoes again afterwards. Environment (HOME, RUNJOB_CLAUDE_*) is inherited.
"""
import json
import os
import pty
import select
import sys
import termios
import time
import urllib.request


def read_until(fd, needle, deadline):
    seen = b""
    while needle not in seen and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def main():
    runjob, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(runjob, [runjob, "auth", "claude", "login", "--no-browser"])
    deadline = time.time() + 30
    shown = read_until(fd, b"Code: ", deadline)
    url = next(line for line in shown.decode().splitlines() if line.startswith("http"))
    if not url.startswith("http://127.0.0.1:%d/" % port):
        sys.exit("refusing a URL that is not the emulator's: " + url)
    paste = urllib.request.urlopen(url).read().decode()
    if mode == "paste":
        os.write(fd, (paste + "\r").encode())
    else:
        os.write(fd, b"\x03")
    rest = b""
    done, status = 0, None
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            rest += chunk
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    if not done:
        _, status = os.waitpid(pid, 0)
    echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"status": code, "terminal": (shown + rest).decode(errors="replace"), "paste": paste, "echo_after": echo}))


main()
