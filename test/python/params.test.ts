import { describe, expect, it } from "vitest";
import { loadFixture, numberOf } from "./fixture.js";

describe("the params fact (fixtures/python/params.py, hf_style.py)", () => {
  const fx = loadFixture("params.py");

  it("recognizes whole-model parameters and names the model", () => {
    expect(fx.site("whole-model")!.params).toMatchObject({ kind: "whole-model", model: "model" });
    const wrapped = fx.site("whole-model-module")!.params;
    expect(wrapped).toMatchObject({ kind: "whole-model", model: "ddp_model.module" });
    expect(wrapped.kind === "whole-model" && fx.slice(wrapped.span)).toBe("ddp_model.module.parameters()");
  });

  it("recognizes a literal list of groups with a weight_decay=0 group", () => {
    const params = fx.site("groups-literal")!.params;
    expect(params).toMatchObject({ kind: "groups", hasNoDecayGroup: true });
    expect(params.kind === "groups" && fx.slice(params.span)!.startsWith('[{"params": decay')).toBe(true);
  });

  it("recognizes groups held in a variable, without a no-decay group", () => {
    const params = fx.site("groups-variable")!.params;
    expect(params).toMatchObject({ kind: "groups", hasNoDecayGroup: false });
    expect(params.kind === "groups" && fx.slice(params.span)).toBe("param_groups");
  });

  it("recognizes groups appended one by one", () => {
    expect(fx.site("groups-appended")!.params).toMatchObject({ kind: "groups", hasNoDecayGroup: true });
  });

  it("counts groups selected by shape as having a no-decay group", () => {
    expect(fx.site("groups-by-shape")!.params).toMatchObject({ kind: "groups", hasNoDecayGroup: true });
  });

  it("reads a requires_grad filter of model.parameters() as the model's trainable parameters, helper results as other, and absent params as missing", () => {
    const filter = fx.site("filter")!.params;
    expect(filter).toMatchObject({ kind: "whole-model", model: "model", trainable: expect.anything() });
    // The span of the call the filter reads, which the split-decay-groups fix rewrites around.
    expect(filter.kind === "whole-model" && filter.trainable && fx.slice(filter.trainable)).toBe("model.parameters()");
    expect(fx.site("helper")!.params.kind).toBe("other");
    expect(fx.site("missing")!.params).toEqual({ kind: "missing" });
  });

  it("marks tensors listed by hand, alone or joined with more, but not an unpacked parameter generator", () => {
    expect(fx.site("tensors-listed")!.params).toMatchObject({ kind: "other", tensors: true });
    expect(fx.site("tensors-joined")!.params).toMatchObject({ kind: "other", tensors: true });
    expect(fx.site("tensors-not")!.params).toEqual({ kind: "other", span: expect.anything() });
  });

  it("sees Hugging Face's named no_decay groups", () => {
    const hf = loadFixture("hf_style.py");
    const params = hf.site("hf-groups")!.params;
    expect(params).toMatchObject({ kind: "groups", hasNoDecayGroup: true });
    expect(params.kind === "groups" && hf.slice(params.span)).toBe("optimizer_grouped_parameters");
  });
});

describe("keys of parameter groups (fixtures/python/param_group_keys.py)", () => {
  const fx = loadFixture("param_group_keys.py");
  const groups = (name: string) => {
    const params = fx.site(name)!.params;
    if (params.kind !== "groups") throw new Error(`${name} has ${params.kind} params`);
    return params;
  };

  it("lists the keys every known group writes, with their values", () => {
    const every = groups("every");
    expect(every.keys).toEqual(["lr"]);
    expect(every.complete).toBe(true);
    expect(every.groups.map((g) => numberOf(g.values.get("lr")))).toEqual([1e-5, 1e-3]);
    expect(every.groups[1].values.get("lr")!.origin?.description).toBe("constant LR_HEAD");
  });

  it("keeps the groups apart, so a group without lr is visible", () => {
    const some = groups("some");
    expect(some.keys).toEqual(["lr", "weight_decay"]);
    expect(some.groups.map((g) => [...g.values.keys()])).toEqual([["lr"], ["weight_decay"]]);
    expect(some.complete).toBe(true);
  });

  it("is not complete when a group unpacks another dict, a list item is not a dict, or groups come from a comprehension", () => {
    expect(groups("open")).toMatchObject({ complete: false, keys: ["lr"] });
    expect(groups("open").groups[0].open).toBe(true);
    expect(groups("mixed")).toMatchObject({ complete: false, keys: ["lr"] });
    expect(groups("comprehension")).toMatchObject({ complete: false, keys: ["lr"] });
  });
});
