/** Valid Python that tree-sitter's grammar rejects: a non-fatal notice, the rest analyzed; real syntax errors stay fatal. */
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";
import { analyzePython } from "../../src/python/analyze.js";
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
    for (const text of ["f(?, ?)\n", "def f(:\n    pass\n", "x = (1,\ny = 2\n", "x = = 1\n", "x: = 1\n"]) {
      const result = lintText(text, { filePath: "bad.py", rules });
      expect(result.fatalErrorCount, text).toBeGreaterThan(0);
      expect(pythonAdapter.parses(text), text).toBe(false);
    }
  });
});
