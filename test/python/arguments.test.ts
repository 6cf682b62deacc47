import { describe, expect, it } from "vitest";
import { asNumbers } from "../../src/core/facts.js";
import { loadFixture, numberOf } from "./fixture.js";

describe("arguments matched to the signature (fixtures/python/arguments.py)", () => {
  const fx = loadFixture("arguments.py");

  it("maps SGD's second positional argument to lr", () => {
    const lr = fx.arg("positional-lr", "lr")!;
    expect(lr.how).toBe("positional");
    expect(numberOf(lr.value)).toBe(0.1);
    expect(fx.slice(lr.span)).toBe("0.1");
    expect(fx.slice(lr.value.literalSpan)).toBe("0.1");
    const momentum = fx.arg("positional-lr", "momentum")!;
    expect(momentum.how).toBe("keyword");
    expect(fx.slice(momentum.span)).toBe("momentum=0.9");
    expect(fx.slice(momentum.value.span)).toBe("0.9");
  });

  it("maps Adam's positionals to lr, betas, eps and weight_decay", () => {
    const site = fx.site("four-positionals")!;
    expect([...site.args.keys()]).toEqual(["lr", "betas", "eps", "weight_decay"]);
    expect(asNumbers(site.args.get("betas")!.value)).toEqual([0.9, 0.999]);
    expect(fx.slice(site.args.get("betas")!.value.literalSpan)).toBe("(0.9, 0.999)");
    expect(numberOf(site.args.get("weight_decay")!.value)).toBe(0.01);
    expect(site.args.get("weight_decay")!.how).toBe("positional");
  });

  it("reads a dict literal spread with ** as unpacked arguments", () => {
    const site = fx.site("kwargs-literal")!;
    expect(site.hasUnresolvedSpread).toBe(false);
    const wd = site.args.get("weight_decay")!;
    expect(wd.how).toBe("unpacked");
    expect(fx.slice(wd.span)).toBe("**opt_kwargs");
    expect(numberOf(wd.value)).toBe(0.05);
    expect(wd.value.origin?.description).toBe("dict entry 'weight_decay' of opt_kwargs");
    expect(fx.slice(wd.value.origin?.span)).toBe('"weight_decay": 0.05');
    expect(fx.slice(wd.value.literalSpan)).toBe("0.05");
    expect(asNumbers(site.args.get("betas")!.value)).toEqual([0.9, 0.95]);
  });

  it("reads a dict(...) call spread with ** and params given by keyword", () => {
    const site = fx.site("kwargs-dict-call")!;
    expect(site.params.kind).toBe("whole-model");
    expect(site.args.has("params")).toBe(false);
    expect(site.args.get("nesterov")!.value.value).toEqual({ kind: "bool", value: true });
    expect(fx.slice(site.args.get("nesterov")!.value.literalSpan)).toBe("True");
    expect(site.args.get("lr")!.value.origin?.description).toBe("dict entry 'lr' of sgd_kwargs");
    expect(fx.slice(site.args.get("lr")!.value.origin?.span)).toBe("lr=0.05");
  });

  it("reads an inline dict literal", () => {
    const lr = fx.arg("kwargs-inline", "lr")!;
    expect(numberOf(lr.value)).toBe(0.2);
    expect(lr.value.origin?.description).toBe("dict entry 'lr'");
  });

  it.each(["unknown-kwargs", "star-args", "kwargs-mutated", "kwargs-conditional"])("marks %s as an unresolved spread", (caseName) => {
    expect(fx.site(caseName)!.hasUnresolvedSpread).toBe(true);
  });

  it("keeps explicit arguments next to an unknown spread, and resolves nothing from a mutated dict", () => {
    expect(numberOf(fx.arg("unknown-kwargs", "lr")!.value)).toBe(1e-3);
    expect(fx.site("kwargs-mutated")!.args.has("lr")).toBe(false);
    expect(fx.site("star-args")!.params.kind).toBe("other");
  });
});
