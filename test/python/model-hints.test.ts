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
