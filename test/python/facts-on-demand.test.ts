import { describe, expect, it } from "vitest";
import { analyzeIndexed, analyzePython, indexPython } from "../../src/python/analyze.js";
import { factsPending } from "../../src/core/pending-facts.js";
import { runRules } from "../../src/core/run-rules.js";
import { knowledge } from "../../src/knowledge/index.js";
import type { OptimizerSite } from "../../src/core/facts.js";
import type { Rule } from "../../src/core/types.js";

/** A training function handed its optimizer: schedulers, distributed evidence, a loop and a checkpoint, no construction. */
const NO_CONSTRUCTION = `import torch
from torch.utils.data.distributed import DistributedSampler


def train(model, optimizer, dataset, loader, world_size):
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
    sampler = DistributedSampler(dataset)
    batch_size = 256 // world_size
    for epoch in range(100):
        for batch in loader:
            optimizer.step()
        scheduler.step()
    torch.save({"model": model.state_dict()}, "ckpt.pt")
`;

/** The facts a full analysis of the same text makes at once. */
const fullFacts = (text: string, filePath: string) => analyzeIndexed(text, indexPython(text), filePath, []).facts;

describe("facts of a file without an optimizer construction", () => {
  it("are made on first read, equal to a full analysis's and in its order", () => {
    const facts = analyzePython(NO_CONSTRUCTION, "train.py").facts;
    expect(factsPending(facts)).toBe(true);
    expect(facts.optimizers).toEqual([]);
    // Reading the list of constructions makes nothing.
    expect(factsPending(facts)).toBe(true);
    expect(facts.schedulers).toHaveLength(1);
    expect(factsPending(facts)).toBe(false);
    const full = fullFacts(NO_CONSTRUCTION, "train.py");
    expect(full.distributed.evidence.length).toBeGreaterThan(0);
    expect(facts).toEqual(full);
    expect(Object.keys(facts)).toEqual(Object.keys(full));
    expect(JSON.stringify(facts)).toBe(JSON.stringify(full));
  });

  it("keep what a joiner wrote before they were made: a construction placed in the file stays", () => {
    const facts = analyzePython(NO_CONSTRUCTION, "train.py").facts;
    const placed = { id: "model.py#0" } as OptimizerSite;
    facts.optimizers.push(placed);
    expect(factsPending(facts)).toBe(true);
    facts.lrWrites.push(...[]);
    expect(factsPending(facts)).toBe(false);
    expect(facts.optimizers).toEqual([placed]);
    expect(facts.schedulers).toEqual(fullFacts(NO_CONSTRUCTION, "train.py").schedulers);
  });

  it("are made when a field is written first", () => {
    const facts = analyzePython(NO_CONSTRUCTION, "train.py").facts;
    facts.loops = [];
    expect(factsPending(facts)).toBe(false);
    expect(facts.loops).toEqual([]);
    expect(facts.schedulers).toHaveLength(1);
  });

  it("are made at once for a file with a construction, config code that builds one, or a hand-written update", () => {
    const built = `${NO_CONSTRUCTION}\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n`;
    expect(factsPending(analyzePython(built, "a.py").facts)).toBe(false);
    const config = `from transformers import TrainingArguments\nargs = TrainingArguments(output_dir="out", learning_rate=5e-5)\n`;
    const configured = analyzePython(config, "b.py").facts;
    expect(configured.optimizers.length).toBeGreaterThan(0);
    expect(factsPending(configured)).toBe(false);
    const manual = `import torch\n\n\ndef step(p, g, m, v, lr, beta1, beta2):\n    m.mul_(beta1).add_((1 - beta1) * g)\n    v.mul_(beta2).add_((1 - beta2) * g * g)\n    p.sub_(lr * m / (torch.sqrt(v) + 1e-8))\n`;
    const updates = analyzePython(manual, "c.py").facts;
    expect(updates.manualAdam?.length).toBe(1);
    expect(factsPending(updates)).toBe(false);
  });

  it("are not made for the rules, which report only from a construction or a hand-written update", () => {
    const file = analyzePython(NO_CONSTRUCTION, "train.py");
    let ran = 0;
    const rule = {
      meta: { name: "reads-schedulers", code: "TST001", defaultSeverity: "warning" },
      defaultOptions: {},
      check: () => {
        ran++;
      },
    } as unknown as Rule;
    const { reports, crashes } = runRules(file, "train.py", [{ rule, severity: "warning", options: {} }], knowledge, () => undefined);
    expect([ran, reports.length, crashes.length]).toEqual([0, 0, 0]);
    expect(factsPending(file.facts)).toBe(true);
    // A construction a joiner placed there, with no other field read yet, is judged.
    file.facts.optimizers.push(...fullFacts(`import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n`, "train.py").optimizers);
    runRules(file, "train.py", [{ rule, severity: "warning", options: {} }], knowledge, () => undefined);
    expect(ran).toBe(1);
  });

  it("leave the other programs of a file judged (a script a notebook writes, beside a kernel with no construction)", () => {
    const file = analyzePython(NO_CONSTRUCTION, "train.ipynb");
    const seen: number[] = [];
    const rule = {
      meta: { name: "counts-constructions", code: "TST002", defaultSeverity: "warning" },
      defaultOptions: {},
      check: ({ facts, report }: { facts: { optimizers: { span: unknown }[] }; report: (r: { span: unknown; message: string }) => void }) => {
        seen.push(facts.optimizers.length);
        for (const site of facts.optimizers) report({ span: site.span, message: "built" });
      },
    } as unknown as Rule;
    const unit = { facts: fullFacts(`import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n`, "train.ipynb") };
    const { reports } = runRules({ ...file, units: [unit] }, "train.ipynb", [{ rule, severity: "warning", options: {} }], knowledge, () => undefined);
    expect([seen, factsPending(file.facts)]).toEqual([[1], true]);
    // Each report carries the facts of its own program, so the linter's test-code check reads no other program's.
    expect(reports).toHaveLength(1);
    expect(reports[0].facts).toBe(unit.facts);
  });
});
