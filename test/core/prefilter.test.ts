import { describe, expect, it } from "vitest";
import path from "node:path";
import { RULES } from "../../rules/index.js";
import { linter } from "../../src/default-linter.js";
import { prefilterFor } from "../../src/core/prefilter.js";
import type { LintInput } from "../../src/core/linter.js";
import type { RuleSetting } from "../../src/core/results.js";
import type { ProjectHost, Rule } from "../../src/core/types.js";
import { pythonAdapter } from "../../src/python/adapter.js";
import { notebookAdapter } from "../../src/notebook/adapter.js";
import { yamlAdapter } from "../../src/yaml/adapter.js";

const ALL: RuleSetting[] = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: rule.defaultOptions }));

/** A rule written without saying what it needs: it may find something in any file. */
const undeclared: Rule = { ...RULES[0], needs: undefined };

/** Files in memory, read by the project pass as the CLI reads the disk. */
function memoryHost(files: Record<string, string>): ProjectHost {
  return {
    read: (p) => files[path.normalize(p)],
    exists: (p) => path.normalize(p) in files,
  };
}

describe("prefilter derived from the rules' needs and the adapters' words", () => {
  it("passes Python text that names an optimizer or config code, and nothing else", () => {
    const test = prefilterFor(pythonAdapter, ALL)!;
    expect(test).toBeTypeOf("function");
    expect(test("import torch\nopt = torch.optim.AdamW(model.parameters())\n")).toBe(true);
    expect(test("optim_wrapper = dict(optimizer=dict(lr=1e-5))\n")).toBe(true);
    expect(test("_base_ = ['./base.py']\n")).toBe(true);
    // Words of the knowledge table only as whole words.
    expect(test("class FusedAdamWrapperish: pass\n")).toBe(false);
    expect(test("import os\nprint(os.getcwd())\n")).toBe(false);
    // Data-parallel words lead to checkpoint facts (resume-without-optimizer-state rests on them), not to an optimizer,
    // which every rule's findings also need.
    expect(test("torch.distributed.init_process_group('nccl')\n")).toBe(false);
    const checkpointRules = ALL.filter((s) => s.rule.needs?.includes("checkpoints"));
    expect(prefilterFor(pythonAdapter, checkpointRules.map((s) => ({ ...s, rule: { ...s.rule, needsAlso: undefined } })))!("torch.distributed.init_process_group('nccl')\n")).toBe(true);
  });

  it("needs a rule's every `needsAlso` kind besides one of its `needs`", () => {
    const resume = ALL.filter((s) => s.rule.meta.code === "OPT007");
    expect(resume[0].rule.needsAlso).toEqual(["optimizers"]);
    const test = prefilterFor(pythonAdapter, resume)!;
    // Data-parallel words lead to checkpoint facts, but a resume finding also needs the optimizer the file steps.
    expect(test("torch.distributed.init_process_group('nccl')\nstate = torch.load(path)\n")).toBe(false);
    expect(test("torch.distributed.init_process_group('nccl')\nopt = SGD(params, lr=0.1)\n")).toBe(true);
    // A clause another implies is dropped: with the optimizer rules, the resume rule adds nothing to test.
    const withOptimizers = prefilterFor(pythonAdapter, ALL.filter((s) => s.rule.needs?.includes("optimizers") || s.rule.meta.code === "OPT007"))!;
    expect(withOptimizers("torch.distributed.init_process_group('nccl')\n")).toBe(false);
    expect(withOptimizers("opt = SGD(params, lr=0.1)\n")).toBe(true);
  });

  it("passes a square root only with the moments a hand-written Adam update is read from", () => {
    const test = prefilterFor(pythonAdapter, ALL)!;
    // Attention scaling: a square root and nothing of a moment.
    expect(test("scale = math.sqrt(head_dim)\nattn = q @ k.T / scale\n")).toBe(false);
    // A diffusion step: a `(1 - alpha)` factor, but no square for a second moment.
    expect(test("x = (x - (1 - alpha) * eps) / math.sqrt(alpha)\n")).toBe(false);
    const update = "m = b1 * m + (1 - b1) * g\nv = b2 * v + (1 - b2) * g ** 2\nw -= lr * m / (np.sqrt(v) + eps)\n";
    expect(test(update)).toBe(true);
    expect(test("m.mul_(b1).add_(g, alpha=1 - b1)\nv.mul_(b2).addcmul_(g, g, value=1 - b2)\np.sub_(lr * m / (v.sqrt() + eps))\n")).toBe(true);
    // What the prefilter passes, the analysis finds.
    expect(linter.lintProject([{ filePath: "/p/adam.py", text: update, rules: ALL }], { prefilter: true })[0].messages.map((m) => m.code)).toContain("OPT006");
  });

  it("passes the word instantiate only beside a call Hydra's joiner reads", () => {
    const test = prefilterFor(pythonAdapter, ALL)!;
    // Prose in a docstring: no optimizer word, no Hydra call.
    expect(test('def build(name):\n    """Returns the pipeline class to instantiate for a model name."""\n    return CLASSES[name]\n')).toBe(false);
    expect(test("import hydra\n\noptimizer = hydra.utils.instantiate(cfg.optimizer, model.parameters())\n")).toBe(true);
    expect(test("from hydra.utils import instantiate\n\nopt = instantiate(cfg.optim, params=model.parameters())\n")).toBe(true);
    // Beside an optimizer word the text passes for that word.
    expect(test('"""Which optimizer to instantiate."""\nopt = torch.optim.SGD(params, lr=0.1)\n')).toBe(true);
  });

  it("passes a hand-written update only with two moments and no bias correction outside comments", () => {
    const test = prefilterFor(pythonAdapter, ALL)!;
    // A diffusion step: one `(1 - alpha)`, a square and a square root, but no second moment.
    expect(test("noise = (1 - alpha) * eps + x ** 2\nx = noise / math.sqrt(alpha)\n")).toBe(false);
    // Two moments and an update, corrected: the rule has nothing to report, so the file is not parsed.
    const corrected = "m = b1 * m + (1 - b1) * g\nv = b2 * v + (1 - b2) * g ** 2\nm_hat = m / (1 - b1 ** t)\nw -= lr * m_hat / (np.sqrt(v) + eps)\n";
    expect(test(corrected)).toBe(false);
    expect(linter.lintProject([{ filePath: "/p/adam.py", text: corrected, rules: ALL }])[0].messages).toEqual([]);
    // A correction written only in a comment does not count: the update is still reported.
    const commented = "# divide m by (1 - b1 ** t) some day\nm = b1 * m + (1 - b1) * g\nv = b2 * v + (1 - b2) * g ** 2\nw -= lr * m / (np.sqrt(v) + eps)\n";
    expect(test(commented)).toBe(true);
    expect(linter.lintProject([{ filePath: "/p/adam.py", text: commented, rules: ALL }], { prefilter: true })[0].messages.map((m) => m.code)).toEqual(["OPT006"]);
    // In-place moments count one each.
    expect(test("m.mul_(b1).add_(g, alpha=1 - b1)\nv.mul_(b2).addcmul_(g, g, value=1 - b2)\np.sub_(lr * m / (v.sqrt() + eps))\n")).toBe(true);
    expect(test("v.mul_(b2).addcmul_(g, g, value=1 - b2)\np.sub_(lr / (v.sqrt() + eps))\n")).toBe(false);
  });

  it("reads YAML keys case-insensitively, and notebook words inside JSON strings", () => {
    const yaml = prefilterFor(yamlAdapter, ALL)!;
    expect(yaml("Optimizer:\n  type: foo\n")).toBe(true);
    expect(yaml("name: ci\non: push\n")).toBe(false);
    const notebook = prefilterFor(notebookAdapter, ALL)!;
    // In the JSON text a line break is `\n`, so a word at the start of a line follows a letter.
    expect(notebook('{"cells": [{"cell_type": "code", "source": "import torch\\nSGD(params, lr=0.1)"}]}')).toBe(true);
    expect(notebook('{"cells": [{"cell_type": "code", "source": "print(1)"}]}')).toBe(false);
  });

  it("passes a notebook whose only training code is a script a %%writefile cell writes", () => {
    const source = ["%%writefile train.py\n", "import torch\n", "opt = torch.optim.Adam(torch.nn.Linear(2, 2).parameters(), weight_decay=0.01)\n"];
    const text = JSON.stringify({ cells: [{ cell_type: "code", metadata: {}, outputs: [], source }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
    expect(prefilterFor(notebookAdapter, ALL)!(text)).toBe(true);
    const [result] = linter.lintProject([{ filePath: "/p/launch.ipynb", text, rules: ALL }], { prefilter: true });
    expect(result.messages.map((m) => [m.code, m.cell])).toEqual([["OPT001", { index: 1, line: 3, column: 7 }]]);
  });

  it("is off when a rule does not declare what it needs, and rejects everything when no rule runs", () => {
    expect(prefilterFor(pythonAdapter, [...ALL, { rule: undeclared, severity: "warning", options: {} }])).toBeUndefined();
    expect(prefilterFor(pythonAdapter, [])!("opt = SGD(params, lr=0.1)")).toBe(false);
    // An adapter without words for a kind some rule needs cannot tell.
    expect(prefilterFor({ ...pythonAdapter, factWords: undefined }, ALL)).toBeUndefined();
  });
});

describe("a run with the prefilter", () => {
  const dir = path.resolve("/project/configs");
  const base = path.join(dir, "_base_", "sgd.py");
  const child = path.join(dir, "retinanet_lr.py");
  const plain = path.join(dir, "helpers.py");
  const files = {
    [base]: "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9))\n",
    [child]: "_base_ = ['./_base_/sgd.py']\noptim_wrapper = dict(optimizer=dict(lr=1e-5))\n",
    [plain]: "def helper(:\n    return 1\n",
  };
  // The base is given with no rules of its own (as a test file would be): the prefilter skips it up front.
  const inputs: LintInput[] = [
    { filePath: base, text: files[base], rules: [] },
    { filePath: child, text: files[child], rules: ALL },
    { filePath: plain, text: files[plain], rules: ALL },
  ];

  it("analyzes a skipped file on demand when another file needs it, with the same findings as a full run", () => {
    const full = linter.lintProject(inputs, { host: memoryHost(files) });
    const lookups = new Set<string>();
    const filtered = linter.lintProject(inputs, { host: memoryHost(files), prefilter: true, lookups });
    const summary = (results: typeof full) => results.slice(0, 2).map((r) => ({ file: r.filePath, messages: r.messages }));
    expect(summary(filtered)).toEqual(summary(full));
    // The child's finding rests on the type and momentum the skipped base sets.
    expect(filtered[1].messages.map((m) => m.code)).toContain("OPT002");
    expect(filtered[1].messages.find((m) => m.code === "OPT002")?.related?.[0]?.filePath).toBe(base);
    // The base is a file of the run: nothing was read from outside it.
    expect(lookups.has(base)).toBe(false);
  });

  it("reads a file whose text was not kept through the host when the run needs it, with the same results", () => {
    const reads: string[] = [];
    const host: ProjectHost = { read: (p) => (reads.push(path.normalize(p)), files[path.normalize(p)]), exists: (p) => path.normalize(p) in files };
    // The CLI keeps no text of a file that fails the prefilter: the base and the helper here.
    const dropped = inputs.map((input, i) => (i === 1 ? input : { ...input, text: "", unread: true }));
    const kept = linter.lintProject(inputs, { host: memoryHost(files), prefilter: true });
    expect(linter.lintProject(dropped, { host, prefilter: true })).toEqual(kept);
    // The child's finding rests on the base, read again; the helper is read once, by the call-site joiner's skim of every
    // Python file (its imports, the names it calls, whether it may call Hydra's instantiate for the joiner after it).
    expect(reads).toContain(base);
    expect(reads.filter((p) => p === plain).length).toBe(1);
    // A run that fixes reads every text first, and fixes as it would with them.
    expect(linter.lintProject(dropped, { host, prefilter: true, fix: true })).toEqual(linter.lintProject(inputs, { host: memoryHost(files), prefilter: true, fix: true }));
  });

  it("does not report the syntax errors of a file it skips", () => {
    const full = linter.lintProject(inputs, { host: memoryHost(files) });
    const filtered = linter.lintProject(inputs, { host: memoryHost(files), prefilter: true });
    expect(full[2].messages.map((m) => m.fatal)).toEqual([true]);
    expect(filtered[2].messages).toEqual([]);
  });
});
