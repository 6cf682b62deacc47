"""Report, for each Python file given, whether it compiles, which names it loads that are never bound,
and which imported names it never uses. Prints one JSON object keyed by path.

Used by the fix-safety tests to compare a fixture before and after `--fix`: a fix must not introduce a
name that is undefined, nor leave an import behind that nothing uses.
"""
import ast
import builtins
import json
import sys

BUILTINS = set(dir(builtins)) | {"__file__", "__name__", "__doc__", "__spec__", "__builtins__"}


def analyze(source, path):
    tree = ast.parse(source, path)
    bound, loaded, imported = set(), set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    continue
                name = alias.asname or alias.name.split(".")[0]
                bound.add(name)
                imported[name] = node.lineno
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
    # Attribute roots count as uses: `torch.optim.AdamW` uses `torch`.
    undefined = sorted(loaded - bound - BUILTINS)
    unused_imports = sorted(name for name in imported if name not in loaded)
    return {"undefined": undefined, "unusedImports": unused_imports}


def python_view(source):
    """What Python compiles of a Databricks notebook exported as source: Databricks runs its cells' IPython
    lines (`%pip ...`, `!cmd ...` and their backslash continuations) itself, so they become empty lines. Looser
    than the adapter's masking (src/notebook/magics.ts), which masks only lines that begin a logical line: a `%` or
    `!` line inside brackets or a multi-line string is blanked here too, so this check can pass more often."""
    if not source.startswith("# Databricks notebook source"):
        return source
    lines, continuing = [], False
    for line in source.split("\n"):
        if continuing or line.lstrip().startswith(("%", "!")):
            continuing = line.rstrip("\r").endswith("\\")
            lines.append("")
        else:
            lines.append(line)
    return "\n".join(lines)


def main(paths):
    out = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            source = python_view(f.read())
        try:
            compile(source, path, "exec")
        except SyntaxError as error:
            out[path] = {"compiles": False, "error": str(error), "undefined": [], "unusedImports": []}
            continue
        out[path] = {"compiles": True, **analyze(source, path)}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
