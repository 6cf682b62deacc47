/**
 * The guards of the reuse after an edit inside a comment (src/python/reuse.ts): it moves spans exactly, and refuses
 * what it could not move exactly. The random edit chains in incremental.test.ts check whole results against fresh lints.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintProject } from "../../src/default-linter.js";
import { WorkspaceLinter } from "../../src/server/workspace.js";
import { uriOf } from "./lsp-client.js";
import { emptyFacts } from "../../src/core/facts.js";
import type { AnalyzedFile } from "../../src/core/types.js";
import { analyzePython, mayJudgeAgain } from "../../src/python/analyze.js";
import { parse } from "../../src/python/parser.js";
import { analysisAfterCommentEdit, commentEditReuse } from "../../src/python/reuse.js";

const BEFORE = "import torch\nx = torch.optim.SGD(p, lr=0.1)  # note\ny = 2\n";
const AFTER = BEFORE.replace("# note", "# a longer note");

/** A summary of BEFORE whose facts are given (as if fact extraction had found them). */
function summary(facts: Partial<AnalyzedFile["facts"]>): AnalyzedFile {
  return { text: BEFORE, facts: { ...emptyFacts(), ...facts }, syntaxErrors: [], comments: [] };
}

describe("moving an analysis past an edit inside a comment", () => {
  it("moves the spans after the comment by the edit's length and keeps those before it", () => {
    const previous = analyzePython(BEFORE, "/p/a.py");
    const moved = analysisAfterCommentEdit(previous, AFTER, parse(AFTER))!;
    expect(moved).toBeDefined();
    expect(JSON.stringify(moved.facts)).toBe(JSON.stringify(analyzePython(AFTER, "/p/a.py").facts));
    const shift = AFTER.length - BEFORE.length;
    const after = BEFORE.indexOf("y = 2");
    const spans = analysisAfterCommentEdit(summary({ testCode: [{ start: 0, end: 5 }, { start: after, end: after + 5 }] }), AFTER, parse(AFTER))!.facts.testCode;
    expect(spans).toEqual([{ start: 0, end: 5 }, { start: after + shift, end: after + 5 + shift }]);
  });

  it("refuses an edit that is not inside one comment, or that breaks a line", () => {
    const previous = summary({});
    const code = BEFORE.replace("y = 2", "y = 23");
    expect(analysisAfterCommentEdit(previous, code, parse(code))).toBeUndefined();
    const broken = BEFORE.replace("# note", "# no\nte");
    expect(analysisAfterCommentEdit(previous, broken, parse(broken))).toBeUndefined();
    const string = 'x = "# note"\n';
    const edited = 'x = "# notes"\n';
    expect(analysisAfterCommentEdit({ ...previous, text: string }, edited, parse(edited))).toBeUndefined();
  });

  it("refuses when a fact quotes a text around a comment or holds an offset inside the comment", () => {
    const quoted = summary({ resume: { evidence: [{ kind: "flag", span: { start: 0, end: 1 }, description: "x = f(a,  #     \n b)" }], fineTuning: [] } });
    expect(analysisAfterCommentEdit(quoted, AFTER, parse(AFTER))).toBeUndefined();
    const inside = BEFORE.indexOf("# note") + 3;
    expect(analysisAfterCommentEdit(summary({ testCode: [{ start: inside, end: inside + 1 }] }), AFTER, parse(AFTER))).toBeUndefined();
    // A site id (`path#n`) is not a quoted comment.
    expect(analysisAfterCommentEdit(summary({ schedulers: [{ canonical: "x", span: { start: 0, end: 1 }, optimizerSite: "/p/a.py#0" }] }), AFTER, parse(AFTER))).toBeDefined();
  });

  it("keeps the verdict that the call-site joiner would leave the constructions as they are, and only that one", () => {
    // Settled: the construction reads only module-level values. Not settled: it reads its function's parameter.
    const settled = "import torch\nLR = 0.1\nopt = torch.optim.SGD(params, lr=LR)  # note\n";
    const open = "import torch\n\n\ndef build(params, lr):\n    return torch.optim.SGD(params, lr=lr)  # note\n";
    for (const [text, judged] of [[settled, false], [open, true]] as const) {
      const previous = analyzePython(text, "/p/a.py");
      expect(mayJudgeAgain(previous)).toBe(judged);
      const after = text.replace("# note", "# a longer note");
      const moved = analysisAfterCommentEdit(previous, after, parse(after))!;
      expect(moved).toBeDefined();
      // As a fresh analysis of the edited text says: the joiner does not probe a settled file's constructions again.
      expect(mayJudgeAgain(moved)).toBe(mayJudgeAgain(analyzePython(after, "/p/a.py")));
      expect(mayJudgeAgain(moved)).toBe(judged);
    }
  });

  it("keeps the DeepSpeed config file a TrainingArguments call names, as a fresh analysis reads it", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "comment-reuse-"));
    try {
      writeFileSync(path.join(dir, "pyproject.toml"), "");
      writeFileSync(path.join(dir, "ds.json"), `{"optimizer": {"type": "AdamW", "params": {"lr": "auto", "betas": "auto"}}}\n`);
      const file = path.join(dir, "train.py");
      const text = (note: string) => `from transformers import Trainer, TrainingArguments\n\n# ${note}\nargs = TrainingArguments(output_dir="out", optim="adafactor", adam_beta1=0.999, adam_beta2=0.9, deepspeed="ds.json")\nTrainer(model=None, args=args).train()\n`;
      const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
      const disk = { read: (p: string) => (existsSync(p) ? readFileSync(p, "utf8") : undefined), exists: existsSync };
      const fresh = (t: string) => lintProject([{ filePath: file, text: t, rules }], { host: disk })[0].messages.map((m) => `${m.line}:${m.column} ${m.code}`);
      const linter = new WorkspaceLinter(dir);
      const editor = (t: string) => linter.lint(uriOf(file), file, t).result!.messages.map((m) => `${m.line}:${m.column} ${m.code}`);
      // The swapped betas are DeepSpeed's AdamW's (Adafactor has none): the join happened.
      expect(editor(text("note"))).toEqual(["4:63 OPT009"]);
      const reused = commentEditReuse.reused;
      expect(editor(text("a longer note"))).toEqual(fresh(text("a longer note")));
      expect(commentEditReuse.reused).toBeGreaterThan(reused);
      expect(fresh(text("a longer note"))).toEqual(["4:63 OPT009"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
