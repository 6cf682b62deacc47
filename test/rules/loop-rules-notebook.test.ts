/**
 * The training-loop rules (OPT006, OPT007, OPT008, OPT011, OPT012, OPT017) on notebooks: facts gathered across code cells,
 * findings placed in the cell that holds them, and each suggestion's edit written into the right cell of the JSON.
 */
import { describe, expect, it } from "vitest";
import { lintText } from "../../src/default-linter.js";
import type { LintMessage } from "../../src/core/results.js";
import type { Rule } from "../../src/core/types.js";
import { adamMissingBiasCorrection } from "../../rules/adam-missing-bias-correction.js";
import { resumeWithoutOptimizerState } from "../../rules/resume-without-optimizer-state.js";
import { sharedLrAcrossOptimizers } from "../../rules/shared-lr-across-optimizers.js";
import { largeBatchOptimizer } from "../../rules/large-batch-optimizer.js";
import { sgdWithoutScheduler } from "../../rules/sgd-without-scheduler.js";
import { missingWarmup } from "../../rules/missing-warmup.js";

/** A notebook whose code cells hold the given sources (a markdown cell first, so code cells are not at index 0). */
function notebook(cells: string[]): string {
  const source = (text: string) => text.split(/(?<=\n)/);
  return `${JSON.stringify(
    {
      cells: [{ cell_type: "markdown", metadata: {}, source: ["# Training\n"] }, ...cells.map((c) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: source(c) }))],
      metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  )}\n`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function lint(rule: Rule<any>, text: string): LintMessage[] {
  return lintText(text, { filePath: "train.ipynb", rules: [{ rule, severity: rule.meta.defaultSeverity, options: {} }] }).messages;
}

/** The code cells' sources after applying a message's first suggestion. */
function afterSuggestion(text: string, m: LintMessage): string[] {
  const fix = m.suggestions![0].fix;
  const out = text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);
  const cells = JSON.parse(out).cells as { cell_type: string; source: string[] }[];
  return cells.filter((c) => c.cell_type === "code").map((c) => c.source.join(""));
}

describe("training-loop rules on notebooks", () => {
  it("OPT006 corrects a hand-written NumPy Adam update in its cell", () => {
    const text = notebook([
      "import numpy as np\nbeta1, beta2, eps, lr = 0.9, 0.999, 1e-8, 1e-3\nm = v = 0\n",
      "for t in range(1, 501):\n    g = grad(w)\n    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g ** 2\n    w = w - lr * m / (np.sqrt(v) + eps)\n",
    ]);
    const [m] = lint(adamMissingBiasCorrection, text);
    expect(m.ruleId).toBe("adam-missing-bias-correction");
    expect(afterSuggestion(text, m)[1]).toBe(
      "for t in range(1, 501):\n    g = grad(w)\n    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g ** 2\n    w = w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)\n",
    );
  });

  it("OPT007 restores the optimizer after the model in the resume cell", () => {
    const text = notebook([
      "import torch\nmodel = Net()\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\nstart_epoch = 0\n",
      "if resume:\n    checkpoint = torch.load(path)\n    model.load_state_dict(checkpoint['model'])\n    start_epoch = checkpoint['epoch'] + 1\n",
      "for epoch in range(start_epoch, 50):\n    for x, y in loader:\n        optimizer.zero_grad()\n        loss_fn(model(x), y).backward()\n        optimizer.step()\n",
    ]);
    const [m] = lint(resumeWithoutOptimizerState, text);
    expect(m.ruleId).toBe("resume-without-optimizer-state");
    expect(afterSuggestion(text, m)[1]).toBe(
      "if resume:\n    checkpoint = torch.load(path)\n    model.load_state_dict(checkpoint['model'])\n    optimizer.load_state_dict(checkpoint['optimizer'])\n    start_epoch = checkpoint['epoch'] + 1\n",
    );
  });

  it("OPT008 gives Adam its own lr in the cell that builds it", () => {
    const text = notebook(["import torch\nLR = 0.1\n", "opt_a = torch.optim.SGD(a.parameters(), lr=LR)\nopt_b = torch.optim.Adam(b.parameters(), lr=LR)\n"]);
    const [m] = lint(sharedLrAcrossOptimizers, text);
    expect(afterSuggestion(text, m)[1]).toBe("opt_a = torch.optim.SGD(a.parameters(), lr=LR)\nopt_b = torch.optim.Adam(b.parameters(), lr=0.001)\n");
  });

  it("OPT012 reads the loader's batch from another cell", () => {
    const text = notebook([
      "import torch\nfrom torch.nn.parallel import DistributedDataParallel as DDP\nfrom torch.utils.data import DataLoader\nmodel = DDP(model)\nloader = DataLoader(train_set, batch_size=8192, shuffle=True)\n",
      "optimizer = torch.optim.SGD(model.parameters(), lr=3.2, momentum=0.9)\n",
    ]);
    const [m] = lint(largeBatchOptimizer, text);
    expect(m.message).toMatch(/global batch of at least 8192/);
    expect(afterSuggestion(text, m)[1]).toBe("optimizer = Lars(model.parameters(), lr=3.2, momentum=0.9)\n");
    expect(afterSuggestion(text, m)[0]).toContain("from timm.optim import Lars\n");
  });

  it("OPT017 adds a cosine schedule around the epoch loop of another cell", () => {
    const text = notebook([
      "import torch\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n",
      "for epoch in range(60):\n    for x, y in loader:\n        optimizer.zero_grad()\n        loss_fn(model(x), y).backward()\n        optimizer.step()\n",
    ]);
    const [m] = lint(sgdWithoutScheduler, text);
    expect(m.ruleId).toBe("sgd-without-scheduler");
    expect(afterSuggestion(text, m)[1]).toBe(
      "scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=60)\nfor epoch in range(60):\n    for x, y in loader:\n        optimizer.zero_grad()\n        loss_fn(model(x), y).backward()\n        optimizer.step()\n    scheduler.step()\n",
    );
  });

  it("stays silent on a notebook that fine-tunes pretrained weights", () => {
    const text = notebook([
      "import torch\nfrom transformers import AutoModel\nmodel = AutoModel.from_pretrained('bert-base-uncased')\noptimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)\n",
      "checkpoint = torch.load(path)\nmodel.load_state_dict(checkpoint['model'])\nstart_step = checkpoint['step']\nfor step in range(start_step, 1000):\n    optimizer.step()\n",
    ]);
    expect(lint(resumeWithoutOptimizerState, text)).toEqual([]);
  });

  it("OPT011 finds a transformer trained with Adam and no warm-up across cells, and not once a warm-up is added", () => {
    const cells = [
      "import torch\nimport torch.nn as nn\nmodel = nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model=128, nhead=4), num_layers=4)\n",
      "optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)\n",
      "for epoch in range(10):\n    for x in loader:\n        model(x).sum().backward()\n        optimizer.step()\n        optimizer.zero_grad()\n",
    ];
    const [m, ...rest] = lint(missingWarmup, notebook(cells));
    expect(rest).toEqual([]);
    expect(m.ruleId).toBe("missing-warmup");
    expect(m.cell).toMatchObject({ index: 3, line: 1, column: 13 });
    expect(m.message).toMatch(/^AdamW trains a transformer with no learning-rate warm-up/);
    expect(m.related?.[0].message).toMatch(/^model kind: /);
    const warmed = [...cells];
    warmed[1] += "warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=200)\n";
    warmed[2] = warmed[2].replace("optimizer.step()\n", "optimizer.step()\n        warmup.step()\n");
    expect(lint(missingWarmup, notebook(warmed))).toEqual([]);
  });
});
