import { describe, expect, it } from "vitest";
import { loadFixture, numberOf } from "./fixture.js";

describe("schedulers that overwrite the optimizer's lr (fixtures/python/lr_schedulers.py)", () => {
  const fx = loadFixture("lr_schedulers.py");

  it("makes the lr unknown on the optimizer a OneCycleLR is built on, keeping where it was written", () => {
    const lr = fx.arg("one-cycle", "lr")!;
    expect(lr.value.value).toEqual({ kind: "unknown" });
    expect(fx.slice(lr.span)).toBe("lr=0.1");
  });

  it("matches CyclicLR's optimizer= keyword to an attribute holding the construction", () => {
    expect(fx.arg("cyclic-attribute", "lr")!.value.value).toEqual({ kind: "unknown" });
    expect(numberOf(fx.arg("cyclic-attribute", "momentum")!.value)).toBe(0.9);
  });

  it("leaves other constructions and scaling-only schedulers alone", () => {
    expect(numberOf(fx.arg("step-schedule", "lr")!.value)).toBe(0.05);
  });

  it("matches a construction written inside the scheduler call", () => {
    expect(fx.arg("inline", "lr")!.value.value).toEqual({ kind: "unknown" });
  });
});

describe("a scheduler whose optimizer is not one known construction (fixtures/python/lr_scheduler_helper.py)", () => {
  const fx = loadFixture("lr_scheduler_helper.py");

  it("makes the lr of every construction in the file unknown", () => {
    expect(fx.arg("first", "lr")!.value.value).toEqual({ kind: "unknown" });
    expect(fx.arg("second", "lr")!.value.value).toEqual({ kind: "unknown" });
  });
});
