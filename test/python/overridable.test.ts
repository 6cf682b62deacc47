import { describe, expect, it } from "vitest";
import { loadFixture, numberOf } from "./fixture.js";

describe("whether a value's origin can be overridden at run time (fixtures/python/overridable.py)", () => {
  const fx = loadFixture("overridable.py");
  const origin = (name: string) => {
    const momentum = fx.arg(name, "momentum")!;
    expect(numberOf(momentum.value)).toBeDefined();
    return momentum.value.origin!;
  };

  it("marks argparse defaults, parameter defaults and config fields read through a parameter as overridable", () => {
    expect(origin("argparse")).toMatchObject({ description: "argparse default of --momentum", overridable: true });
    expect(origin("argparse-converted")).toMatchObject({ description: "argparse default of --momentum", overridable: true });
    expect(origin("init-default")).toMatchObject({ description: "default of parameter momentum of __init__", overridable: true });
    expect(origin("dataclass-parameter")).toMatchObject({ description: "default of Hparams.momentum", overridable: true });
  });

  it("marks constants, locals, dict entries, literals in __init__ and a dataclass built in the file as fixed", () => {
    expect(origin("constant")).toMatchObject({ description: "constant MOMENTUM", overridable: false });
    expect(origin("local")).toMatchObject({ description: "local variable momentum", overridable: false });
    expect(origin("dict")).toMatchObject({ description: "dict entry 'momentum' of config", overridable: false });
    expect(origin("init-literal")).toMatchObject({ description: "value of Trainer.fixed set in __init__", overridable: false });
    expect(origin("dataclass-built")).toMatchObject({ description: "default of Hparams.momentum", overridable: false });
  });
});
