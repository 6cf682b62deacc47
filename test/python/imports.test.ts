import { describe, expect, it } from "vitest";
import { loadFixture } from "./fixture.js";

describe("optimizer names resolved through imports (fixtures/python/imports.py)", () => {
  const fx = loadFixture("imports.py");

  it.each([
    ["attribute-chain", "torch.optim.Adam", "torch.optim.Adam"],
    ["module-alias", "torch.optim.AdamW", "optim.AdamW"],
    ["from-import-module-alias", "torch.optim.RMSprop", "topt.RMSprop"],
    ["class-alias", "torch.optim.Adam", "Opt"],
    ["from-import-class", "torch.optim.SGD", "SGD"],
    ["apex", "apex.optimizers.FusedAdam", "FusedAdam"],
    ["bitsandbytes", "bitsandbytes.optim.AdamW8bit", "bnb.optim.AdamW8bit"],
    ["internal-alias-path", "torch.optim.AdamW", "InternalAdamW"],
    ["class-variable", "torch.optim.AdamW", "optimizer_cls"],
    ["getattr", "torch.optim.Adagrad", 'getattr(torch.optim, "Adagrad")'],
    ["function-local-import", "torch.optim.Adamax", "LocalOpt"],
  ])("%s → %s, named by %s", (caseName, canonical, callee) => {
    const site = fx.site(caseName)!;
    expect(site.canonical).toBe(canonical);
    expect(fx.slice(site.nameSpan)).toBe(callee);
    expect(fx.slice(site.span)!.startsWith(`${callee}(`)).toBe(true);
    expect(fx.slice(site.span)!.endsWith(")")).toBe(true);
    expect(site.adapterData).toEqual({ language: "python" });
  });

  it("finds exactly the optimizer constructions, numbered in order", () => {
    expect(fx.file.facts.optimizers).toHaveLength(11);
    expect(fx.file.facts.optimizers.map((s) => s.id)).toEqual([...Array(11).keys()].map((n) => `<text>#${n}`));
    expect(fx.file.facts.optimizers.some((s) => fx.slice(s.span)!.includes("StepLR"))).toBe(false);
  });
});

describe("names that are not torch's optimizers (fixtures/python/negatives.py)", () => {
  const fx = loadFixture("negatives.py");

  it.each(["local-class", "local-def", "class-in-branches", "getattr-unknown", "rebound-torch", "ambiguous-torch"])("%s is not an optimizer site", (caseName) => {
    expect(fx.site(caseName)).toBeUndefined();
  });

  it("still resolves the module-level import where it is not shadowed", () => {
    expect(fx.site("module-import-still-torch")?.canonical).toBe("torch.optim.SGD");
    expect(fx.file.facts.optimizers).toHaveLength(1);
  });
});

describe("less common forms (fixtures/python/more_forms.py, no_imports.py)", () => {
  const fx = loadFixture("more_forms.py");

  it("resolves a star import from torch.optim", () => {
    expect(fx.site("star-import")?.canonical).toBe("torch.optim.Adam");
  });

  it("keeps an optional import whose fallback is None", () => {
    expect(fx.site("optional-import")?.canonical).toBe("apex.optimizers.FusedLAMB");
  });

  it("treats torch used without an import as torch", () => {
    const snippet = loadFixture("no_imports.py");
    expect(snippet.site("free-torch")?.canonical).toBe("torch.optim.Adam");
  });
});
