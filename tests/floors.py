"""The floors of the code base, and a reader that finds every dependency crossing them.

A module may use its own app and lower floors only (docs/architecture.md, "Floors"):

    5  home, urls.py, settings.py, wsgi.py, api.py    composition roots
    4  indicators  committee  quality                 read floor 3 via queries/services/enums
    3  correspondence  appointments  surveys  faq     (appointments -> surveys.services)
    2  outbox  proconnect  calendar
    1  organisation
    0  engagements/*.py and engagements/shell/        shared modules, agents' page shell

Counted: every Python `import` (inside functions too), `apps.get_model("app", ...)` literals,
and in templates `{% load %}` (a tag library of a higher floor or a sibling),
`{% include %}`/`{% extends %}` (another app's template: only the shared ones are free) and
`{% url %}` (a link to a higher floor; links to the home app are free).
`tests/test_floors.py` asserts that `violations()` and `import_cycles()` are empty;
`lint-imports` checks the Python side again in CI.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "engagements"

FLOORS: dict[str, int] = {
    "shared": 0,
    "shell": 0,
    "organisation": 1,
    "outbox": 2,
    "proconnect": 2,
    "calendar": 2,
    "correspondence": 3,
    "appointments": 3,
    "surveys": 3,
    "faq": 3,
    "indicators": 4,
    "committee": 4,
    "quality": 4,
    "home": 5,
    "operations": 5,
    "root": 5,
}
ROOT_MODULES = {"urls", "settings", "wsgi", "api"}
# What an upper app may import of a domain app (floor 4 reading floor 3).
DOMAIN_DOORS = {"queries", "services", "enums"}
# The one sanctioned sideways call.
SIDEWAYS = {("appointments", "surveys", "services")}


@dataclass(frozen=True)
class Dependency:
    source: str  # file, relative to the repository
    line: int
    kind: str  # import, get_model, load, include, url
    target: str  # what is named

    def __str__(self) -> str:
        return f"{self.source}:{self.line} {self.kind} {self.target}"


def app_of_module(dotted: str) -> tuple[str, str] | None:
    """(app, first module inside it) of a dotted module of ours, or None for a third party."""
    parts = dotted.split(".")
    if parts[0] != "engagements":
        return None
    if len(parts) == 1:
        return ("shared", "")
    head = parts[1]
    if head in FLOORS and head not in ("shared", "root"):
        return (head, parts[2] if len(parts) > 2 else "")
    if head in ROOT_MODULES:
        return ("root", head)
    return ("shared", head)


def app_of_file(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) == 1:
        return "root" if rel.stem in ROOT_MODULES else "shared"
    head = rel.parts[0]
    if head == "templates":
        return "shared"
    return head if head in FLOORS else "shared"


def allowed(src_app: str, dst_app: str, dst_module: str) -> bool:
    if src_app == dst_app or src_app == "root":  # the composition roots assemble everything
        return True
    fs, fd = FLOORS[src_app], FLOORS[dst_app]
    if dst_app != "shared" and dst_module == "views":
        return False  # no app imports another app's views
    if fd < fs:
        if fs == 4 and fd == 3:
            return dst_module in DOMAIN_DOORS
        return True
    return (src_app, dst_app, dst_module) in SIDEWAYS


def _resolve_relative(module: str, level: int, name: str | None, is_package: bool) -> str:
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: -(level - 1)]
    return ".".join(base + ([name] if name else []))


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(PACKAGE.parent))
    except ValueError:
        return str(path)


def python_dependencies(path: Path, module: str | None = None) -> list[Dependency]:
    """Every import and `apps.get_model` literal of one file (`module` its dotted name)."""
    rel = _shown(path)
    is_package = path.name == "__init__.py"
    if module is None:
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if is_package:
            module = module.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[Dependency] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Dependency(rel, node.lineno, "import", alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = (
                _resolve_relative(module, node.level, node.module, is_package)
                if node.level
                else node.module or ""
            )
            for alias in node.names:
                # `from engagements.x import views` names a module: count the deeper one.
                found.append(Dependency(rel, node.lineno, "import", f"{base}.{alias.name}"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            label = node.args[0].value.split(".")[0]
            found.append(Dependency(rel, node.lineno, "get_model", f"engagements.{label}"))
    return found


_LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
_INCLUDE = re.compile(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")
_URL = re.compile(r"{%\s*url\s+[\"']([\w-]+):")


def _template_owners() -> dict[str, str]:
    """Template path (as named in an include) -> app owning it."""
    owners: dict[str, str] = {}
    for folder in PACKAGE.glob("**/templates"):
        app = app_of_file(folder / "x")
        for file in folder.rglob("*"):
            if file.is_file():
                owners.setdefault(str(file.relative_to(folder)), app)
    return owners


def _tag_libraries() -> dict[str, str]:
    return {
        file.stem: app_of_file(file)
        for file in PACKAGE.glob("**/templatetags/*.py")
        if file.stem != "__init__"
    }


def _url_namespaces() -> dict[str, str]:
    spaces: dict[str, str] = {}
    for file in PACKAGE.glob("**/urls.py"):
        match = re.search(r"^app_name\s*=\s*[\"'](\w+)[\"']", file.read_text(), re.M)
        if match:
            spaces[match.group(1)] = app_of_file(file)
    return spaces


def template_dependencies(path: Path, owners, tags, spaces) -> list[tuple[Dependency, str, str]]:
    """(dependency, app it reaches, module kind) for one template file."""
    rel = _shown(path)
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for match in _LOAD.finditer(line):
            names = match.group(1).split()
            if "from" in names:
                names = names[names.index("from") + 1 :]
            for name in names:
                if name in tags:
                    found.append((Dependency(rel, number, "load", name), tags[name], "tags"))
        for match in _INCLUDE.finditer(line):
            name = match.group(1)
            if name in owners:
                found.append((Dependency(rel, number, "include", name), owners[name], "tmpl"))
        for match in _URL.finditer(line):
            space = match.group(1)
            if space in spaces:
                dep = Dependency(rel, number, "url", space)
                found.append((dep, spaces[space], "url"))
    return found


def violations() -> list[Dependency]:
    """Every dependency that crosses the floors the wrong way."""
    bad: list[Dependency] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        src = app_of_file(path)
        for dep in python_dependencies(path):
            target = app_of_module(dep.target)
            if target is None:
                continue
            dst_app, dst_module = target
            if dst_app == "shared" and dst_module in ROOT_MODULES:
                dst_app = "root"
            if not allowed(src, dst_app, dst_module):
                bad.append(dep)
    owners, tags, spaces = _template_owners(), _tag_libraries(), _url_namespaces()
    for folder in PACKAGE.glob("**/templates"):
        src = app_of_file(folder / "x")
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix not in (".html", ".txt", ".xml", ".ics"):
                continue
            for dep, dst_app, kind in template_dependencies(path, owners, tags, spaces):
                if src == dst_app:
                    continue
                if kind == "url":
                    if FLOORS[dst_app] > FLOORS[src] and dst_app not in ("home", "public"):
                        bad.append(dep)
                elif kind == "tmpl":
                    if FLOORS[dst_app] > 0:  # another app's template is its insides
                        bad.append(dep)
                elif FLOORS[dst_app] >= FLOORS[src]:
                    bad.append(dep)
    return bad


def _module_files() -> dict[str, Path]:
    files = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    return files


def import_cycles() -> list[list[str]]:
    """Groups of our modules that import each other, directly or in a ring (any import)."""
    files = _module_files()
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        for dep in python_dependencies(path):
            target = dep.target
            while target and target not in files:
                target = target.rpartition(".")[0]
            # A package's __init__ is not a cycle with its own modules.
            if target and target != name and not name.startswith(target + "."):
                if not target.startswith(name + "."):
                    graph[name].add(target)
    # Tarjan's strongly connected components.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


if __name__ == "__main__":  # a developer's listing: python -m tests.floors
    found = violations()
    for dep in found:
        print(dep)
    print(f"{len(found)} violations")
    for group in import_cycles():
        print("cycle:", " <-> ".join(group))
