"""Prometheus rule files and Alertmanager routing, read as data (PyYAML).

Rule files keep one property the tests rely on: every threshold is the single literal of the
expression's final comparison and every `for:` one duration, so a test copy can substitute them
as plain text (`shorten`) and change nothing else.
"""

import glob
import os
import re

import yaml

from . import repo_path
from .processes import StackError

RULES_DIR = repo_path("prometheus", "rules")
ALERTMANAGER_CONFIG = repo_path("alertmanager", "alertmanager.yml")


def seconds(duration):
    """Seconds in a Prometheus duration such as 90s, 5m, 1h30m (0 for None or empty)."""
    if not duration:
        return 0
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    parts = re.findall(r"(\d+)(ms|s|m|h|d|w|y)", str(duration))
    if not parts or "".join(n + u for n, u in parts) != str(duration):
        raise ValueError(f"not a Prometheus duration: {duration!r}")
    return sum(int(n) * units[u] for n, u in parts)


def rule_files(names=None):
    """Paths of prometheus/rules/*.rules.yml (or only those whose file name is in `names`)."""
    paths = sorted(glob.glob(os.path.join(RULES_DIR, "*.rules.yml")))
    return [p for p in paths if names is None or os.path.basename(p) in names]


def groups(path):
    with open(path) as source:
        return yaml.safe_load(source).get("groups", [])


def alerting_rules(paths):
    """Every alerting rule (a dict) of the files, in order."""
    return [rule for path in paths for group in groups(path) for rule in group.get("rules", []) if "alert" in rule]


def alert_names(paths):
    return {rule["alert"] for rule in alerting_rules(paths)}


def longest_for(paths, exclude=()):
    """The longest `for:` (seconds) of the alerting rules in `paths`, names in `exclude` left out."""
    return max((seconds(rule.get("for")) for rule in alerting_rules(paths) if rule["alert"] not in exclude), default=0)


def shorten(text, alertname, threshold=None, for_seconds=None, severity=None):
    """The rules text with only `alertname`'s final comparison literal (if `threshold`) and its
    `for:` (if `for_seconds`) replaced; `severity` picks one of several rules of that name (the
    tiers of a two-tier alert). Returns (new text, description, lines changed); StackError if the
    rule is not laid out as documented (exactly one such rule, a one-line `expr:` when the
    threshold changes, one `for:`)."""
    starts = list(re.finditer(r"(?m)^[ \t]*-[ \t]*alert:[ \t]*%s[ \t]*$" % re.escape(alertname), text))
    blocks = []
    for start in starts:
        following = re.compile(r"(?m)^[ \t]*-[ \t]*(alert|record):").search(text, start.end())
        end = following.start() if following else len(text)
        block = text[start.start():end]
        if severity is None or re.search(r"(?m)^[ \t]*severity:[ \t]*%s[ \t]*$" % re.escape(severity), block):
            blocks.append((start.start(), end, block))
    which = f"{alertname}" + (f" (severity {severity})" if severity else "")
    if len(blocks) != 1:
        raise StackError(f"{which}: {len(blocks)} rules match; cannot shorten exactly one")
    begin, end, block = blocks[0]
    changes = []
    if threshold is not None:
        expr = re.search(r"(?m)^([ \t]*expr:[ \t]*)(.+)$", block)
        if not expr or expr.group(2).strip() in ("|", ">", "|-", ">-"):
            raise StackError(f"{which}: expected a one-line `expr:` to change its threshold")
        comparison = re.search(r"(==|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$", expr.group(2))
        if not comparison:
            raise StackError(f"{which}: no threshold literal at the end of: {expr.group(2)}")
        new_expr = expr.group(2)[:comparison.start(2)] + str(threshold) + expr.group(2)[comparison.end(2):]
        block = block[:expr.start(2)] + new_expr + block[expr.end(2):]
        changes.append(f"`{comparison.group(1)} {comparison.group(2)}` → `{comparison.group(1)} {threshold}`")
    if for_seconds is not None:
        durations = re.findall(r"(?m)^[ \t]*for:[ \t]*(\S+)[ \t]*$", block)
        if len(durations) != 1:
            raise StackError(f"{which}: expected one `for:`, found {len(durations)}")
        block = re.sub(r"(?m)^([ \t]*for:[ \t]*)\S+", lambda m: m.group(1) + f"{for_seconds}s", block)
        changes.append(f"`for: {durations[0]}` → `for: {for_seconds}s`")
    new = text[:begin] + block + text[end:]
    changed = sum(1 for old_line, new_line in zip(text.splitlines(), new.splitlines()) if old_line != new_line)
    return new, f"{which} " + ", ".join(changes), changed


def route_timing(matcher, path=ALERTMANAGER_CONFIG):
    """(group_wait, group_interval) in seconds of the first route with `matcher` (e.g.
    'severity="critical"'), or of the root route when none has it."""
    with open(path) as source:
        root = yaml.safe_load(source)["route"]
    chosen = root
    for route in root.get("routes", []):
        if matcher.replace(" ", "") in [m.replace(" ", "") for m in route.get("matchers", [])]:
            chosen = route
            break
    return (seconds(chosen.get("group_wait") or root.get("group_wait") or "30s"),
            seconds(chosen.get("group_interval") or root.get("group_interval") or "5m"))
