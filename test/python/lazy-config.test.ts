import { describe, expect, it } from "vitest";
import { loadFixture, numberOf } from "./fixture.js";

describe("LazyCall constructions (fixtures/python/lazy_config.py)", () => {
  const fx = loadFixture("lazy_config.py");

  it("records the wrapped optimizer with its keyword arguments", () => {
    const site = fx.site("lazy-sgd")!;
    expect(site.canonical).toBe("torch.optim.SGD");
    expect(numberOf(fx.arg("lazy-sgd", "momentum")?.value)).toBe(0.9);
    expect(numberOf(fx.arg("lazy-sgd", "lr")?.value)).toBe(0.02);
    expect(site.params.kind).toBe("other");
    expect(site.hasUnresolvedSpread).toBe(false);
  });

  it("forgets values a later line may have changed", () => {
    const site = fx.site("lazy-edited")!;
    expect(site.canonical).toBe("torch.optim.AdamW");
    expect(fx.arg("lazy-edited", "lr")!.value.value.kind).toBe("unknown");
    expect(numberOf(fx.arg("lazy-edited", "weight_decay")?.value)).toBe(0.1);
    expect(site.hasUnresolvedSpread).toBe(true);
  });

  it("records no other construction", () => {
    expect(fx.file.facts.optimizers.map((s) => s.canonical)).toEqual(["torch.optim.SGD", "torch.optim.AdamW"]);
  });
});
