import { describe, expect, it } from "vitest";
import { analyzePython } from "../../src/python/analyze.js";
import { loadFixture } from "./fixture.js";

describe("model hints (fixtures/python/model_hints.py)", () => {
  const fx = loadFixture("model_hints.py");
  const freezes = fx.file.facts.modelHints.freezesParameters.map((s) => fx.slice(s));

  it("finds each tagged way of freezing parameters", () => {
    const text = fx.file.text;
    const tagged = [...text.matchAll(/^(.*?)\s*# freeze: /gm)].map((m) => m[1].trim());
    expect(tagged).toHaveLength(4);
    for (const line of tagged) expect(freezes.some((f) => line.includes(f!))).toBe(true);
  });

  it("counts peft and loralib imports as adapter training", () => {
    expect(freezes).toContain("import peft");
    expect(freezes).toContain("from loralib import mark_only_lora_as_trainable");
  });

  it("counts a project's LoRA modules and mark_only_*_as_trainable helpers as adapter training", () => {
    const text = [
      "from nets.lora.gpt2 import GPTModel",
      "from lit.adapter import mark_only_adapter_as_trainable",
      "import lora_layers",
      "from models.explorer import Flora, LoraxHead",
      "model = GPTModel()",
      "mark_only_adapter_as_trainable(model)",
      "mark_as_trainable(model)",
      "import torch",
      "opt = torch.optim.AdamW(model.parameters(), lr=1e-4)",
      "",
    ].join("\n");
    const found = analyzePython(text).facts.modelHints.freezesParameters.map((s) => text.slice(s.start, s.end));
    expect(found).toEqual(["from nets.lora.gpt2 import GPTModel", "import lora_layers", "mark_only_adapter_as_trainable(model)"]);
  });

  it("ignores unfreezing, a config's freeze() and reading requires_grad", () => {
    expect(freezes.some((f) => f!.includes("True") || f!.startsWith("cfg") || f!.includes("if p.requires_grad"))).toBe(false);
    expect(freezes).toHaveLength(7);
  });

  it("finds nothing in a file that freezes nothing (fixtures/python/params.py)", () => {
    expect(loadFixture("params.py").file.facts.modelHints.freezesParameters).toEqual([]);
  });
});

describe("freezes scoped to the model they name", () => {
  /** For each freeze of the text, the optimizer names (the assignment targets) of the constructions it bears on. */
  function bearing(text: string): Record<string, string[]> {
    const { facts } = analyzePython(text);
    const names = new Map(facts.optimizers.map((s) => [s.id, /(\w+)\s*=\s*$/.exec(text.slice(0, s.span.start))?.[1] ?? s.id]));
    const out: Record<string, string[]> = {};
    for (const span of facts.modelHints.freezesParameters) {
      const scoped = facts.modelHints.scopedFreezes?.find((f) => f.span.start === span.start);
      out[text.slice(span.start, span.end).split("\n")[0]] = scoped ? scoped.sites.map((id) => names.get(id)!) : ["*"];
    }
    return out;
  }

  it("ties a loop over one model's parameters, requires_grad_(False) and freeze() to the constructions training that model", () => {
    const text = [
      "import torch",
      "encoder = Encoder()",
      "for name, p in encoder.named_parameters():",
      "    p.requires_grad = False",
      "critic = Critic()",
      "critic.requires_grad_(False)",
      "policy = Policy()",
      "policy.body.freeze()",
      "model = Net()",
      "opt = torch.optim.AdamW(model.parameters(), lr=1e-3)",
      "policy_opt = torch.optim.Adam(policy.head.parameters(), lr=1e-3)",
      "",
    ].join("\n");
    expect(bearing(text)).toEqual({ "p.requires_grad = False": [], "critic.requires_grad_(False)": [], "policy.body.freeze()": ["policy_opt"] });
  });

  it("keeps a freeze on every construction whose model may hold the frozen one, or whose parameters are of unknown origin", () => {
    const text = [
      "import torch",
      "backbone = Backbone()",
      "backbone.requires_grad_(False)",
      "model = Net(backbone)",
      "alias = backbone",
      "other = Other()",
      "other.encoder = backbone",
      "opt = torch.optim.AdamW(model.parameters(), lr=1e-3)",
      "alias_opt = torch.optim.AdamW(alias.parameters(), lr=1e-3)",
      "other_opt = torch.optim.AdamW(other.parameters(), lr=1e-3)",
      "params_opt = torch.optim.AdamW(params, lr=1e-3)",
      "",
    ].join("\n");
    expect(bearing(text)).toEqual({ "backbone.requires_grad_(False)": ["opt", "alias_opt", "other_opt", "params_opt"] });
  });

  it("leaves unscoped a freeze of a name no construction of the file builds, of self, and of peft", () => {
    const text = [
      "import torch",
      "import peft",
      "def train(model, net):",
      "    for p in model.parameters():",
      "        p.requires_grad = False",
      "    return torch.optim.AdamW(net.parameters(), lr=1e-3)",
      "class Probe(torch.nn.Module):",
      "    def setup(self):",
      "        self.requires_grad_(False)",
      "",
    ].join("\n");
    expect(bearing(text)).toEqual({ "import peft": ["*"], "p.requires_grad = False": ["*"], "self.requires_grad_(False)": ["*"] });
  });
});
