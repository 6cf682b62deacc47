/**
 * Values that cross Python files: imports within the project and call sites. A construction that reads its
 * function's parameters is judged once per call site; the finding stays at the construction, its message names
 * the call, and its notes lead to where each value was defined.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintPaths } from "../../src/cli/lint-paths.js";
import type { FileResult } from "../../src/core/results.js";
import type { ProjectHost } from "../../src/core/types.js";
import { lintProject } from "../../src/default-linter.js";
import { ROOT, buildOnce, runCli } from "../cli/run-cli.js";

const PROJECTS = path.join(ROOT, "fixtures", "projects");

/** Every finding of a run as `file:line:column code message`, with its notes as `file:line:column`. */
function findings(results: FileResult[], root: string) {
  return results.flatMap((r) =>
    r.messages.map((m) => ({
      at: `${path.relative(root, r.filePath)}:${m.line}:${m.column}`,
      code: m.code ?? null,
      message: m.message,
      notes: (m.related ?? []).map((n) => `${n.filePath ? path.relative(root, n.filePath) : path.relative(root, r.filePath)}:${n.line}:${n.column}`),
      fix: m.fix !== undefined,
      suggestions: (m.suggestions ?? []).map((s) => s.desc),
    })),
  );
}

/** Lints every Python file of a fixture project, as `optim-lint .` would. */
async function lintFixture(name: string, files: string[]) {
  const root = path.join(PROJECTS, name);
  return findings(await lintPaths(files.map((f) => path.join(root, f)), { cwd: root }), root);
}

/** A project of texts in memory, read on demand like files on disk. */
function memoryHost(files: Record<string, string>): ProjectHost {
  return { read: (p) => files[p], exists: (p) => p in files };
}

const ALL_RULES = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

/** Lints the named texts of an in-memory project (the others are read only when a value needs them). */
function lintMemory(files: Record<string, string>, given: string[]) {
  const results = lintProject(
    given.map((filePath) => ({ filePath, text: files[filePath], rules: ALL_RULES })),
    { host: memoryHost(files) },
  );
  return findings(results, "/p");
}

describe("a method on an instance of a class from another module (nanoGPT-shaped)", () => {
  const files = ["model.py", "train.py", "finetune.py"];

  it("judges configure_optimizers once per call: swapped betas from train.py, a huge lr from finetune.py", async () => {
    expect(await lintFixture("method-call", files)).toEqual([
      {
        at: "model.py:49:47",
        code: "OPT003",
        message:
          "lr=3 (passed to configure_optimizers() at finetune.py:5) is far above the typical range for AdamW (adam family: 1e-6 to 0.003); steps this large usually make training diverge. Start near 0.001 and tune from there.",
        notes: ["finetune.py:5:45"],
        fix: false,
        suggestions: [],
      },
      {
        at: "model.py:49:65",
        code: "OPT009",
        message:
          "betas=(0.95, 0.9) (passed to configure_optimizers() at train.py:19) looks swapped: beta1 averages the gradient and is normally the smaller one (0.9), beta2 averages its square and is normally the larger (0.999); with these values step sizes become erratic. Swap them. (Not fixed automatically: the value does not come from a single literal, so its items cannot be swapped in place.)",
        notes: ["train.py:19:69"],
        fix: false,
        suggestions: [],
      },
    ]);
  });

  it("shows the finding in the caller, at the call, when the module is not linted", async () => {
    const [only] = await lintFixture("method-call", ["train.py"]);
    expect(only.at).toBe("train.py:19:13");
    expect(only.code).toBe("OPT009");
    expect(only.message).toContain("(passed to configure_optimizers() at train.py:19)");
    expect(only.message).toContain(`in a file not linted in this run.)`);
    expect(only.notes).toEqual(["train.py:19:69"]);
  });

  it("does not know which class a name holds when one of its bindings builds something else", () => {
    const model = readFileSync(path.join(PROJECTS, "method-call", "model.py"), "utf8");
    const train = readFileSync(path.join(PROJECTS, "method-call", "train.py"), "utf8").replace("TinyDecoder.from_checkpoint(init_from)", "torch.load(init_from)");
    expect(lintMemory({ "/p/model.py": model, "/p/train.py": train }, ["/p/model.py", "/p/train.py"])).toEqual([]);
  });
});

describe("a function in another module", () => {
  it("reads an argparse namespace and a dict built by the caller, each noted where it is defined", async () => {
    expect(await lintFixture("function-call", ["train.py", "trainer/__init__.py", "trainer/optim.py"])).toEqual([
      {
        at: "trainer/optim.py:7:12",
        code: "OPT002",
        message:
          "SGD runs classical momentum: momentum=0.9 (argparse default of --momentum, passed to build_optimizer() at ../train.py:17) with nesterov off; Nesterov momentum usually converges faster at no extra cost, but this setting can change at run time and PyTorch rejects nesterov=True when momentum is 0: pass nesterov=True if every run keeps momentum above 0.",
        notes: ["train.py:10:1"],
        fix: false,
        suggestions: ["Set nesterov=True"],
      },
      {
        at: "trainer/optim.py:12:12",
        code: "OPT001",
        message: expect.stringMatching(/^Adam applies weight_decay=1e-4 \(dict entry 'weight_decay' of head_cfg, passed to build_adam\(\) at \.\.\/train\.py:20\) as an L2 term/),
        notes: ["train.py:19:26"],
        fix: true,
        suggestions: [],
      },
    ]);
  });
});

describe("a class of another module whose __init__ builds the optimizer from its parameters", () => {
  const solver = [
    "import torch",
    "",
    "",
    "class Solver(torch.nn.Module):",
    "    def __init__(self, args):",
    "        super().__init__()",
    "        self.net = torch.nn.Linear(4, 4)",
    "        self.optim = torch.optim.Adam(self.net.parameters(), lr=args.lr, weight_decay=args.weight_decay)",
    "",
  ].join("\n");
  const main = [
    "import argparse",
    "from solver import Solver",
    "",
    "",
    "def main(args):",
    "    solver = Solver(args)",
    "    solver.optim.step()",
    "",
    "",
    "parser = argparse.ArgumentParser()",
    "parser.add_argument('--lr', type=float, default=1e-4)",
    "parser.add_argument('--weight_decay', type=float, default=1e-4)",
    "main(parser.parse_args())",
    "",
  ].join("\n");

  it("judges each construction of the class as a call of its __init__, labelled in the construction's file all along the chain", () => {
    expect(lintMemory({ "/p/solver.py": solver, "/p/main.py": main }, ["/p/solver.py", "/p/main.py"])).toEqual([
      {
        at: "solver.py:8:22",
        code: "OPT001",
        message: expect.stringMatching(/^Adam applies weight_decay=1e-4 \(argparse default of --weight_decay, passed to main\(\) at main\.py:13\) as an L2 term/),
        notes: ["main.py:12:1"],
        fix: true,
        suggestions: [],
      },
    ]);
  });

  it("leaves a decorated class alone: its decorator may replace the class or what its constructions pass", () => {
    const decorated = solver.replace("class Solver", "@gin.configurable\nclass Solver").replace("import torch", "import gin\nimport torch");
    expect(lintMemory({ "/p/solver.py": decorated, "/p/main.py": main }, ["/p/solver.py", "/p/main.py"])).toEqual([]);
  });
});

describe("a package with relative imports", () => {
  it("follows `from .optim import ...`, `from . import defaults` and `import pkg.optim as opt`, each call on its own", async () => {
    expect(await lintFixture("relative-import", ["pkg/__init__.py", "pkg/defaults.py", "pkg/engine.py", "pkg/optim.py", "warmup.py"])).toEqual([
      {
        at: "pkg/optim.py:5:12",
        code: "OPT002",
        message:
          "SGD runs classical momentum: momentum=0.9 (default of parameter momentum, not passed by make_optimizer() at engine.py:10) with nesterov off; Nesterov momentum usually converges faster at no extra cost, but this setting can change at run time and PyTorch rejects nesterov=True when momentum is 0: pass nesterov=True if every run keeps momentum above 0.",
        notes: ["pkg/optim.py:4:32"],
        fix: false,
        suggestions: ["Set nesterov=True"],
      },
      {
        at: "pkg/optim.py:5:36",
        code: "OPT009",
        message:
          "lr=-0.01 (constant WARM_LR, passed to make_optimizer() at ../warmup.py:8) is negative; PyTorch raises a ValueError when the optimizer is created. Use a positive learning rate.",
        notes: ["pkg/defaults.py:3:1"],
        fix: false,
        suggestions: [],
      },
    ]);
  });
});

describe("star imports", () => {
  it("reads a name through a chain of `from m import *`, and leaves a name the module does not export unknown", async () => {
    const found = await lintFixture("star-import", ["common.py", "exported.py", "settings.py", "train.py"]);
    expect(found.map((f) => [f.at, f.code, f.notes])).toEqual([["train.py:7:13", "OPT001", ["settings.py:3:1"]]]);
  });
});

describe("a clean project", () => {
  it("stays silent when every value that crosses a file is sound", async () => {
    expect(await lintFixture("clean-calls", ["config.py", "model.py", "train.py"])).toEqual([]);
  });

  it("is silent for the right reason: the same project with its imported betas swapped is reported", () => {
    const read = (name: string) => readFileSync(path.join(PROJECTS, "clean-calls", name), "utf8");
    const files = { "/p/config.py": read("config.py").replace("(0.9, 0.95)", "(0.95, 0.9)"), "/p/model.py": read("model.py"), "/p/train.py": read("train.py") };
    const found = lintMemory(files, ["/p/model.py", "/p/train.py"]);
    expect(found.map((f) => `${f.at} ${f.code} ${f.notes.join(" ")}`)).toEqual(["model.py:15:60 OPT009 config.py:2:1"]);
    expect(found[0].message).toContain("betas=(0.95, 0.9) (constant BETAS, passed to configure_optimizers() at train.py:6)");
  });
});

const SGD_HELPER = `import torch


def make(params, lr, momentum=0.0):
    return torch.optim.SGD(params, lr=lr, momentum=momentum)
`;

describe("call sites in the same file and their limits", () => {
  it("judges each call of a local function on its own: one finding per bad call, each naming its line", () => {
    const text = `${SGD_HELPER}

a = make(net.parameters(), 0.05)
b = make(net.parameters(), 400.0, momentum=0.9)
c = make(net.parameters(), -1.0)
`;
    const found = lintMemory({ "/p/train.py": text }, ["/p/train.py"]);
    expect(found.map((f) => `${f.at} ${f.code} ${/^.*?line \d+\)/.exec(f.message)?.[0]}`)).toEqual([
      "train.py:5:12 OPT002 SGD runs classical momentum: momentum=0.9 (passed to make() at line 9)",
      "train.py:5:36 OPT003 lr=400 (passed to make() at line 9)",
      "train.py:5:36 OPT009 lr=-1 (passed to make() at line 10)",
    ]);
    expect(found.map((f) => f.notes)).toEqual([["train.py:9:44"], ["train.py:9:28"], ["train.py:10:28"]]);
  });

  it("leaves parameters unknown for a function nobody calls, a call through a spread, and a recursive call", () => {
    const text = `${SGD_HELPER}

settings = [net.parameters(), 40.0]
a = make(*settings)
g = make(p for p in net.parameters())
b = make(net.parameters(), **{"lr": 40.0})


def again(params, lr):
    if lr > 1:
        return again(params, lr / 10)
    return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)
`;
    expect(lintMemory({ "/p/train.py": text }, ["/p/train.py"])).toEqual([]);
  });

  it("judges a function another module starts in processes by what the launch hands it (hogwild-shaped)", () => {
    const worker = `import torch


def train(rank, args, model):
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    for step in range(10):
        optimizer.step()
`;
    const main = `import argparse

import torch
import torch.multiprocessing as mp

from worker import train

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--momentum", type=float, default=0.5)
args = parser.parse_args()
model = torch.nn.Linear(4, 2)
processes = []
for rank in range(4):
    p = mp.Process(target=train, args=(rank, args, model))
    p.start()
    processes.append(p)
`;
    const found = lintMemory({ "/p/worker.py": worker, "/p/main.py": main }, ["/p/worker.py", "/p/main.py"]);
    expect(found.map((f) => `${f.at} ${f.code} ${/^.*?main\.py:\d+\)/.exec(f.message)?.[0]} ${f.notes.join(" ")}`)).toEqual([
      "worker.py:5:17 OPT002 SGD runs classical momentum: momentum=0.5 (argparse default of --momentum, passed to train() at main.py:15) main.py:10:1",
    ]);
    // Started through a pool's map, which hands each item as the only argument, the parameters stay unknown.
    expect(lintMemory({ "/p/worker.py": worker, "/p/main.py": main.replace("mp.Process(target=train, args=(rank, args, model))", "mp.Pool(4).map(train, [rank])") }, ["/p/worker.py", "/p/main.py"])).toEqual([]);
  });

  it("judges a spawn once when the call beside it passes the same values (imagenet-shaped), twice when the construction reads values that differ", () => {
    const text = `import argparse

import torch
import torch.multiprocessing as mp

parser = argparse.ArgumentParser()
parser.add_argument("--momentum", type=float, default=0.9)


def main_worker(gpu, ngpus, args):
    optimizer = torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=0.1, momentum=args.momentum)
    for step in range(10):
        optimizer.step()


def main():
    args = parser.parse_args()
    ngpus = torch.cuda.device_count()
    if ngpus > 1:
        mp.spawn(main_worker, nprocs=ngpus, args=(ngpus, args))
    else:
        main_worker(0, ngpus, args)
`;
    const calls = (t: string) => lintMemory({ "/p/train.py": t }, ["/p/train.py"]).map((f) => /passed to main_worker\(\) at line \d+/.exec(f.message)?.[0]);
    expect(calls(text)).toEqual(["passed to main_worker() at line 22"]);
    // Another value for a parameter the construction does not read: still the same construction, one finding.
    expect(calls(text.replace("main_worker(0, ngpus, args)", "main_worker(0, 1, args)"))).toEqual(["passed to main_worker() at line 22"]);
    const scaled = text.replace("lr=0.1,", "lr=0.1, weight_decay=gpu,");
    expect(calls(scaled.replace("main_worker(0, ngpus, args)", "main_worker(0, 1, args)"))).toEqual(["passed to main_worker() at line 22", "passed to main_worker() at line 20"]);
  });

  it("does not judge a decorated function by its calls: the decorator may fill or change the arguments", () => {
    const text = `import gin
import torch


@gin.configurable
def make(params, lr=0.1, momentum=0.9):
    return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=True)


opt = make(net.parameters(), lr=-1.0)
`;
    expect(lintMemory({ "/p/train.py": text }, ["/p/train.py"])).toEqual([]);
  });

  it("does not trust a namespace the function rewrites before reading it", () => {
    const files = {
      "/p/optim.py": `import torch


def build(params, args):
    args.lr = args.lr / 100
    return torch.optim.SGD(params, lr=args.lr, momentum=0.9, nesterov=True)
`,
      "/p/train.py": `import argparse
from optim import build

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=30.0)
args = parser.parse_args()
opt = build(net.parameters(), args)
`,
    };
    expect(lintMemory(files, ["/p/optim.py", "/p/train.py"])).toEqual([]);
  });

  it("follows a helper that passes its own parameters on, naming each call on the way", () => {
    const files = {
      "/p/optim.py": SGD_HELPER,
      "/p/setup.py": `from optim import make


def optimizer_for(model, lr):
    return make(model.parameters(), lr, momentum=0.9)
`,
      "/p/train.py": `from setup import optimizer_for

LR = 500.0
opt = optimizer_for(net, LR)
`,
    };
    const [found] = lintMemory(files, ["/p/optim.py", "/p/setup.py", "/p/train.py"]).filter((f) => f.code === "OPT003");
    expect(found.at).toBe("optim.py:5:36");
    expect(found.message).toContain("lr=500 (constant LR, passed to optimizer_for() at train.py:4, passed to make() at setup.py:5)");
    expect(found.notes).toEqual(["train.py:3:1"]);
  });

  it("ends on import cycles and mutual calls without judging what it cannot see", () => {
    const files = {
      "/p/a.py": `import torch
from b import LR, helper

RATE = LR


def build(params, lr):
    return helper(params, lr)


def make(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)
`,
      "/p/b.py": `from a import RATE, build, make

LR = RATE


def helper(params, lr):
    return build(params, lr)


opt = make(net.parameters(), LR)
`,
    };
    expect(lintMemory(files, ["/p/a.py", "/p/b.py"])).toEqual([]);
  });
});

describe("functions of one name in many modules", () => {
  it("judges each with its own callers only, however many modules define the name and the join lets go of in between", () => {
    // Ten modules with the same text, and callers that each import one of them as a module and call its `build`
    // (every caller's text calls `build`, and every caller reaches every module through the modules' ring of imports).
    const files: Record<string, string> = {};
    for (let i = 0; i < 10; i++) {
      files[`/p/lib/m${i}.py`] = `import torch\nfrom lib import m${(i + 1) % 10} as neighbour\n\n\ndef build(params, lr):\n    return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)\n`;
      files[`/p/run${i}.py`] = `import torch\nfrom lib import m${i}\n\nnet = torch.nn.Linear(2, 2)\nopt = m${i}.build(net.parameters(), ${i === 7 ? "400.0" : "0.01"})\n`;
    }
    files["/p/lib/__init__.py"] = "";
    files["/p/pyproject.toml"] = "";
    const found = lintMemory(files, Object.keys(files).filter((f) => f.endsWith(".py")));
    expect(found.map((f) => `${f.at} ${f.code} ${/^.*?\.py:\d+\)/.exec(f.message)?.[0]}`)).toEqual(["lib/m7.py:6:36 OPT003 lr=400 (passed to build() at ../run7.py:5)"]);
    expect(found.map((f) => f.notes)).toEqual([["run7.py:5:34"]]);
  });
});

describe("values imported from the project's modules", () => {
  it("reads constants, dict entries and dataclass defaults where the module defines them", () => {
    const files = {
      "/p/config.py": `from dataclasses import dataclass

OPTIM = {"lr": 200.0, "weight_decay": 0.01}
MOMENTUM = 0.9


@dataclass
class TrainConfig:
    eps: float = -1e-8
`,
      "/p/train.py": `import torch
import config
from config import OPTIM, TrainConfig

cfg = TrainConfig()
sgd = torch.optim.SGD(net.parameters(), lr=OPTIM["lr"], momentum=config.MOMENTUM)
adam = torch.optim.AdamW(net.parameters(), eps=cfg.eps)
`,
    };
    const found = lintMemory(files, ["/p/train.py"]);
    expect(found.map((f) => `${f.at} ${f.code} ${f.notes.join(" ")}`)).toEqual([
      "train.py:6:7 OPT002 config.py:4:1",
      "train.py:6:41 OPT003 config.py:3:10",
      "train.py:7:44 OPT009 config.py:9:5",
    ]);
    expect(found[1].message).toContain("lr=200 (dict entry 'lr'");
    expect(found[2].message).toContain("eps=-1e-8 (default of TrainConfig.eps)");
  });
});

describe("fixes on values written in another file", () => {
  const model = `import torch


def build(params, betas):
    return torch.optim.Adam(params, lr=1e-3, betas=betas)
`;
  const train = `from model import build

opt = build(net.parameters(), (0.999, 0.9))
`;

  it("are refused at the construction, with the file that holds the value", () => {
    const [found] = lintMemory({ "/p/model.py": model, "/p/train.py": train }, ["/p/model.py", "/p/train.py"]);
    expect(found.at).toBe("model.py:5:46");
    expect(found.message).toContain("(Not fixed automatically: it is written in train.py.)");
    expect(found.fix).toBe(false);
  });

  it("are made in the caller when the finding is shown there, and the fixed caller is clean", () => {
    const files = { "/p/model.py": model, "/p/train.py": train };
    const [result] = lintProject([{ filePath: "/p/train.py", text: train, rules: ALL_RULES }], { host: memoryHost(files), fix: true });
    expect(result.output).toBe("from model import build\n\nopt = build(net.parameters(), (0.9, 0.999))\n");
    expect(result.messages).toEqual([]);
  });
});

describe("calls from test code", () => {
  const pretrain = [
    "import torch",
    "",
    "",
    "def setup(model, lr, weight_decay):",
    "    return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)",
    "",
  ].join("\n");
  const caller = (def: string) =>
    ["import torch", "from pretrain import setup", "", "", `${def}:`, "    model = torch.nn.Linear(2, 2)", "    setup(model, lr=10.0, weight_decay=0.1)", ""].join("\n");

  it("are no call sites: a test function, a test class's method and a file pytest collects pass values to exercise code", () => {
    for (const [name, def] of [
      ["/p/check.py", "def test_setup()"],
      ["/p/check.py", "class TestSetup:\n    def test_it(self)"],
      ["/p/test_pretrain.py", "def run()"],
      ["/p/conftest.py", "def run()"],
    ] as const) {
      const text = def.includes("\n") ? caller(def).replace(/\n {4}(model|setup)/g, "\n        $1") : caller(def);
      expect(lintMemory({ "/p/pretrain.py": pretrain, [name]: text }, ["/p/pretrain.py", name]), `${name}: ${def}`).toEqual([]);
    }
  });

  it("while the same call in a training function judges the construction", () => {
    const found = lintMemory({ "/p/pretrain.py": pretrain, "/p/run.py": caller("def main()") }, ["/p/pretrain.py", "/p/run.py"]);
    expect(found.map((f) => `${f.at} ${f.code}`)).toEqual(["pretrain.py:5:12 OPT001", "pretrain.py:5:49 OPT003"]);
  });
});

describe("the command line on a project folder", () => {
  beforeAll(() => buildOnce(), 600_000);

  it("reports what crosses files with the construction's file and line, and notes in the caller", () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "optim-lint-xfile-"));
    for (const name of ["method-call", "clean-calls"]) cpSync(path.join(PROJECTS, name), path.join(tmp, name), { recursive: true });
    const run = runCli(tmp, ["--format", "json", "."]);
    const results = JSON.parse(run.stdout) as { filePath: string; messages: { line: number; column: number; code?: string; message: string; related?: { filePath?: string; line: number; column: number }[] }[] }[];
    const seen = results.flatMap((r) =>
      r.messages.map((m) => `${path.relative(tmp, r.filePath)}:${m.line}:${m.column} ${m.code} ${(m.related ?? []).map((n) => `${path.relative(tmp, n.filePath ?? r.filePath)}:${n.line}:${n.column}`).join(" ")}`),
    );
    expect(seen).toEqual(["method-call/model.py:49:47 OPT003 method-call/finetune.py:5:45", "method-call/model.py:49:65 OPT009 method-call/train.py:19:69"]);
    expect(run.status).toBe(1);
  });

  it("with --cache, judges a changed module again with its unchanged callers in view, and a changed caller's module too", () => {
    const root = path.join(mkdtempSync(path.join(os.tmpdir(), "optim-lint-xfile-cache-")), "method-call");
    cpSync(path.join(PROJECTS, "method-call"), root, { recursive: true });
    const at = () => {
      const results = JSON.parse(runCli(root, ["--cache", "--format", "json", "."]).stdout) as { filePath: string; messages: { line: number; code?: string }[] }[];
      return results.flatMap((r) => r.messages.map((m) => `${path.basename(r.filePath)}:${m.line} ${m.code}`));
    };
    expect(at()).toEqual(["model.py:49 OPT003", "model.py:49 OPT009"]);
    const model = path.join(root, "model.py");
    writeFileSync(model, `# optimizer settings come from the callers\n${readFileSync(model, "utf8")}`);
    expect(at()).toEqual(["model.py:50 OPT003", "model.py:50 OPT009"]);
    const train = path.join(root, "train.py");
    writeFileSync(train, readFileSync(train, "utf8").replace("beta2 = 0.9  #", "beta2 = 0.99  #"));
    expect(at()).toEqual(["model.py:50 OPT003"]);
  });
});
