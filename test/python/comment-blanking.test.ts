/**
 * Fact extraction reads the text with each comment's content blanked: what a comment says never makes or changes a
 * fact (the language server's reuse after an edit inside a comment relies on it, src/python/reuse.ts).
 */
import { describe, expect, it } from "vitest";
import { analyzePython, indexPython } from "../../src/python/analyze.js";
import { blankComments } from "../../src/python/parser.js";

const lightning = (saveLine: string) =>
  [
    "import lightning as L",
    "import torch",
    "",
    "",
    "class LitClassifier(L.LightningModule):",
    "    def __init__(self, hidden=64, learning_rate=2e-4):",
    "        super().__init__()",
    `        ${saveLine}`,
    "        self.layer = torch.nn.Linear(hidden, 2)",
    "",
    "    def configure_optimizers(self):",
    "        return torch.optim.AdamW(self.parameters(), lr=self.hparams.learning_rate)",
    "",
  ].join("\n");

describe("comments in the text fact extraction reads", () => {
  it("are blanked after their '#', same length, strings and line ends kept", () => {
    const text = 'x = "a # not a comment"  # one\ny = 1 #two\r\n# three\n';
    const blanked = blankComments(text);
    expect(blanked).toBe('x = "a # not a comment"  #    \ny = 1 #   \r\n#      \n');
    expect(blanked.length).toBe(text.length);
    expect(blankComments("no comment here\n")).toBe("no comment here\n");
  });

  it("do not count: a commented-out save_hyperparameters() saves nothing", () => {
    const saved = analyzePython(lightning("self.save_hyperparameters()"), "/p/lit.py").facts.optimizers[0];
    expect(saved.args.get("lr")!.value.value).toEqual({ kind: "number", value: 2e-4 });
    const commented = analyzePython(lightning("# self.save_hyperparameters()"), "/p/lit.py").facts.optimizers[0];
    expect(commented.args.get("lr")!.value.value.kind).toBe("unknown");
  });

  it("are blanked in the index the project pass reads", () => {
    expect(indexPython("x = 1  # note\n").text).toBe("x = 1  #     \n");
  });
});
