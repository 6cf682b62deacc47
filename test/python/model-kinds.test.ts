import { describe, expect, it } from "vitest";
import type { ModelKind } from "../../src/core/facts.js";
import { analyzePython } from "../../src/python/analyze.js";
import { loadFixture } from "./fixture.js";

describe("model kinds and precision (fixtures/python/model_kinds.py)", () => {
  const fx = loadFixture("model_kinds.py");
  const kinds = fx.file.facts.modelHints.kinds ?? [];
  const precision = fx.file.facts.precision ?? [];
  /** The kinds tied to the construction of a case (file-level evidence left out). */
  const tied = (caseName: string): ModelKind[] => {
    const id = fx.site(caseName)!.id;
    return [...new Set(kinds.filter((k) => k.sites?.includes(id)).map((k) => k.kind))].sort();
  };
  const precisionOf = (caseName: string) => {
    const id = fx.site(caseName)!.id;
    return precision.filter((p) => p.sites?.includes(id)).map((p) => p.kind);
  };

  it("ties a transformers model loaded by an Auto class to the optimizer of its parameters", () => {
    expect(tied("llm")).toEqual(["transformer"]);
  });

  it("reads a local class by its transformers base class, through parameter groups", () => {
    expect(tied("clf")).toEqual(["transformer"]);
  });

  it("reads self.parameters() as the class's own layers", () => {
    expect(tied("tagger")).toEqual(["rnn"]);
  });

  it("looks through DDP and .module, and through a name bound to a filtered parameter list", () => {
    expect(tied("resnet")).toEqual(["cnn"]);
    expect(tied("vit")).toEqual(["transformer"]);
  });

  it("reads one nn.Linear with only parameter-free modules as a linear model, and nothing that holds or is handed more", () => {
    expect(tied("linear-class")).toEqual(["linear"]);
    expect(tied("linear-layer")).toEqual(["linear"]);
    expect(tied("module-handed-in")).toEqual([]);
    expect(tied("holds-linear")).toEqual([]);
  });

  it("marks a generator and discriminator pair as a GAN", () => {
    expect(tied("generator")).toEqual(["gan"]);
    expect(tied("discriminator")).toEqual(["gan"]);
  });

  it("does not tie a model to a construction that gets only its 1-D parameters (biases, norms, scalars)", () => {
    expect(tied("vectors-only")).toEqual([]);
    expect(tied("matrices")).toEqual(["transformer"]);
    expect(tied("vectors-or-named")).toEqual(["transformer"]);
  });

  it("records sparse embeddings", () => {
    expect(tied("embedding")).toEqual(["sparse-embedding"]);
  });

  it("does not guess: a model name a run can change, and parameters it cannot trace, give no kind", () => {
    expect(tied("cnn-by-option")).toEqual([]);
    expect(tied("untraced")).toEqual([]);
  });

  it("keeps file-level evidence (an RL library import) untied", () => {
    const file = kinds.filter((k) => k.sites === undefined);
    expect(file.map((k) => [k.kind, fx.slice(k.span)])).toEqual([["rl-policy", "import gymnasium as gym"]]);
  });

  it("finds float16 parameters by torch_dtype and by .half() in a chain, bf16 by .bfloat16()", () => {
    expect(precisionOf("llm")).toEqual(["fp16-params"]);
    expect(precisionOf("vit")).toEqual(["fp16-params"]);
    expect(precisionOf("bf16")).toEqual(["bf16"]);
    expect(precisionOf("clf")).toEqual([]);
  });

  it("does not count a cast after the construction (export, evaluation)", () => {
    expect(precisionOf("late")).toEqual([]);
  });

  it("records mixed precision as master weights for the whole file", () => {
    const { facts } = analyzePython(
      "import torch\nfrom torch.cuda.amp import GradScaler, autocast\nopt = torch.optim.Adam(model.parameters())\nscaler = GradScaler()\nwith torch.autocast('cuda', dtype=torch.bfloat16):\n    pass\n",
    );
    expect(facts.precision?.map((p) => [p.kind, p.sites])).toEqual([
      ["master-weights", undefined],
      ["bf16", undefined],
    ]);
  });
});

describe("model classes of packages that build only transformers", () => {
  const kindsOf = (text: string) => (analyzePython(text).facts.modelHints.kinds ?? []).map((k) => k.kind);

  it("reads an x-transformers or vit-pytorch model, wrapped or not, as a transformer", () => {
    const lm = "import torch\nfrom x_transformers import TransformerWrapper, Decoder, AutoregressiveWrapper\nnet = TransformerWrapper(num_tokens=256, max_seq_len=512, attn_layers=Decoder(dim=256, depth=4, heads=4))\nnet = AutoregressiveWrapper(net)\nopt = torch.optim.Adam(net.parameters(), lr=3e-4)\n";
    expect(kindsOf(lm)).toEqual(["transformer"]);
    const vit = "import torch\nfrom vit_pytorch.simple_vit import SimpleViT\nv = SimpleViT(image_size=32, patch_size=4, num_classes=10, dim=128, depth=4, heads=4, mlp_dim=256)\nopt = torch.optim.Adam(v.parameters(), lr=3e-4)\n";
    expect(kindsOf(vit)).toEqual(["transformer"]);
  });

  it("does not read their layers as models", () => {
    const norm = "import torch\nfrom x_transformers import RMSNorm\nscale = RMSNorm(64)\nopt = torch.optim.Adam(scale.parameters(), lr=3e-4)\n";
    expect(kindsOf(norm)).toEqual([]);
  });
});
