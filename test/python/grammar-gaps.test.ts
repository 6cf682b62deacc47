/** Valid Python that tree-sitter's grammar rejects: a non-fatal notice, the rest analyzed; real syntax errors stay fatal. */
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";
import { analyzePython } from "../../src/python/analyze.js";
import { collectSyntaxErrors, maskGrammarGaps, parseTree } from "../../src/python/parser.js";
import { pythonAdapter } from "../../src/python/adapter.js";

const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
const OPT = "optimizer = torch.optim.Adam(model.parameters(), lr=10)\n";

describe("statements tree-sitter wrongly rejects", () => {
  for (const statement of ["x = a, *[1]", "x: A[int] or int = 1", "v = *(a), 1", "total += a, *[b]", "y = z = 1, *(2,)  # a comment"]) {
    it(`gives one info notice for \`${statement}\` and analyzes the code after it`, () => {
      const text = `import torch\n${statement}\n${OPT}`;
      const result = lintText(text, { filePath: "gap.py", rules });
      expect(result.fatalErrorCount).toBe(0);
      const notices = result.messages.filter((m) => m.ruleId === null);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ severity: 1, level: "info", line: 2, column: 1 });
      expect(result.messages.map((m) => m.code)).toContain("OPT003");
      expect(pythonAdapter.parses(text)).toBe(true);
    });
  }

  it("analyzes an indented statement's block and the statements after it in the same block", () => {
    const text = `import torch\nclass C:\n    def f(self):\n        v = *(a), 1\n        return torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)\n`;
    const file = analyzePython(text);
    expect(file.syntaxErrors.map((e) => e.severity)).toEqual(["info"]);
    expect(file.facts.optimizers).toHaveLength(1);
  });

  it("makes the skipped value unknown instead of reading an earlier binding", () => {
    const text = "import torch\nlr = 0.1\nlr = 1, *[2]\nopt = torch.optim.SGD(m.parameters(), lr=lr)\n";
    expect(analyzePython(text).facts.optimizers[0].args.get("lr")?.value.value.kind).toBe("unknown");
  });

  it("is silenced by a bare noqa on its line or by disable-file", () => {
    const one = lintText("x = a, *[1]  # noqa\n", { filePath: "a.py", rules });
    expect(one.messages).toEqual([]);
    const file = lintText("# optim-lint: disable-file\nx = a, *[1]\n", { filePath: "a.py", rules });
    expect(file.messages).toEqual([]);
  });

  it("keeps real syntax errors fatal", () => {
    for (const text of [
      "f(?, ?)\n",
      "def f(:\n    pass\n",
      "x = (1,\ny = 2\n",
      "x = = 1\n",
      "x: = 1\n",
      // A header with a wrongly rejected annotation and a real error stays an error.
      "def f(t: A[int] or B, u: ?):\n    pass\n",
      "def f(t: A[int] or B) -> :\n    pass\n",
      "def f(t: A[int] or or B):\n    pass\n",
    ]) {
      const result = lintText(text, { filePath: "bad.py", rules });
      expect(result.fatalErrorCount, text).toBeGreaterThan(0);
      expect(pythonAdapter.parses(text), text).toBe(false);
    }
  });
});

describe("assignments tree-sitter wrongly accepts", () => {
  // An exercise notebook leaves values blank: tree-sitter joins the following lines into one chained assignment.
  const blanks = "import torch\n# fill these in\nrate = \n\n# layers\ndepth = \n\nevery = 500\nopt = torch.optim.Adam(m.parameters(), lr=rate)\n";

  it("reports a value left out after '=' as a fatal error and reads nothing from the joined lines", () => {
    const result = lintText(blanks, { filePath: "blank.py", rules });
    expect(result.messages.map((m) => [m.ruleId, m.line, m.column, m.fatal, m.message])).toEqual([
      [null, 3, 6, true, "Parsing error: Syntax error: nothing follows '=' on its line"],
    ]);
    expect(analyzePython(blanks).facts.optimizers[0].args.get("lr")?.value.value.kind).toBe("unknown");
    expect(pythonAdapter.parses(blanks)).toBe(false);
  });

  it("reports an augmented assignment and one with a comment after '='", () => {
    for (const [text, column] of [["total += \nx = 1\n", 6], ["y = # later\nz = 2\n", 2]] as const) {
      const errors = collectSyntaxErrors(parseTree(text), text);
      expect(errors.map((e) => [e.span.start, e.severity]), text).toEqual([[column, undefined]]);
    }
  });

  it("points at the first '=' left without a value where the text ends (an exercise cell's last lines), not at the statement", () => {
    for (const [text, start] of [["# c\nlogit = ", 10], ["loader = # your code here", 7], ["n //= \n\n", 2], ["# fill in\nA =   # here\nB =   # here\n\nC =  # here", 12]] as const) {
      const errors = collectSyntaxErrors(parseTree(text), text);
      expect(errors.map((e) => [e.span.start, e.message]), text).toEqual([[start, expect.stringMatching(/^Syntax error: nothing follows '\/{0,2}=' on its line$/)]]);
    }
    // A comparison is no assignment: the statement keeps the general message.
    expect(collectSyntaxErrors(parseTree("ok = a ==\n"), "ok = a ==\n").map((e) => e.message)).not.toContain("Syntax error: nothing follows '==' on its line");
  });

  it("accepts values carried to the next line by a backslash or a bracket", () => {
    const text = "import torch\nx = 1 + \\\n  2\ny += \\\n  3\nd = dict(a=\n  1)\ndef f(a=\n  1):\n    pass\nz = (\n  4)\nflag = a ==\\\n  b\nopt = torch.optim.Adam(m.parameters(), lr=10)\n";
    expect(collectSyntaxErrors(parseTree(text), text)).toEqual([]);
    expect(pythonAdapter.parses(text)).toBe(true);
    expect(lintText(text, { filePath: "ok.py", rules }).messages.map((m) => m.code)).toEqual(["OPT003"]);
  });

  it("skips the notebook cell that leaves a value blank and analyzes the others", () => {
    const cell = (source: string) => ({ cell_type: "code", metadata: {}, outputs: [], execution_count: null, source });
    const notebook = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell("import torch\nrate = \nevery = 500\n"), cell("opt = torch.optim.Adam(m.parameters(), lr=rate)\n"), cell("sgd = torch.optim.SGD(m.parameters(), lr=500)\n")] });
    const result = lintText(notebook, { filePath: "exercise.ipynb", rules });
    expect(result.messages.filter((m) => m.ruleId === null).map((m) => m.message)).toEqual([expect.stringMatching(/^Syntax error: nothing follows '=' on its line \(cell 1, line 2\)/)]);
    expect(result.messages.filter((m) => m.code === "OPT003").map((m) => m.message)).toEqual([expect.stringMatching(/^lr=500 is far above/)]);
  });
});

describe("annotations tree-sitter wrongly rejects", () => {
  // tree-sitter's `type` takes `A[int]` but not an expression continuing after it (`A[int] or B`, `A[int] if c else B`).
  const headers = [
    "def f(self, target_size: Tuple[int, int] or int = (1, 1)):",
    "def f(t: A[int] or B):",
    "def f(*args: A[int] or B, **kw: A[str] and B):",
    "def f(*, t: A[int] if c else B = 1, u: A[x] + 1):",
    "def f() -> A[int] or B:",
    "async def f(t: A[int] == B) -> A[int][0]:",
    "def f(\n    t: A[int]  # a comment\n    or B = 2,\n) -> A[int] or None:",
  ];
  for (const header of headers) {
    it(`gives one info notice for \`${header.split("\n").join(" ")}\` and analyzes the code in and after the function`, () => {
      const text = `import torch\n${header}\n    ${OPT}    return optimizer\n${OPT}`;
      const result = lintText(text, { filePath: "gap.py", rules });
      expect(result.fatalErrorCount).toBe(0);
      const notices = result.messages.filter((m) => m.ruleId === null);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ severity: 1, level: "info", line: 2, column: 1 });
      expect(notices[0].message).toMatch(/^(An annotation|Annotations) of this function (is|are) valid Python/);
      const lines = 2 + header.split("\n").length;
      expect(result.messages.filter((m) => m.code === "OPT003").map((m) => [m.line, m.column])).toEqual([
        [lines, 54],
        [lines + 2, 50],
      ]);
      expect(pythonAdapter.parses(text)).toBe(true);
    });
  }

  it("masks only the annotations it has to, keeping offsets and the other annotations", () => {
    const text = "import torch\nclass C:\n    @dec\n    def f(self, m: nn.Module, t: A[int] or B = (1, 1)) -> A[int] or B:\n        return torch.optim.SGD(m.parameters(), lr=t)\n";
    const errors = collectSyntaxErrors(parseTree(text), text);
    expect(errors.map(({ span, severity, message }) => [text.slice(span.start, span.end), severity, message])).toEqual([
      [
        "def f(self, m: nn.Module, t: A[int] or B = (1, 1)) -> A[int] or B:",
        "info",
        "Annotations of this function are valid Python that the parser optim-lint uses (tree-sitter) does not accept; they were skipped and the rest of the file analyzed",
      ],
    ]);
    const masked = maskGrammarGaps(text, errors)!;
    expect(masked).toHaveLength(text.length);
    expect(masked.split("\n")[3]).toBe("    def f(self, m: nn.Module, t: (_        ) = (1, 1)) -> (_        ):");
    const file = analyzePython(text);
    expect(file.facts.optimizers).toHaveLength(1);
    expect(file.facts.optimizers[0].args.get("lr")?.value.value.kind).toBe("unknown");
  });

  it("handles the annotated assignments the grammar rejects, with or without a value and in a block", () => {
    for (const statement of ["x: A[int] or B", "self.x: A[int] if c else B = 1", "x: A[int] + 1 = 2"]) {
      const text = `import torch\nif c:\n    ${statement}\n    ${OPT}`;
      const result = lintText(text, { filePath: "gap.py", rules });
      expect(result.fatalErrorCount, statement).toBe(0);
      expect(result.messages.map((m) => [m.ruleId, m.line]), statement).toEqual([
        [null, 3],
        [expect.any(String), 4],
      ]);
    }
  });
});
