/** Checkpoint loads and saves, and which constructions a load replaces. */
import { describe, expect, it } from "vitest";
import { analyzePython } from "../../src/python/analyze.js";

/** The stateRestored note of each optimizer construction, in order. */
function restored(code: string): (boolean | undefined)[] {
  return analyzePython(code).facts.optimizers.map((s) => s.stateRestored?.conditional);
}

const HEAD = "import torch\nmodel = torch.nn.Linear(2, 2)\n";

describe("checkpoint facts", () => {
  it("marks a load_state_dict straight after the construction as unconditional", () => {
    expect(restored(`${HEAD}opt = torch.optim.SGD(model.parameters(), lr=999)\nopt.load_state_dict(torch.load("c.pt")["opt"])\n`)).toEqual([false]);
  });

  it("marks a load under `if args.resume:`, in a try or in a loop as conditional", () => {
    expect(restored(`${HEAD}opt = torch.optim.SGD(model.parameters(), lr=0.1)\nif args.resume:\n    opt.load_state_dict(torch.load(args.resume))\n`)).toEqual([true]);
    expect(restored(`${HEAD}opt = torch.optim.SGD(model.parameters(), lr=0.1)\ntry:\n    opt.load_state_dict(torch.load("c.pt"))\nexcept OSError:\n    pass\n`)).toEqual([true]);
  });

  it("treats a script's main guard as unconditional, and a condition around both as shared", () => {
    expect(restored(`${HEAD}if __name__ == "__main__":\n    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n    opt.load_state_dict(torch.load("c.pt"))\n`)).toEqual([false]);
    expect(restored(`${HEAD}def f(x):\n    if x:\n        opt = torch.optim.SGD(model.parameters(), lr=0.1)\n        opt.load_state_dict(torch.load("c.pt"))\n`)).toEqual([false]);
  });

  it("does not count a load before the construction, or one in another function", () => {
    expect(restored(`${HEAD}opt = None\nopt.load_state_dict({})\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n`)).toEqual([undefined]);
    const other = `${HEAD}class T:\n    def __init__(self):\n        self.opt = torch.optim.SGD(model.parameters(), lr=0.1)\n    def resume(self, p):\n        self.opt.load_state_dict(torch.load(p))\n`;
    expect(restored(other)).toEqual([true]);
  });

  it("follows wrappers and state dicts that hold the optimizer, and helpers handed it", () => {
    expect(restored(`${HEAD}opt = torch.optim.Adam(model.parameters(), lr=100)\nwrapped = LightningOptimizer(opt)\nwrapped.load_state_dict(sd)\n`)).toEqual([false]);
    expect(restored(`${HEAD}opt = torch.optim.Adam(model.parameters(), lr=0.3)\nstate = {"model": model, "optimizer": opt}\nfabric.load(path, state)\n`)).toEqual([false]);
    const d2 = `${HEAD}opt = torch.optim.SGD(model.parameters(), 999)  # lr will be loaded\nck = Checkpointer(model, d, opt=opt)\nck.resume_or_load("x.pth")\n`;
    expect(restored(d2)).toEqual([false]);
    expect(restored(d2.replace('resume_or_load("x.pth")', 'resume_or_load("x.pth", resume=False)'))).toEqual([undefined]);
    expect(restored(d2.replace('resume_or_load("x.pth")', 'resume_or_load("x.pth", resume=args.resume)'))).toEqual([true]);
  });

  it("treats whole-state restores as loads into every optimizer, conditional when the path may be None", () => {
    const lit = `${HEAD}class M(L.LightningModule):\n    def configure_optimizers(self):\n        return torch.optim.Adam(self.parameters(), lr=10)\n`;
    expect(restored(`${lit}trainer.fit(M(), ckpt_path="last")\n`)).toEqual([false]);
    expect(restored(`${lit}trainer.fit(M(), ckpt_path=None)\n`)).toEqual([undefined]);
    expect(restored(`${lit}trainer.fit(M(), ckpt_path=args.ckpt)\n`)).toEqual([true]);
    expect(restored(`${HEAD}opt = torch.optim.AdamW(model.parameters(), lr=1)\naccelerator.load_state("ckpt")\n`)).toEqual([false]);
    expect(restored(`${HEAD}opt = torch.optim.AdamW(model.parameters(), lr=1)\nif args.resume_from_checkpoint:\n    accelerator.load_state(args.resume_from_checkpoint)\n`)).toEqual([true]);
  });

  it("lists loads and saves with whether a save writes the optimizer's state", () => {
    const code = `${HEAD}opt = torch.optim.SGD(model.parameters(), lr=0.1)\nmodel.load_state_dict(torch.load("w.pt"))\ntorch.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, "a.pt")\ntorch.save({"model": model.state_dict()}, "b.pt")\ntorch.save(model.state_dict(), "c.pt")\nscheduler.load_state_dict(s)\n`;
    const facts = analyzePython(code).facts.checkpoints!;
    expect(facts.map((f) => [f.kind, f.state, f.includesOptimizerState, f.optimizerSites.map((id) => Number(id.split("#")[1]))])).toEqual([
      ["load", "model", undefined, []],
      ["load", "file", undefined, []],
      ["save", "file", true, [0]],
      ["save", "file", false, []],
      ["save", "file", false, []],
    ]);
    // The optimizer's state taken outside any save shown (for a logger or helper that writes it) counts as saved.
    const helper = `${HEAD}opt = torch.optim.SGD(model.parameters(), lr=0.1)\ndef state():\n    return {"optimizer": opt.state_dict()}\nlogger.checkpoint(state)\n`;
    expect(analyzePython(helper).facts.checkpoints!.map((f) => [f.kind, f.state, f.includesOptimizerState, f.optimizerSites.map((id) => Number(id.split("#")[1]))])).toEqual([["save", "optimizer", true, [0]]]);
  });

  it("finds torch.load and torch.save under any name: an alias, a name bound to them, a getattr string", () => {
    const head = "import torch\nmodel = torch.nn.Linear(2, 2)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n";
    const lines = (code: string) => analyzePython(code).facts.checkpoints!.map((f) => [f.kind, f.state, code.slice(0, f.span.start).split("\n").length]);
    // Each file names only one of the two words, so that each word's test is seen on its own.
    const loads = `${head}from torch import load as restore\nreader = getattr(torch, 'load')\nrestore('a.pt')\nreader('b.pt')\n`;
    expect(lines(loads)).toEqual([
      ["load", "file", 6],
      ["load", "file", 7],
    ]);
    const saves = `${head}from torch import save as persist\nwriter = getattr(torch, "save")\npersist(model.state_dict(), 'c.pt')\nwriter(model.state_dict(), 'd.pt')\n`;
    expect(lines(saves)).toEqual([
      ["save", "file", 6],
      ["save", "file", 7],
    ]);
    // A file whose names only contain the words (`loader`, `load_state_dict`, `saved`) has no file load or save.
    const lookalikes = "import torch\nopt = torch.optim.SGD([], lr=0.1)\nloader = torch.load_state_dict\nsaved = torch.saved\nloader('a.pt')\nsaved('b.pt')\n";
    expect(analyzePython(lookalikes).facts.checkpoints).toEqual([]);
  });
});

describe("test code spans", () => {
  it("covers test functions, test classes, TestCase subclasses and fixtures, but not a training script's test()", () => {
    const code = [
      "import torch, pytest, unittest",
      "def test_a():\n    torch.optim.Adam([], lr=10)",
      "class TestB:\n    def helper(self):\n        pass",
      "class Checks(unittest.TestCase):\n    def setUp(self):\n        pass",
      "@pytest.fixture()\ndef opt():\n    return torch.optim.Adam([], lr=10)",
      "def test(model, loader):\n    return torch.optim.Adam([], lr=10)",
      "",
    ].join("\n");
    const file = analyzePython(code);
    const names = file.facts.testCode!.map((s) => code.slice(s.start, s.end).split("\n")[0]);
    expect(names).toEqual(["def test_a():", "class TestB:", "class Checks(unittest.TestCase):", "@pytest.fixture()"]);
  });
});

describe("distributed evidence in scope", () => {
  /** For each evidence, the ids of the constructions it bears on. */
  function scoped(code: string): (number[] | undefined)[] {
    return analyzePython(code).facts.distributed.evidence.map((e) => e.sites?.map((id) => Number(id.split("#")[1])));
  }
  const imports = "import torch\nimport torch.multiprocessing as mp\nfrom torch.utils.data.distributed import DistributedSampler\n";

  it("ties a sampler in one test to nothing in another test", () => {
    const code = `${imports}def test_a(ds):\n    DistributedSampler(ds)\n\ndef test_b(m):\n    torch.optim.SGD(m.parameters(), lr=0.1)\n`;
    expect(scoped(code)).toEqual([[]]);
  });

  it("follows calls and callbacks from a common caller, and keeps module-level code together", () => {
    const viaMain = `${imports}def loader(ds):\n    return DistributedSampler(ds)\n\ndef build(m):\n    return torch.optim.SGD(m.parameters(), lr=0.1)\n\ndef main():\n    loader(1)\n    build(2)\n`;
    expect(scoped(viaMain)).toEqual([[0]]);
    const spawned = `${imports}def worker(rank, ds, m):\n    DistributedSampler(ds)\n    torch.optim.SGD(m.parameters(), lr=0.1)\n\nmp.spawn(worker, nprocs=2)\n`;
    expect(scoped(spawned)).toEqual([[0]]);
    const moduleLevel = `${imports}sampler = DistributedSampler(ds)\nopt = torch.optim.SGD(m.parameters(), lr=0.1)\n`;
    expect(scoped(moduleLevel)).toEqual([[0]]);
  });

  it("keeps a class's methods together, but a test class's tests apart (setUp joins each)", () => {
    const cls = `${imports}class Trainer:\n    def setup(self, ds):\n        DistributedSampler(ds)\n    def configure_optimizers(self):\n        return torch.optim.SGD(self.parameters(), lr=0.1)\n`;
    expect(scoped(cls)).toEqual([[0]]);
    const tests = `${imports}class TestX(unittest.TestCase):\n    def test_a(self):\n        DistributedSampler(1)\n    def test_b(self):\n        torch.optim.SGD(self.m.parameters(), lr=0.1)\n`;
    expect(scoped(tests)).toEqual([[]]);
    const setUp = `${imports}class TestX(unittest.TestCase):\n    def setUp(self):\n        DistributedSampler(1)\n    def test_b(self):\n        torch.optim.SGD(self.m.parameters(), lr=0.1)\n`;
    expect(scoped(setUp)).toEqual([[0]]);
  });
});
