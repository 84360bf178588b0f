"""The walls between layers, read from the source (docs/ARCHITECTURE.md, "Layers").

Every module under articles/ and portal/ is parsed with `ast`; its imports, at module level and
inside functions, become edges of a graph. Two rules follow the data flow:
- no circle among module-level imports (a circle makes import order matter and hides a wall);
- nothing below the web layer (ingestion, enrichment, the workflow, locks, tasks, models)
  imports the website, the admin or the API, not even inside a function.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

from conftest import PROJECT_ROOT

PACKAGES = ("articles", "portal")
BELOW_THE_WEB = (
    "articles.ingest",
    "articles.enrich",
    "articles.workflow",
    "articles.versions",
    "articles.locks",
    "articles.tasks",
    "articles.models",
)
UPPER_LAYERS = ("articles.web", "articles.admin", "articles.api")


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    at_module_level: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((PROJECT_ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


class _ImportVisitor(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, known: set[str]):
        self.module, self.is_package, self.known = module, is_package, known
        self.depth = 0  # inside a function (or a TYPE_CHECKING block): not run when the module loads
        self.found: list[Import] = []

    def _nested(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _nested

    def visit_If(self, node):
        test = ast.unparse(node.test)
        if test in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self._nested(node)
        else:
            self.generic_visit(node)

    def _add(self, target: str, line: int):
        # The nearest module of ours the name belongs to (`articles.models.Article` → `articles.models`).
        while target and target not in self.known:
            target = target.rpartition(".")[0]
        if target and target != self.module:
            self.found.append(Import(self.module, target, line, self.depth == 0))

    def visit_Import(self, node):
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node):
        base = node.module or ""
        if node.level:
            package = self.module if self.is_package else self.module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        for alias in node.names:
            self._add(f"{base}.{alias.name}", node.lineno)


def project_imports() -> list[Import]:
    modules = project_modules()
    known = set(modules)
    found = []
    for name, path in modules.items():
        visitor = _ImportVisitor(name, path.name == "__init__.py", known)
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        found.extend(visitor.found)
    return found


def find_circle(edges: dict[str, set[str]]) -> list[str]:
    """One circle in the graph as [a, b, …, a], or [] when there is none (depth-first, iterative)."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" once fully explored
    for start in sorted(edges):
        if start in state:
            continue
        path, stack = [start], [iter(sorted(edges.get(start, ())))]
        state[start] = "open"
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()] = "done"
                stack.pop()
            elif state.get(step) == "open":
                return [*path[path.index(step) :], step]
            elif step not in state:
                state[step] = "open"
                path.append(step)
                stack.append(iter(sorted(edges.get(step, ()))))
    return []


def test_the_circle_finder_names_a_circle_and_accepts_a_tree():
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_circle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_the_walk_sees_imports_at_module_level_and_inside_functions():
    imports = project_imports()
    tasks_imports = {(i.target, i.at_module_level) for i in imports if i.source == "articles.tasks"}
    assert ("articles.locks", True) in tasks_imports
    assert ("articles.ingest.pipeline", False) in tasks_imports  # imported by the tasks that ingest
    assert len({i.source for i in imports}) > 50


def test_module_level_imports_have_no_circle():
    edges: dict[str, set[str]] = {}
    for found in project_imports():
        if found.at_module_level:
            edges.setdefault(found.source, set()).add(found.target)
    circle = find_circle(edges)
    assert circle == [], "import circle: " + " → ".join(circle)


def test_nothing_below_the_web_layer_imports_the_website_the_admin_or_the_api():
    def within(module, prefixes):
        return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)

    breaches = [
        f"{found.source} (line {found.line}) imports {found.target}"
        for found in project_imports()
        if within(found.source, BELOW_THE_WEB) and within(found.target, UPPER_LAYERS)
    ]
    assert breaches == []


def test_no_function_reaches_up_to_import_a_module_that_imports_it():
    # Imports inside functions too (tests left out: they import everything and nothing imports them).
    edges: dict[str, set[str]] = {}
    for found in project_imports():
        if not found.source.startswith("articles.tests"):
            edges.setdefault(found.source, set()).add(found.target)
    circle = find_circle(edges)
    assert circle == [], "import circle through a function's import: " + " → ".join(circle)
