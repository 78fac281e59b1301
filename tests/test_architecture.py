"""The house keeps its shape: folders import only downward, nobody takes another module's private
names, and there is no import cycle (docs/architecture.md draws the layers)."""
import ast
from pathlib import Path

from reportkit import config

PACKAGE = config.ROOT / "reportkit"
#: bottom to top; the foundation is every module directly in reportkit/ but cli and __main__
LAYERS = ["foundation", "inputs", "narrative", "model", "charts", "document", "outputs", "editing", "run", "cli"]


def module_name(path: Path) -> str:
    parts = path.relative_to(config.ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "foundation"
    if parts[1] in LAYERS:
        return parts[1]
    return "cli" if parts[1] in ("cli", "__main__") else "foundation"


def imports(path: Path):
    """(imported module, names taken) for every reportkit import in a file, at any depth."""
    mod = module_name(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "reportkit":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield (sub if (PACKAGE.parent / Path(*sub.split("."))).with_suffix(".py").exists()
                       or (PACKAGE.parent / Path(*sub.split(".")) / "__init__.py").exists() else target,
                       alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "reportkit":
                    yield alias.name, None


def graph():
    return {module_name(p): list(imports(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def test_folders_import_only_downward():
    upward = [f"{mod} -> {target}" for mod, found in graph().items() for target, _ in found
              if LAYERS.index(layer(target)) > LAYERS.index(layer(mod))]
    assert upward == []


def test_no_module_takes_another_modules_private_names():
    private = [f"{mod} -> {target}.{name}" for mod, found in graph().items() for target, name in found
               if name and name.startswith("_") and not name.startswith("__") and target != mod]
    assert private == []


def test_no_import_cycle():
    edges = {mod: {t for t, _ in found if t != mod and t in graph_modules()} for mod, found in graph().items()}
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            visit(nxt)
        stack.pop()

    for node in sorted(edges):
        visit(node)
    assert cycles == []


def graph_modules():
    return {module_name(p) for p in PACKAGE.rglob("*.py")}


def test_each_folder_says_its_job_and_what_it_may_import():
    for folder in LAYERS[1:-1]:
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, folder
