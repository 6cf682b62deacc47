/**
 * The project pass reads a given file's calls from the index its fact extraction built (the last few files, within a
 * budget of characters), instead of copying and indexing its tree again: in a pre-commit run that is most of the join.
 */
import { describe, expect, it } from "vitest";
import { analyzePython, indexPython } from "../../src/python/analyze.js";

/** A training script that passes the extraction gate (it names an optimizer), padded to a given length. */
function script(tag: string, length = 0): string {
  const text = `import torch\n\n# ${tag}\nmodel = torch.nn.Linear(4, 2)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n`;
  return text + "#".repeat(Math.max(0, length - text.length - 1)) + "\n";
}

describe("indexes of analyzed files", () => {
  it("gives the index fact extraction built for the same text, and a fresh one for another text", () => {
    const text = script("reused");
    analyzePython(text, "/p/train.py");
    const first = indexPython(text);
    expect(indexPython(text)).toBe(first);
    // A BOM is not part of the text the index was built from.
    expect(indexPython(`\uFEFF${text}`)).toBe(first);
    // Comments are blanked in the text fact extraction reads (same length).
    expect(first.text).toBe(text.replace("# reused", "#       "));
    expect(first.index.calls.map((call) => text.slice(call.start, call.end))).toEqual([
      "torch.nn.Linear(4, 2)",
      "torch.optim.SGD(model.parameters(), lr=0.1)",
      "model.parameters()",
    ]);
    const other = script("other");
    expect(indexPython(other)).not.toBe(indexPython(other));
  });

  it("keeps the newest files within 65,536 characters and never one larger than that", () => {
    const a = script("a", 30_000);
    const b = script("b", 30_000);
    const c = script("c", 30_000);
    for (const text of [a, b, c]) analyzePython(text, "/p/x.py");
    // c and b fit in the budget; a, the oldest, went when c came.
    expect(indexPython(c)).toBe(indexPython(c));
    expect(indexPython(b)).toBe(indexPython(b));
    expect(indexPython(a)).not.toBe(indexPython(a));
    const large = script("large", 70_000);
    analyzePython(large, "/p/large.py");
    expect(indexPython(large)).not.toBe(indexPython(large));
    // The large file pushed nothing out.
    expect(indexPython(c)).toBe(indexPython(c));
  });
});
