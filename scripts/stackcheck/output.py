"""Printing progress and a PASS/FAIL/SKIP report."""


def say(text=""):
    print(text, flush=True)


def indent(text, prefix="      "):
    return "\n".join(prefix + line for line in str(text).rstrip().splitlines())


class Report:
    """The planned checks of a run and their outcome; a check never recorded counts as failed."""

    def __init__(self, planned):
        self.planned = list(planned)
        self.results = {}       # name -> (state, summary); state is PASS, FAIL or SKIP

    def record(self, name, ok, summary="", details=""):
        return self._store(name, "PASS" if ok else "FAIL", summary, details) == "PASS"

    def skip(self, name, reason):
        """A check that cannot run yet, with the reason; it does not fail the run."""
        self._store(name, "SKIP", reason, "")

    def _store(self, name, state, summary, details):
        assert name in self.planned, name
        self.results[name] = (state, summary)
        say(f"{state}  {name}{' — ' + summary if summary else ''}")
        if details:
            say(indent(details))
        return state

    def finish(self, reason):
        for name in self.planned:
            if name not in self.results:
                self.record(name, False, f"not run: {reason}")

    def summary(self):
        say("\n== summary")
        for name in self.planned:
            state, summary = self.results.get(name, ("FAIL", "not run"))
            say(f"{state}  {name}{' — ' + summary if summary else ''}")
        failed = [n for n in self.planned if self.results.get(n, ("FAIL",))[0] == "FAIL"]
        skipped = [n for n in self.planned if self.results.get(n, ("FAIL",))[0] == "SKIP"]
        passed = len(self.planned) - len(failed) - len(skipped)
        say(f"\n{passed} passed, {len(failed)} failed" + (f", {len(skipped)} skipped" if skipped else ""))
        return not failed
