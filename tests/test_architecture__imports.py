"""The house rules that a reader cannot see from one file: no import circles, no hidden
imports inside functions, a pure engine, and no private SQLAlchemy names."""
import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def _module_name(path):
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules():
    return {_module_name(p): p for p in APP.rglob("*.py")}


def _imports(name, path, known):
    """(imported module, line, inside a function) for every import of an app module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    functions = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for n in ast.walk(f)}
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test) for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:     # annotations only: never imported when the code runs
            continue
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rsplit(".", 1)[0] if "." in target else ""
            if target and target != name and not (name.startswith(target + ".") and target in _packages(known)):
                yield target, node.lineno, id(node) in functions


def _packages(known):
    return {m for m in known if any(other.startswith(m + ".") for other in known)}


def _graph():
    known = _modules()
    return {name: {t for t, _line, _inside in _imports(name, path, known)} for name, path in known.items()}


def test_no_import_circle_among_the_app_modules():
    graph, state, cycles = _graph(), {}, []

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"
    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == [], "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_imports_inside_functions_say_why():
    """Any import (the app's, the standard library's, a dependency's) inside a function needs a comment."""
    hidden = []
    for path in APP.rglob("*.py"):
        tree, lines = ast.parse(path.read_text(encoding="utf-8")), path.read_text(encoding="utf-8").splitlines()
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and \
                        "#" not in lines[node.lineno - 1] and "#" not in lines[node.lineno - 2]:
                    hidden.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert hidden == []


def test_the_engine_imports_no_web_or_database_code():
    for path in (APP / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) (flask|sqlalchemy|flask_sqlalchemy)\b", text, re.M), path
        assert not re.search(r"^\s*from \.\.(services|models|web|api)\b", text, re.M), path


def test_no_private_sqlalchemy_names():
    private = re.compile(r"\b(identity_map\._|state\._|_sa_instance_state|sqlalchemy\.[\w.]*\._\w|"
                         r"from sqlalchemy[\w.]* import _)")
    offenders = [f"{p.relative_to(APP.parent)}:{n}" for p in APP.rglob("*.py")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if private.search(line)]
    assert offenders == []
