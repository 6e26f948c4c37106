"""Processes a test starts, each in its own session so that it can be stopped whole."""

import os
import signal
import socket
import subprocess
import time
import urllib.error


class StackError(Exception):
    """A step could not be carried out (a process did not start, a server did not answer)."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def without_coinflux_settings(environment=None):
    """The environment without COINFLUX_<KEY> variables, which would override a test's own settings."""
    return {k: v for k, v in (environment or os.environ).items() if not k.startswith("COINFLUX_")}


class Processes:
    """Everything a test starts, by name, with a log file each in `workdir`."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.running = {}       # name -> (Popen, log path)

    def start(self, name, argv, env=None):
        log_path = os.path.join(self.workdir, f"{name}.log")
        with open(log_path, "ab") as log:
            process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       cwd=self.workdir, env=env, start_new_session=True)
        self.running[name] = (process, log_path)
        return process

    def log_tail(self, name, lines=25):
        try:
            with open(self.running[name][1], errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except (OSError, KeyError):
            return ""

    def check_alive(self):
        for name, (process, _) in self.running.items():
            status = process.poll()
            if status is not None:
                raise StackError(f"{name} exited with status {status}; the end of its log:\n{self.log_tail(name)}")

    def kill(self, name):
        """SIGKILL to the process group of `name`, as a crash would; it is forgotten."""
        process, _ = self.running.pop(name)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)

    def stop(self, *names):
        """SIGTERM, up to 15 s to exit, then SIGKILL, for `names` (default: everything)."""
        names = names or tuple(self.running)
        stopping = []
        for name in names:
            entry = self.running.pop(name, None)
            if entry is None:
                continue
            process = entry[0]
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            stopping.append(process)
        deadline = time.monotonic() + 15
        for process in stopping:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the group may hold children too
            except (ProcessLookupError, PermissionError):
                pass
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def wait_until(what, timeout, probe, processes=None, interval=0.5):
    """Calls probe() until it returns something true; StackError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    problem = None
    while True:
        if processes:
            processes.check_alive()
        try:
            value = probe()
            if value:
                return value
        except (StackError, OSError, ValueError, KeyError, urllib.error.URLError) as error:
            problem = error
        if time.monotonic() >= deadline:
            raise StackError(f"{what}: not within {timeout} s" + (f" (last problem: {problem})" if problem else ""))
        time.sleep(interval)
