"""The layers stay apart: no import cycle between citycat's modules, no import of another module's
private (``_underscore``) names. An AST walk over ``src/citycat``, nothing imported.

Every ``import`` and ``from … import`` of a citycat module counts, at module level and inside
functions (a function-level import that closes a cycle is a cycle all the same), and so does
``importlib.import_module("citycat.x.…")`` (a name built at run time from a constant prefix counts
as an import of every module under that prefix). A package whose ``__init__`` imports its own
submodules, which import the package back, is fine (that is how a package gathers them): a cycle
is reported when it reaches outside the package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "citycat"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    where: str  # path:line

    def __str__(self) -> str:
        return f"{self.where}: {self.source} imports {self.target}"


def modules(src: Path = SRC) -> dict[str, Path]:
    """Module name → file: ``citycat/a/b.py`` is ``citycat.a.b``, ``citycat/a/__init__.py`` is ``citycat.a``."""
    found = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


class Walk:
    """The imports of one module: edges to citycat modules and uses of their private names."""

    def __init__(self, name: str, path: Path, known: dict[str, Path], src: Path = SRC):
        self.name, self.path, self.known, self.src = name, path, known, src
        self.is_package = path.name == "__init__.py"
        self.tree = ast.parse(path.read_text("utf-8"), str(path))
        self.edges: list[Edge] = []
        self.offences: list[str] = []
        self.bound: dict[str, str] = {}  # a local name bound to a citycat module
        self._read()

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(self.src.parent).as_posix()}:{node.lineno}"

    def module_of(self, dotted: str) -> str | None:
        """The citycat module a dotted name is, or is inside."""
        parts = dotted.split(".")
        while parts:
            candidate = ".".join(parts)
            if candidate in self.known:
                return candidate
            parts.pop()
        return None

    def absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.name.split(".")
        base = base if self.is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def edge(self, target: str | None, node: ast.AST) -> None:
        if target is None or target == self.name:
            return
        self.edges.append(Edge(self.name, target, self.where(node)))

    def _read(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and self.dotted(node.func) in (
                "importlib.import_module",
                "import_module",
            ):
                prefix = self.constant_prefix(node.args[0]) if node.args else ""
                if prefix.split(".")[0] == PACKAGE:
                    for target in sorted(m for m in self.known if m.startswith(prefix)):
                        self.edge(target, node)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] != PACKAGE:
                        continue
                    target = self.module_of(alias.name)
                    self.edge(target, node)
                    if alias.asname and target == alias.name:
                        self.bound[alias.asname] = target
                    elif not alias.asname:
                        self.bound[PACKAGE] = PACKAGE
            elif isinstance(node, ast.ImportFrom):
                base = self.absolute(node)
                if base.split(".")[0] != PACKAGE:
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if sub in self.known:  # from package import module
                        self.edge(sub, node)
                        self.bound[alias.asname or alias.name] = sub
                        continue
                    target = self.module_of(base)
                    self.edge(target, node)
                    if private(alias.name) and target != self.name:
                        self.offences.append(
                            f"{self.where(node)}: {self.name} imports the private name {alias.name} of {target}"
                        )
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Attribute) and private(node.attr):
                owner = self.dotted(node.value)
                if owner is None:
                    continue
                target = self.resolve(owner)
                if target is not None and target != self.name:
                    self.offences.append(
                        f"{self.where(node)}: {self.name} uses the private name {node.attr} of {target}"
                    )

    @staticmethod
    def constant_prefix(node: ast.AST) -> str:
        """The constant start of a string argument: all of it, or an f-string's text before its first value."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            return str(node.values[0].value)
        return ""

    def dotted(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            inner = self.dotted(node.value)
            return None if inner is None else f"{inner}.{node.attr}"
        return None

    def resolve(self, dotted: str) -> str | None:
        """The citycat module a dotted expression names exactly (``views``, ``citycat.site.views``)."""
        head, _, rest = dotted.partition(".")
        if head not in self.bound:
            return None
        full = self.bound[head] + (f".{rest}" if rest else "")
        return full if full in self.known else None


def walk_all(src: Path = SRC) -> list[Walk]:
    known = modules(src)
    return [Walk(name, path, known, src) for name, path in known.items()]


def gathering(component: list[str]) -> bool:
    """A package and its own submodules only: the package's ``__init__`` gathers them."""
    return any(all(m == p or m.startswith(p + ".") for m in component) for p in component)


def cycles(edges: list[Edge]) -> Iterator[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = [0]

    def strong(v: str) -> Iterator[list[str]]:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                yield from strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                yield sorted(component)

    for v in sorted(graph):
        if v not in index:
            yield from strong(v)


def describe_cycle(component: list[str], edges: list[Edge]) -> str:
    inside = set(component)
    lines = [f"import cycle between {len(component)} modules: {', '.join(component)}"]
    lines += [f"    {e}" for e in sorted(edges, key=str) if e.source in inside and e.target in inside]
    return "\n".join(lines)


def test_no_import_cycle_between_citycats_modules():
    edges = [e for w in walk_all() for e in w.edges]
    assert edges, "the walk found no import at all: it is broken"
    found = [describe_cycle(c, edges) for c in cycles(edges) if not gathering(c)]
    for text in found:
        print(text)
    assert not found, "\n" + "\n".join(found)


def test_no_import_of_another_modules_private_names():
    offences = [o for w in walk_all() for o in w.offences]
    for text in offences:
        print(text)
    assert not offences, "\n" + "\n".join(offences)


# --- the walk itself finds what it must --------------------------------------------------------


# What each layer may import (docs/architecture.md): the data flows one way, speed machinery and
# writing stay in the pipeline. A layer not named here may import any other.
MAY_IMPORT = {
    "model": {"model"},
    "source": {"model", "source"},
    "checks": {"model", "source", "checks"},
    "quality": {"model", "source", "checks", "quality", "site", "feeds", "pipeline.output", "edition.paged"},
    "site": {"model", "source", "site", "quality", "feeds"},
    "feeds": {"model", "source", "feeds", "site.i18n"},
    "api": {"model", "api", "feeds"},
    # an official edition: the annex and its writers; changes are paired as `citycat diff` pairs them
    "edition": {"model", "edition", "feeds", "editing.changes"},
}


def layer_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else ""


def allowed(target: str, may: set[str]) -> bool:
    below = target.removeprefix(PACKAGE + ".")
    return target == PACKAGE or any(below == m or below.startswith(m + ".") for m in may)


def test_each_layer_imports_only_the_layers_below_it():
    offences = [
        f"{edge} (a {layer_of(w.name)} module may import {', '.join(sorted(MAY_IMPORT[layer_of(w.name)]))})"
        for w in walk_all()
        if layer_of(w.name) in MAY_IMPORT
        for edge in w.edges
        if not allowed(edge.target, MAY_IMPORT[layer_of(w.name)])
    ]
    for text in offences:
        print(text)
    assert not offences, "\n" + "\n".join(offences)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return tmp_path


def test_the_walk_finds_a_cycle_closed_inside_a_function(tmp_path):
    src = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from citycat import b\n",
            "b.py": "def f():\n    from citycat.a import g\n",
            "pkg/__init__.py": "from citycat.pkg import c\n",  # a package gathering: no cycle
            "pkg/c.py": "import citycat.pkg\n",
            "reg/__init__.py": "import importlib\nMODS = [importlib.import_module(f'citycat.reg.{n}') for n in 'x']\n",
            "reg/x.py": "def f():\n    from citycat import user\n",
            "user.py": "from citycat import reg\n",
        },
    )
    walks = [Walk(n, p, modules(src), src) for n, p in modules(src).items()]
    edges = [e for w in walks for e in w.edges]
    found = [c for c in cycles(edges) if not gathering(c)]
    assert found == [["citycat.a", "citycat.b"], ["citycat.reg", "citycat.reg.x", "citycat.user"]]
    assert ["citycat.pkg", "citycat.pkg.c"] in list(cycles(edges))  # found, and let pass
    text = describe_cycle(["citycat.a", "citycat.b"], edges)
    assert "citycat/b.py:2: citycat.b imports citycat.a" in text


def test_the_walk_finds_private_names_imported_or_reached(tmp_path):
    src = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "_x = 1\n__all__ = []\n",
            "b.py": "from citycat.a import _x, __all__\n",
            "c.py": "from citycat import a\nprint(a._x, a.__all__)\n",
            "d.py": "import citycat.a\nprint(citycat.a._x)\n",
            "e.py": "from . import a\n\ndef f(s):\n    return s._private, a.__name__\n",
        },
    )
    walks = {w.name: w for w in (Walk(n, p, modules(src), src) for n, p in modules(src).items())}
    assert [len(walks[m].offences) for m in ("citycat.b", "citycat.c", "citycat.d", "citycat.e")] == [
        1,
        1,
        1,
        0,
    ]
    assert (
        "citycat/b.py:1: citycat.b imports the private name _x of citycat.a" in walks["citycat.b"].offences[0]
    )
