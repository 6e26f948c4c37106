#!/usr/bin/env python3
"""Checks the documentation: README.md and every docs/*.md.

- every relative link resolves to an existing file (or folder) of the repository;
- every #anchor, on the same page or another page, matches a heading there (GitHub's slugs:
  lower-case, punctuation other than '-' and '_' dropped, spaces to '-', '-1', '-2'… for repeats);
- the commands of the README's quick start exist and are executable, and include the test
  command, scripts/test.sh, which .ci/run must call.

Prints one line per problem (FILE:LINE: problem) and exits 1 if there is any, else 0.
Usage: scripts/check-docs.py [REPOSITORY_ROOT]   (default: the folder above scripts/)
"""

import os
import re
import sys
import urllib.parse
from pathlib import Path

TEST_COMMAND = "scripts/test.sh"
CI_ENTRY = ".ci/run"

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# [text](target "title") and ![alt](target); the text may hold one level of brackets.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HTML_TARGET = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""")
HTML_ANCHOR = re.compile(r"""<a\s[^>]*\b(?:name|id)\s*=\s*["']([^"']+)["']""")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links keep their text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def outside_fences(text: str):
    """(line number, line) of every line outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0] * len(opening.group(1))
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
        else:
            yield number, line


def prose_lines(text: str):
    """Lines outside fenced code blocks, with code spans blanked out."""
    for number, line in outside_fences(text):
        yield number, CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def anchors(text: str) -> set:
    """Every anchor a page defines: heading slugs (numbered when repeated) and HTML name/id."""
    found, seen = set(), {}
    for _, line in prose_lines(text):
        found.update(HTML_ANCHOR.findall(line))
    for _, line in outside_fences(text):  # headings keep their code spans' text
        heading = HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str):
    """(line number, target) of every link, image and reference definition."""
    for number, line in prose_lines(text):
        targets = [m.group(1) for m in INLINE_LINK.finditer(line)]
        definition = REFERENCE_DEFINITION.match(line)
        if definition:
            targets.append(definition.group(1))
        targets += HTML_TARGET.findall(line)
        for target in targets:
            yield number, target.strip("<>")


class Checker:
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.problems = []
        self.anchor_cache = {}

    def problem(self, path: Path, line: int, message: str):
        where = os.path.relpath(path, self.root)
        self.problems.append(f"{where}:{line}: {message}" if line else f"{where}: {message}")

    def page_anchors(self, path: Path) -> set:
        if path not in self.anchor_cache:
            self.anchor_cache[path] = anchors(path.read_text(encoding="utf-8"))
        return self.anchor_cache[path]

    def check_page(self, page: Path):
        for line, target in links(page.read_text(encoding="utf-8")):
            if SCHEME.match(target) or target.startswith("//"):
                continue  # absolute URL: not checked offline
            location, _, fragment = target.partition("#")
            location = urllib.parse.unquote(location)
            fragment = urllib.parse.unquote(fragment)
            if location:
                base = self.root if location.startswith("/") else page.parent
                resolved = (base / location.lstrip("/")).resolve()
                if not resolved.exists():
                    self.problem(page, line, f"link {target!r}: {location} does not exist")
                    continue
                if self.root != resolved and self.root not in resolved.parents:
                    self.problem(page, line, f"link {target!r}: leaves the repository")
                    continue
            else:
                resolved = page
            if not fragment:
                continue
            if resolved.is_file() and resolved.suffix == ".md":
                if fragment not in self.page_anchors(resolved):
                    shown = os.path.relpath(resolved, self.root)
                    self.problem(page, line, f"link {target!r}: no heading in {shown} has the anchor #{fragment}")
            else:
                self.problem(page, line, f"link {target!r}: #{fragment} on a file that is not a Markdown page")

    def quick_start_commands(self, readme: Path):
        """(line, command) of the first shell block under the README's "Quick start" heading."""
        in_section, in_block, commands = False, False, []
        for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), 1):
            heading = HEADING.match(line)
            if heading and not in_block:
                if in_section:
                    break
                in_section = slug(heading.group(2)) == "quick-start"
                continue
            if not in_section:
                continue
            if FENCE.match(line):
                if in_block:
                    break
                in_block = True
                continue
            if in_block and line.strip() and not line.lstrip().startswith("#"):
                commands.append((number, line.split()[0]))
        return commands

    def check_commands(self, readme: Path):
        commands = self.quick_start_commands(readme)
        if not commands:
            self.problem(readme, 0, "no shell block of commands under a 'Quick start' heading")
        for line, command in commands:
            path = self.root / command
            if not path.is_file():
                self.problem(readme, line, f"quick-start command {command} does not exist")
            elif not os.access(path, os.X_OK):
                self.problem(readme, line, f"quick-start command {command} is not executable")
        if commands and TEST_COMMAND not in [command for _, command in commands]:
            self.problem(readme, 0, f"the quick start does not name the test command {TEST_COMMAND}")

        ci = self.root / CI_ENTRY
        if not ci.is_file():
            self.problem(ci, 0, "does not exist")
            return
        if not os.access(ci, os.X_OK):
            self.problem(ci, 0, "is not executable")
        calls = [
            line for line in ci.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("#") and re.search(rf"(^|[\s/]){re.escape(TEST_COMMAND)}\b", line)
        ]
        if not calls:
            self.problem(ci, 0, f"does not call {TEST_COMMAND}")

    def run(self) -> int:
        readme = self.root / "README.md"
        pages = [readme] + sorted((self.root / "docs").glob("*.md"))
        for page in pages:
            if page.is_file():
                self.check_page(page)
            else:
                self.problem(page, 0, "does not exist")
        if readme.is_file():
            self.check_commands(readme)
        for problem in self.problems:
            print(problem)
        return 1 if self.problems else 0


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    sys.exit(Checker(root).run())
