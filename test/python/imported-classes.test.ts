/**
 * A class imported from another module and constructed with arguments: the fields the construction passes (by
 * keyword, or by position in field order) hold those arguments, read where the construction is written; the fields
 * it leaves out keep their defaults. Anything the construction or the class can change stays unknown.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintPaths } from "../../src/cli/lint-paths.js";
import type { FileResult } from "../../src/core/results.js";
import { lintProject } from "../../src/default-linter.js";
import { ROOT } from "../cli/run-cli.js";

const PROJECT = path.join(ROOT, "fixtures", "projects", "imported-config");

/** Every finding as `file:line:column code`, its message, and its notes as `file:line:column`. */
function findings(results: FileResult[], root: string) {
  return results.flatMap((r) =>
    r.messages.map((m) => ({
      at: `${path.relative(root, r.filePath)}:${m.line}:${m.column} ${m.code}`,
      message: m.message,
      notes: (m.related ?? []).map((n) => `${path.relative(root, n.filePath ?? r.filePath)}:${n.line}:${n.column}`),
      fix: m.fix?.text,
    })),
  );
}

async function lintFixture(file: string) {
  return findings(await lintPaths([path.join(PROJECT, file)], { cwd: PROJECT }), PROJECT);
}

const ALL_RULES = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

/** Lints `/p/train.py` of an in-memory project whose other files are read on demand. */
function lintMemory(files: Record<string, string>) {
  const host = { read: (p: string) => files[p], exists: (p: string) => p in files };
  return findings(lintProject([{ filePath: "/p/train.py", text: files["/p/train.py"], rules: ALL_RULES }], { host }), "/p");
}

describe("an imported class constructed with arguments", () => {
  it("reads keyword and positional arguments where the construction is written, defaults for the rest", async () => {
    const found = await lintFixture("train.py");
    expect(found.map((f) => `${f.at} ${f.notes.join(" ")}`)).toEqual([
      // TrainConfig(momentum=0.0, ...) in train.py itself (notes: the CNN, then the argument); lr keeps its default 0.1.
      "train.py:11:7 OPT015 train.py:7:23 train.py:10:19",
      // LARGE = TrainConfig(lr=400.0, ...) in experiments.py, a module train.py imports.
      "train.py:14:45 OPT003 experiments.py:5:21",
      // FINETUNE = AdamSettings(1e-4, (0.999, 0.9)): the second positional argument is __init__'s betas.
      "train.py:15:61 OPT009 experiments.py:8:31",
    ]);
    expect(found[0].message).toContain("momentum=0 (argument momentum of TrainConfig(...))");
    expect(found[1].message).toContain("lr=400 (argument lr of TrainConfig(...))");
    expect(found[2].message).toContain("betas=(0.999, 0.9) (argument betas of AdamSettings(...))");
    // The swapped betas are written in experiments.py: no fix is made in train.py.
    expect(found[2].message).toContain("Not fixed automatically: it is written in");
    expect(found[2].fix).toBeUndefined();
  });

  it("stays silent for sound arguments (the clean twin)", async () => {
    expect(await lintFixture("train_clean.py")).toEqual([]);
  });

  it("leaves a field unknown behind **kwargs, a __post_init__ that rewrites it, or a write after construction", async () => {
    // Each of these would be reported if it were read as written (lr=400, momentum=0, swapped betas).
    expect(await lintFixture("train_unknown.py")).toEqual([]);
  });

  it("fixes an argument written in the file that reads it", () => {
    const found = lintMemory({
      "/p/settings.py": "class AdamSettings:\n    def __init__(self, lr=1e-3, betas=(0.9, 0.999)):\n        self.lr = lr\n        self.betas = betas\n",
      "/p/train.py": "import torch\nfrom settings import AdamSettings\n\ns = AdamSettings(betas=(0.98, 0.9))\nopt = torch.optim.AdamW(net.parameters(), lr=s.lr, betas=s.betas)\n",
    });
    expect(found.map((f) => `${f.at} ${f.notes.join(" ")} ${f.fix}`)).toEqual(["train.py:5:52 OPT009 train.py:4:18 0.9, 0.98"]);
  });

  it("does not map positional arguments when base classes may add fields first, nor read a library's class", () => {
    const config = [
      "from dataclasses import dataclass",
      "",
      "@dataclass",
      "class Base:",
      "    seed: int = 0",
      "",
      "@dataclass",
      "class Child(Base):",
      "    lr: float = 0.1",
      "",
    ].join("\n");
    const train = [
      "import torch",
      "from config import Child",
      "from somelib import LibConfig",
      "",
      "a = Child(0, 400.0)",
      "b = LibConfig(lr=400.0)",
      "opt_a = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9, nesterov=True)",
      "opt_b = torch.optim.SGD(net.parameters(), lr=b.lr, momentum=0.9, nesterov=True)",
      "",
    ].join("\n");
    expect(lintMemory({ "/p/config.py": config, "/p/train.py": train })).toEqual([]);
    // The same construction by keyword is read.
    const keyword = train.replace("Child(0, 400.0)", "Child(seed=0, lr=400.0)");
    expect(lintMemory({ "/p/config.py": config, "/p/train.py": keyword }).map((f) => f.at)).toEqual(["train.py:7:43 OPT003"]);
  });
});
