import { describe, expect, it } from "vitest";
import { pythonAdapter } from "../../src/python/adapter.js";
import { loadFixture } from "./fixture.js";

describe("distributed facts (fixtures/python/distributed.py)", () => {
  const fx = loadFixture("distributed.py");
  const d = fx.file.facts.distributed;

  it("collects every piece of evidence tagged in the fixture, in order", () => {
    const tagged = [...fx.file.text.matchAll(/# evidence: ([a-z-]+)/g)].map((m) => m[1]);
    expect(d.evidence.filter((e) => e.kind !== "world-size").map((e) => e.kind)).toEqual(tagged);
    expect(d.evidence.map((e) => fx.slice(e.span))).toContain('os.environ["WORLD_SIZE"]');
    expect(d.evidence.map((e) => fx.slice(e.span))).toContain("DDP(model, device_ids=[ddp_local_rank])");
    expect(d.evidence.find((e) => e.kind === "world-size") && fx.slice(d.evidence.find((e) => e.kind === "world-size")!.span)).toBe(
      "torch.distributed.get_world_size()",
    );
  });

  it("finds batch sizes and accumulation steps divided by the world size", () => {
    expect(d.batchScaledByWorldSize.map((s) => fx.slice(s))).toEqual([
      "gradient_accumulation_steps //= ddp_world_size",
      "batch_size // torch.distributed.get_world_size()",
    ]);
  });

  it("finds learning rates derived from the world size or the global batch size", () => {
    expect(d.lrScaledByWorldSize.map((s) => fx.slice(s))).toEqual([
      "scaled_lr = learning_rate * global_batch_size / 256",
      'warmup_lr = learning_rate / int(os.environ.get("WORLD_SIZE", 1))',
      "lr=learning_rate * ddp_world_size",
    ]);
    const lr = fx.arg("lr-scaled-argument", "lr")!;
    expect(lr.value.value.kind).toBe("unknown");
    expect(lr.value.dependsOn).toEqual(["world-size"]);
  });
});

describe("distributed facts elsewhere", () => {
  it("sees init_process_group, DDP through an alias and a batch divided by GPUs per node (argparse_train.py)", () => {
    const fx = loadFixture("argparse_train.py");
    const d = fx.file.facts.distributed;
    expect(d.evidence.map((e) => e.kind)).toEqual(["init-process-group", "ddp"]);
    expect(d.batchScaledByWorldSize.map((s) => fx.slice(s))).toEqual(["args.batch_size / ngpus_per_node"]);
    expect(d.lrScaledByWorldSize).toEqual([]);
  });

  it("marks accelerate's process count as a world-size dependency (more_forms.py)", () => {
    const fx = loadFixture("more_forms.py");
    expect(fx.arg("accelerate-scaled", "lr")!.value.dependsOn).toEqual(["world-size"]);
    expect(fx.file.facts.distributed.lrScaledByWorldSize.map((s) => fx.slice(s))).toEqual(["lr=args.lr * accelerator.num_processes"]);
  });

  it("sees Horovod's DistributedOptimizer, not torch's RPC one, and hvd.size() as the world size (horovod.py)", () => {
    const fx = loadFixture("horovod.py");
    const d = fx.file.facts.distributed;
    expect(d.evidence.map((e) => [e.kind, fx.slice(e.span)])).toEqual([
      ["horovod", "hvd.DistributedOptimizer(optimizer, named_parameters=model.named_parameters())"],
    ]);
    expect(fx.arg("horovod-scaled", "lr")!.value.dependsOn).toEqual(["world-size"]);
    expect(fx.arg("rpc-optimizer", "lr")!.value.dependsOn).toEqual([]);
    expect(d.lrScaledByWorldSize.map((s) => fx.slice(s))).toEqual(["lr=0.01 * hvd.size()"]);
  });

  it("reports nothing for a single-process script (values.py)", () => {
    const fx = loadFixture("values.py");
    expect(fx.file.facts.distributed).toEqual({ evidence: [], batchScaledByWorldSize: [], lrScaledByWorldSize: [] });
  });
});

describe("scaling written inside calls (fixtures/python/scaling_keywords.py)", () => {
  const fx = loadFixture("scaling_keywords.py");
  const d = fx.file.facts.distributed;

  it("finds a batch_size= keyword divided by the world size, also inside int(math.ceil(...))", () => {
    expect(d.batchScaledByWorldSize.map((s) => fx.slice(s))).toEqual(["256 // dist.get_world_size()", "512 / dist.get_world_size()"]);
  });

  it("finds lr-like keywords and dict entries scaled by the world size", () => {
    expect(d.lrScaledByWorldSize.map((s) => fx.slice(s))).toEqual(["max_lr=0.1 * dist.get_world_size()", '"lr": 0.01 * dist.get_world_size()']);
  });
});

describe("calls whose names collide with JavaScript object members", () => {
  it("are not evidence of anything", () => {
    const text = "import os\nimport torch\nworld_size = 2\ntorch.constructor(1)\nos.path.toString()\ntorch.hasOwnProperty('a')\n";
    const file = pythonAdapter.analyze(text, "proto.py");
    expect(file.facts.distributed.evidence).toEqual([]);
  });
});

describe("batches split across workers (fixtures/python/batch_split.py)", () => {
  const fx = loadFixture("batch_split.py");

  it("finds every tagged split, whatever the quotient is named, and nothing else", () => {
    const text = fx.file.text;
    const tagged = [...text.matchAll(/^(.*?)\s*# split: /gm)].map((m) => m[1]);
    const found = fx.file.facts.distributed.batchScaledByWorldSize.map((s) => fx.slice(s)!);
    expect(tagged).toHaveLength(6);
    expect(found).toHaveLength(tagged.length);
    for (const [i, line] of tagged.entries()) expect(line).toContain(found[i]);
  });
});

describe("Ray Train", () => {
  const script = (workers: string, extra = "") =>
    [
      "import torch",
      "from ray.train import ScalingConfig",
      "from ray.train.torch import TorchTrainer, prepare_data_loader, prepare_model",
      "",
      "def train_func(config):",
      "    model = prepare_model(torch.nn.Linear(4, 2))",
      "    loader = prepare_data_loader(torch.utils.data.DataLoader(data, batch_size=64))",
      `    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)${extra}`,
      "",
      `TorchTrainer(train_func, scaling_config=ScalingConfig(num_workers=${workers}, use_gpu=True)).fit()`,
      "",
    ].join("\n");
  const facts = (text: string) => pythonAdapter.analyze(text, "ray_train.py").facts;

  it("takes a known worker count above 1 as the world size, with prepare_model and prepare_data_loader as evidence", () => {
    const { distributed, batch } = facts(script("4"));
    expect(distributed.evidence.map((e) => e.kind)).toEqual(["ddp", "distributed-sampler"]);
    expect(batch?.worldSize?.value).toEqual({ kind: "number", value: 4 });
  });

  it("leaves the world size unknown with one worker, an unread count, or data parallelism switched off", () => {
    for (const text of [script("1"), script("args.workers"), script("4").replace("prepare_model(torch.nn.Linear(4, 2))", "prepare_model(torch.nn.Linear(4, 2), parallel_strategy=None)").replace("batch_size=64)", "batch_size=64), add_dist_sampler=False")]) {
      const { distributed, batch } = facts(text);
      expect(distributed.evidence.filter((e) => e.kind === "ddp" || e.kind === "distributed-sampler")).toEqual([]);
      if (!text.includes("parallel_strategy")) expect(batch?.worldSize).toBeUndefined();
    }
  });
});
