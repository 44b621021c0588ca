"""docs/security.md stays true: every cited checklist ID is there, every test it names exists.

Citations are read from test function names and parametrize ids (``test_S_X4_...``,
``id="P_D7_azp"``, ``id="A_NA5-comma"``), from comments and docstrings in ``tests/``, and from
comments and string literals in ``authmw/``. ``python tests/test_security_doc.py`` prints that
inventory (ID, then where it is cited), the raw material the document was written from.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
#: shared/ lies beside the repository root (the checkout here, a fresh clone in CI).
CHECKLIST = ROOT.parent / "shared" / "reference" / "security-checklist.md"

#: One checklist ID: ``R-7``, or a family letter, a section of letters and a number (``A-NA10``).
ID = r"(?:R-\d+|[PSAB]-[A-Z]{1,3}\d+)"
_ID = re.compile(rf"\b{ID}\b")
#: A citation in prose, with lists and ranges: ``P-D2/D3``, ``S-C1..C4``, ``B-E1..B-E4``.
_CITED = re.compile(rf"\b({ID})((?:(?:/|\.\.)(?:[PSABR]-)?[A-Z]{{0,3}}\d+)*)")
_MORE = re.compile(r"(/|\.\.)(?:[PSABR]-)?([A-Z]*)(\d+)")
#: The IDs at the start of a test name or parametrize id, ``_`` for ``-`` (``P_D2_A_AL1_hs``).
_NAMED = re.compile(r"(?:([PSAB])_([A-Z]{1,3}\d+)|R_(\d+))(?=[_\-\[]|$)")
#: ``tests/x/test_y.py::test_name`` in the document, with optional parametrize ids after it.
_REF = re.compile(r"`(tests/[\w./-]+\.py)::(\w+)`(?: \(((?:`[^`]+`(?:, )?)+)\))?")


def ids_in_prose(text: str) -> set[str]:
    """Checklist IDs cited in *text*, ranges (``S-C1..C4``) and lists (``P-D2/D3``) expanded."""
    found: set[str] = set()
    for match in _CITED.finditer(text):
        first = match.group(1)
        found.add(first)
        family, section, number = re.fullmatch(r"([PSABR])-([A-Z]*)(\d+)", first).groups()  # type: ignore[union-attr]
        previous = int(number)
        for separator, other, value in _MORE.findall(match.group(2)):
            other = other or section
            if separator == ".." and other == section:
                found.update(f"{family}-{section}{n}" for n in range(previous + 1, int(value) + 1))
            else:
                found.add(f"{family}-{other}{value}")
            previous = int(value)
    return found


def ids_in_name(name: str) -> set[str]:
    """IDs leading a test name (after ``test_``) or a parametrize id."""
    found: set[str] = set()
    rest = name.removeprefix("test_")
    while match := _NAMED.match(rest):
        found.add(f"R-{match.group(3)}" if match.group(3) else f"{match.group(1)}-{match.group(2)}")
        rest = rest[match.end() :].lstrip("_")
    return found


def python_files(folder: Path) -> Iterator[Path]:
    """The Python files under *folder*, without installed JavaScript tooling and this module
    (whose strings are examples, not citations)."""
    for path in sorted(folder.rglob("*.py")):
        if "node_modules" not in path.parts and path != Path(__file__).resolve():
            yield path


def _functions_and_strings(tree: ast.AST) -> tuple[list[tuple[int, int, str]], list[ast.Constant]]:
    """The functions (first line with decorators, last line, name) and the string literals."""
    spans, strings = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            spans.append((start, node.end_lineno or node.lineno, node.name))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.append(node)
    return spans, strings


def inventory() -> dict[str, dict[str, set[str]]]:
    """``{id: {"named": ..., "test text": ..., "code": ...}}``: where each ID is cited.

    *named*: ``file::test`` whose name or parametrize id starts with the ID; *test text*: a
    comment or string in ``tests/``; *code*: ``file:line`` of a comment or string in ``authmw/``.
    Cited IDs are read off the raw lines: ``P-D2`` cannot be code (no such names), so it stands
    in a comment or a string, and reading lines costs a fraction of tokenizing every file.
    """
    found: dict[str, dict[str, set[str]]] = defaultdict(
        lambda: {"named": set(), "test text": set(), "code": set()}
    )
    for folder in ("tests", "authmw"):
        for path in python_files(ROOT / folder):
            rel = path.relative_to(ROOT).as_posix()
            source = path.read_text(encoding="utf-8")
            spans, strings = _functions_and_strings(ast.parse(source))

            def where(line: int, rel: str = rel, spans: list[tuple[int, int, str]] = spans) -> str:
                inside = [(start, name) for start, end, name in spans if start <= line <= end]
                return f"{rel}::{max(inside)[1]}" if inside else f"{rel}:{line}"

            for number, text in enumerate(source.splitlines(), start=1):
                for cited in ids_in_prose(text):
                    if folder == "authmw":
                        found[cited]["code"].add(f"{rel}:{number}")
                    else:
                        found[cited]["test text"].add(where(number))
            if folder == "authmw":
                continue
            for *_, name in spans:
                if name.startswith("test_"):
                    for cited in ids_in_name(name):
                        found[cited]["named"].add(f"{rel}::{name}")
            for string in strings:
                for cited in ids_in_name(string.value):
                    found[cited]["named"].add(f"{where(string.lineno)}[{string.value}]")
    return found


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def _sort_key(cited: str) -> tuple[int, str, int]:
    family, section, number = re.fullmatch(r"([PSABR])-([A-Z]*)(\d+)", cited).groups()  # type: ignore[union-attr]
    return "PSABR".index(family), section, int(number)


def test_every_cited_id_is_in_the_document() -> None:
    """IDs in test names, parametrize ids, test comments and authmw/ comments are all listed."""
    in_doc = set(_ID.findall(doc_text()))
    missing = {
        cited: sorted(set().union(*places.values()))[:3]
        for cited, places in inventory().items()
        if cited not in in_doc
    }
    assert not missing, f"add these checklist IDs to docs/security.md: {missing}"


def test_every_test_the_document_names_exists() -> None:
    """Each ``file::test`` (and each parametrize id in brackets after it) is in that file."""
    refs = _REF.findall(doc_text())
    assert len(refs) > 100, "the document should name the tests that pin its checks"
    trees: dict[str, tuple[set[str], set[str]]] = {}
    wrong = []
    for rel, name, params in refs:
        if rel not in trees:
            path = ROOT / rel
            if not path.is_file():
                wrong.append(f"{rel} (no such file)")
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {
                node.name
                for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            strings = {
                node.value
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            }
            trees[rel] = names, strings
        names, strings = trees[rel]
        if name not in names:
            wrong.append(f"{rel}::{name}")
        for param in re.findall(r"`([^`]+)`", params):
            if param not in strings:
                wrong.append(f"{rel}::{name}[{param}]")
    assert not wrong, f"docs/security.md names tests that do not exist: {wrong}"


def test_every_id_in_the_document_is_in_the_checklist() -> None:
    if not CHECKLIST.is_file():
        pytest.skip(f"the checklist is not beside the repository ({CHECKLIST} is absent)")
    known = set(re.findall(rf"^\| ({ID}) \|", CHECKLIST.read_text(encoding="utf-8"), re.M))
    assert len(known) > 100, "the checklist's table rows were not recognised"
    unknown = sorted(set(_ID.findall(doc_text())) - known, key=_sort_key)
    assert not unknown, f"docs/security.md cites IDs the checklist does not have: {unknown}"


def test_citations_are_read_as_written() -> None:
    assert ids_in_prose("P-D2/D3, S-C1..C4 and B-E1..B-E3; A-OP1..3 (not P-256)") == {
        "P-D2",
        "P-D3",
        "S-C1",
        "S-C2",
        "S-C3",
        "S-C4",
        "B-E1",
        "B-E2",
        "B-E3",
        "A-OP1",
        "A-OP2",
        "A-OP3",
    }
    assert ids_in_name("test_B_H6_S_X3_S_X4_cross_site_post_is_refused") == {
        "B-H6",
        "S-X3",
        "S-X4",
    }
    assert ids_in_name("test_R_7_A_NA15_database_down") == {"R-7", "A-NA15"}
    assert ids_in_name("A_NA5-comma") == {"A-NA5"}
    assert ids_in_name("test_5_5_addresses") == set()
    assert ids_in_name("test_P_D_invalid_id_tokens") == set()


if __name__ == "__main__":
    for cited, places in sorted(inventory().items(), key=lambda item: _sort_key(item[0])):
        print(cited)
        for kind, where in sorted((k, w) for k, ws in places.items() for w in ws):
            print(f"    {kind:9}  {where}")
    sys.exit(0)
