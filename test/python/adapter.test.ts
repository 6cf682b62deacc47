import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { pythonAdapter } from "../../src/python/adapter.js";
import { parseTree } from "../../src/python/parser.js";
import { loadFixture } from "./fixture.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/python/", import.meta.url));

describe("pythonAdapter", () => {
  it("handles .py and .pyi files only", () => {
    expect(pythonAdapter.handles("train.py")).toBe(true);
    expect(pythonAdapter.handles("stubs/torch.pyi")).toBe(true);
    expect(pythonAdapter.handles("config.yaml")).toBe(false);
    expect(pythonAdapter.handles("train.pyc")).toBe(false);
  });

  it("returns plain data: text, facts, syntax errors and comments, no tree", () => {
    const file = pythonAdapter.analyze("import torch\nopt = torch.optim.SGD(m.parameters(), lr=0.1)  # fast\n", "t.py");
    expect(Object.keys(file).sort()).toEqual(["comments", "facts", "syntaxErrors", "text"]);
    expect(file.facts.optimizers).toHaveLength(1);
    expect(file.comments).toEqual([{ line: 1, text: "# fast", ownLine: false }]);
  });

  it("skips facts for a file without training words but still reports comments and syntax errors", () => {
    const text = "# utility module\ndef f(x):\n    return g(x\n";
    const file = pythonAdapter.analyze(text, "util.py");
    expect(file.facts).toEqual({
      optimizers: [],
      distributed: { evidence: [], batchScaledByWorldSize: [], lrScaledByWorldSize: [] },
      schedulers: [],
      lrWrites: [],
      modelHints: { freezesParameters: [] },
    });
    expect(file.comments).toEqual([{ line: 0, text: "# utility module", ownLine: true }]);
    expect(file.syntaxErrors).toHaveLength(1);
    expect(file.syntaxErrors[0].message).toBe("Syntax error: '(' was never closed");
    expect(text.slice(file.syntaxErrors[0].span.start, file.syntaxErrors[0].span.end)).toBe("(");
  });

  it("tells whether text parses", () => {
    expect(pythonAdapter.parses("x = [1, 2]\n")).toBe(true);
    expect(pythonAdapter.parses("x = [1, 2\n")).toBe(false);
    expect(pythonAdapter.parses("def f(:\n    pass\n")).toBe(false);
  });
});

describe("syntax errors (fixtures/python/syntax_error.py)", () => {
  it("reports each error with a span and a message", () => {
    const fx = loadFixture("syntax_error.py");
    expect(fx.file.syntaxErrors.length).toBeGreaterThan(0);
    for (const error of fx.file.syntaxErrors) {
      expect(error.message).toMatch(/^Syntax error: /);
      expect(error.span.start).toBeLessThanOrEqual(error.span.end);
    }
  });

  it("words a missing token", () => {
    const file = pythonAdapter.analyze("def f(:\n    pass\n", "f.py");
    expect(file.syntaxErrors).toEqual([{ span: { start: 6, end: 6 }, message: "Syntax error: missing )" }]);
  });

  it("names a character Python never reads outside a string, as CPython does, with the ASCII form of a full-width one", () => {
    const cases: [string, string, string][] = [
      ["logits = model(x)\u3011\n", "\u3011", "Syntax error: invalid character '\u3011' (U+3011)"],
      ["y = f(a\uff0c b)\n", "\uff0c", "Syntax error: invalid character '\uff0c' (U+FF0C); type the ASCII ',' instead"],
      ["if x\uff1a\n    pass\n", "\uff1a", "Syntax error: invalid character '\uff1a' (U+FF1A); type the ASCII ':' instead"],
      ["ok = a \u2264 b\n", "\u2264", "Syntax error: invalid character '\u2264' (U+2264)"],
    ];
    for (const [text, char, message] of cases) {
      const [error] = pythonAdapter.analyze(text, "t.py").syntaxErrors;
      expect(error.message, text).toBe(message);
      expect(text.slice(error.span.start, error.span.end)).toBe(char);
    }
  });

  it("does not blame a character inside a string left open on its line", () => {
    const [error] = pythonAdapter.analyze('s = "\u4f60\u597d\uff0c\n', "t.py").syntaxErrors;
    expect(error.message).not.toContain("invalid character");
  });
});

describe("offsets and comments", () => {
  it("uses UTF-16 offsets after non-ASCII text (fixtures/python/unicode.py)", () => {
    const fx = loadFixture("unicode.py");
    const site = fx.site("after-non-ascii")!;
    expect(fx.slice(site.nameSpan)).toBe("torch.optim.Adam");
    expect(site.span.start).toBe(fx.file.text.indexOf("torch.optim.Adam(model"));
    expect(fx.slice(fx.arg("after-non-ascii", "eps")!.span)).toBe("eps=1e-8");
    const last = fx.file.comments[fx.file.comments.length - 1];
    expect(last).toEqual({ line: 6, text: "# case: after-non-ascii  ✓", ownLine: false });
  });

  it("strips a leading BOM before computing offsets (fixtures/python/bom.py)", () => {
    const fx = loadFixture("bom.py");
    expect(fx.file.text.charCodeAt(0)).not.toBe(0xfeff);
    expect(fx.slice(fx.site("bom")!.nameSpan)).toBe("torch.optim.SGD");
  });

  it("finds exactly the comments tree-sitter finds in every fixture", () => {
    for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith(".py"))) {
      const text = readFileSync(FIXTURES + name, "utf8").replace(/^\uFEFF/, "");
      const expected = parseTree(text)
        .rootNode.descendantsOfType("comment")
        .map((n) => ({ line: n.startPosition.row, text: n.text }));
      const found = pythonAdapter.analyze(text, name).comments.map(({ line, text: t }) => ({ line, text: t }));
      expect(found, name).toEqual(expected);
    }
  });

  it("handles CRLF line endings", () => {
    const text = "import torch\r\n# lr below\r\nopt = torch.optim.SGD(m.parameters(), lr=0.1)  # fast\r\n";
    const file = pythonAdapter.analyze(text, "crlf.py");
    expect(file.comments).toEqual([
      { line: 1, text: "# lr below", ownLine: true },
      { line: 2, text: "# fast", ownLine: false },
    ]);
    const lr = file.facts.optimizers[0].args.get("lr")!;
    expect(text.slice(lr.span.start, lr.span.end)).toBe("lr=0.1");
  });

  it("does not take # inside strings for a comment, and marks own-line comments", () => {
    const text = 's = "# not a comment"\nt = """\n# still a string\n"""  # real\n    # indented\n';
    expect(pythonAdapter.analyze(text, "s.py").comments).toEqual([
      { line: 3, text: "# real", ownLine: false },
      { line: 4, text: "# indented", ownLine: true },
    ]);
  });
});

describe("Jinja and cookiecutter templates", () => {
  const TEMPLATE = 'import torch\n{% if cookiecutter.use_wandb == "y" %}\nimport wandb\n{% endif %}\noptimizer = torch.optim.Adam(model.parameters(), lr=0.5)\n';
  const NOTICE = "Not analyzed: this file looks like a Jinja or cookiecutter template";

  it("gives a template whose syntax errors sit on template tags one info notice and no facts", () => {
    const file = pythonAdapter.analyze(TEMPLATE, "train.py");
    expect(file.syntaxErrors).toHaveLength(1);
    expect(file.syntaxErrors[0].severity).toBe("info");
    expect(file.syntaxErrors[0].message).toContain(`${NOTICE} (its syntax errors sit on template tags)`);
    expect(TEMPLATE.slice(file.syntaxErrors[0].span.start, file.syntaxErrors[0].span.end)).toBe("{%");
    expect(file.facts.optimizers).toEqual([]);
  });

  it("skips a file under a folder named with {{ ... }}, even one that parses", () => {
    const text = "import torch\noptimizer = torch.optim.Adam(model.parameters(), lr={{ cookiecutter.lr }})\n";
    for (const path of ["/p/{{cookiecutter.project_slug}}/train.py", "{{ cookiecutter.repo }}\\src\\train.py"]) {
      const file = pythonAdapter.analyze(text, path);
      expect(file.syntaxErrors).toEqual([{ span: { start: 0, end: 0 }, message: `${NOTICE} (its folder is named as a template's), not Python; lint the rendered file.`, severity: "info" }]);
      expect(file.facts.optimizers).toEqual([]);
    }
    expect(pythonAdapter.analyze(text, "/p/{{cookiecutter.slug}}.py").facts.optimizers).toHaveLength(1);
  });

  it("keeps a real syntax error fatal when it is not on a template tag, and tags in strings or comments are no sign", () => {
    const broken = pythonAdapter.analyze(`${TEMPLATE}x = foo(\n`, "train.py");
    expect(broken.syntaxErrors.some((e) => e.severity === undefined)).toBe(true);
    expect(broken.syntaxErrors.some((e) => e.message.includes(NOTICE))).toBe(false);
    const strings = pythonAdapter.analyze('s = "{% if x %}"  # {{ y }}\nx = foo(\n', "util.py");
    expect(strings.syntaxErrors.every((e) => e.severity === undefined && !e.message.includes(NOTICE))).toBe(true);
  });
});

describe("Databricks notebooks exported as Python source", () => {
  const cells = "# COMMAND ----------\n\n%pip install -q torch\n\n# COMMAND ----------\n\nimport torch\nopt = torch.optim.SGD(m.parameters(), lr=0.1)\n\n# COMMAND ----------\n\n!deepspeed --num_gpus 2 \\\n    train.py \\\n    --lr 5e-6\n";

  it("masks the IPython lines of its cells, keeping every offset, and reads the rest", () => {
    const text = `# Databricks notebook source\n${cells}`;
    const file = pythonAdapter.analyze(text, "train_nb.py");
    expect(file.syntaxErrors).toEqual([]);
    expect(file.text).toBe(text);
    expect(file.facts.optimizers).toHaveLength(1);
    expect(text.slice(file.facts.optimizers[0].nameSpan.start, file.facts.optimizers[0].nameSpan.end)).toBe("torch.optim.SGD");
    expect(pythonAdapter.parses(text)).toBe(true);
  });

  it("keeps them syntax errors in a file without the Databricks header", () => {
    const file = pythonAdapter.analyze(`# notebook source\n${cells}`, "train.py");
    expect(file.syntaxErrors.filter((e) => e.severity === undefined).length).toBeGreaterThan(0);
    expect(pythonAdapter.parses(`# notebook source\n${cells}`)).toBe(false);
  });
});
