import { describe, expect, it } from "vitest";
import { asNumbers } from "../../src/core/facts.js";
import { loadFixture, numberOf } from "./fixture.js";
import { analyzePython } from "../../src/python/analyze.js";

describe("literals, arithmetic and constants (fixtures/python/values.py)", () => {
  const fx = loadFixture("values.py");

  it("resolves module constants with their origin and literal", () => {
    const wd = fx.arg("constants", "weight_decay")!;
    expect(numberOf(wd.value)).toBe(0.01);
    expect(wd.value.origin?.description).toBe("constant WEIGHT_DECAY");
    expect(fx.slice(wd.value.origin?.span)).toBe("WEIGHT_DECAY = 0.01");
    expect(fx.slice(wd.value.literalSpan)).toBe("0.01");
    expect(fx.slice(wd.value.span)).toBe("WEIGHT_DECAY");
    const betas = fx.arg("constants", "betas")!;
    expect(asNumbers(betas.value)).toEqual([0.9, 0.999]);
    expect(fx.slice(betas.value.literalSpan)).toBe("(0.9, 0.999)");
  });

  it("computes arithmetic on known numbers, with no single literal to edit", () => {
    const lr = fx.arg("constants", "lr")!;
    expect(numberOf(lr.value)).toBeCloseTo(2e-3);
    expect(lr.value.literalSpan).toBeUndefined();
    expect(numberOf(fx.arg("arithmetic", "lr")!.value)).toBeCloseTo(1 / 9);
    expect(numberOf(fx.arg("arithmetic", "eps")!.value)).toBeCloseTo(1e-8);
    expect(fx.arg("arithmetic", "amsgrad")!.value.value).toEqual({ kind: "bool", value: true });
    expect(numberOf(fx.arg("unary-minus", "lr")!.value)).toBeCloseTo(0.1);
    expect(numberOf(fx.arg("unary-minus", "momentum")!.value)).toBeCloseTo(0.9);
  });

  it("reads tuple() and list() of a known sequence, keeping the literal a fix would edit", () => {
    const fromConstant = fx.arg("tuple-of-constant", "betas")!;
    expect(asNumbers(fromConstant.value)).toEqual([0.9, 0.999]);
    expect(fromConstant.value.origin?.description).toBe("constant BETAS");
    expect(fx.slice(fromConstant.value.literalSpan)).toBe("(0.9, 0.999)");
    const fromLiteral = fx.arg("list-of-literal", "betas")!;
    expect(asNumbers(fromLiteral.value)).toEqual([0.8, 0.99]);
    expect(fx.slice(fromLiteral.value.literalSpan)).toBe("(0.8, 0.99)");
    expect(fx.arg("tuple-of-unknown", "betas")!.value.value).toEqual({ kind: "unknown" });
  });

  it("trusts a name bound once, from a function that declares it global", () => {
    expect(numberOf(fx.arg("single-global", "lr")!.value)).toBe(0.3);
    expect(numberOf(fx.arg("single-global", "momentum")!.value)).toBe(0.85);
    expect(fx.arg("global-rewritten", "momentum")!.value.value).toEqual({ kind: "unknown" });
  });

  it("follows straight-line reassignment in a function", () => {
    const lr = fx.arg("straight-line", "lr")!;
    expect(numberOf(lr.value)).toBeCloseTo(0.05);
    expect(lr.value.origin?.description).toBe("local variable lr");
    expect(fx.slice(lr.value.origin?.span)).toBe("lr = lr * 5");
  });

  it.each([
    ["two-branches", "lr"],
    ["loop-augmented", "lr"],
    ["parameter", "lr"],
    ["global-rewritten", "momentum"],
  ])("leaves %s unknown", (caseName, argName) => {
    expect(fx.arg(caseName, argName)!.value.value).toEqual({ kind: "unknown" });
  });
});

describe("argparse defaults (fixtures/python/argparse_train.py, hf_style.py, more_forms.py)", () => {
  const fx = loadFixture("argparse_train.py");

  it("reads defaults through a namespace passed as a parameter", () => {
    const lr = fx.arg("namespace-param", "lr")!;
    expect(lr.how).toBe("positional");
    expect(numberOf(lr.value)).toBe(0.1);
    expect(lr.value.origin?.description).toBe("argparse default of --lr");
    expect(fx.slice(lr.value.origin?.span)).toMatch(/^parser\.add_argument\("--lr", "--learning-rate"/);
    expect(fx.slice(lr.value.literalSpan)).toBe("0.1");
    expect(fx.slice(lr.value.span)).toBe("args.lr");
  });

  it("uses dest= and the first long flag for the attribute name", () => {
    const wd = fx.arg("namespace-param", "weight_decay")!;
    expect(numberOf(wd.value)).toBe(1e-4);
    expect(wd.value.origin?.description).toBe("argparse default of --wd");
    expect(fx.slice(wd.value.literalSpan)).toBe("1e-4");
    expect(fx.arg("namespace-param", "nesterov")!.value.value).toEqual({ kind: "bool", value: false });
  });

  it("converts a string default with type=float", () => {
    const eps = fx.arg("required-and-rewritten", "eps")!;
    expect(numberOf(eps.value)).toBe(1e-6);
    expect(fx.slice(eps.value.literalSpan)).toBe('"1e-6"');
  });

  it("leaves required options and rewritten attributes unknown", () => {
    expect(fx.arg("required-and-rewritten", "lr")!.value.value.kind).toBe("unknown");
    const betas = fx.arg("required-and-rewritten", "betas")!.value;
    expect(betas.value.kind === "sequence" && betas.value.items[1].value.kind).toBe("unknown");
  });

  it("reads parse_known_args()[0] and a tuple-unpacked parse_known_args()", () => {
    expect(numberOf(fx.arg("parse-known-args", "lr")!.value)).toBe(0.1);
    const more = loadFixture("more_forms.py");
    expect(numberOf(more.arg("star-import", "lr")!.value)).toBe(2e-3);
    expect(asNumbers(more.arg("star-import", "betas")!.value)).toEqual([0.9, 0.98]);
    expect(more.slice(more.arg("star-import", "betas")!.value.literalSpan)).toBe("[0.9, 0.98]");
  });

  it("follows a parse_args() helper function", () => {
    const hf = loadFixture("hf_style.py");
    const lr = hf.arg("hf-groups", "lr")!;
    expect(numberOf(lr.value)).toBe(5e-5);
    expect(lr.value.origin?.description).toBe("argparse default of --learning_rate");
  });
});

describe("dicts, dataclasses, classes and __init__ defaults (fixtures/python/configs.py)", () => {
  const fx = loadFixture("configs.py");

  it("reads dict entries through subscripts, nested subscripts and .get", () => {
    const lr = fx.arg("dict-subscript", "lr")!;
    expect(numberOf(lr.value)).toBe(6e-4);
    expect(lr.value.origin?.description).toBe("dict entry 'lr' of config");
    expect(fx.slice(lr.value.origin?.span)).toBe('"lr": 6e-4');
    expect(numberOf(fx.arg("dict-subscript", "weight_decay")!.value)).toBe(0.1);
    expect(numberOf(fx.arg("dict-subscript", "eps")!.value)).toBe(1e-6);
  });

  it("uses .get's default only when the dict certainly lacks the key", () => {
    const lr = fx.arg("dict-get-default", "lr")!;
    expect(numberOf(lr.value)).toBe(1e-4);
    expect(fx.slice(lr.value.literalSpan)).toBe("1e-4");
    expect(numberOf(fx.arg("dict-call-subscript", "momentum")!.value)).toBe(0.85);
    expect(fx.arg("dict-call-subscript", "lr")!.value.origin?.description).toBe("dict entry 'lr' of hparams");
  });

  it("reads dataclass defaults through an annotated parameter unless a construction passes the field", () => {
    const betas = fx.arg("dataclass-annotated", "betas")!;
    expect(asNumbers(betas.value)).toEqual([0.9, 0.95]);
    expect(betas.value.origin?.description).toBe("default of TrainConfig.betas");
    expect(fx.slice(betas.value.literalSpan)).toBe("(0.9, 0.95)");
    expect(fx.arg("dataclass-annotated", "lr")!.value.value.kind).toBe("unknown");
    expect(fx.arg("dataclass-annotated", "weight_decay")!.value.value.kind).toBe("unknown");
  });

  it("reads instances: defaults, keyword arguments and inline constructions", () => {
    const lr = fx.arg("dataclass-instance", "lr")!;
    expect(numberOf(lr.value)).toBe(3e-4);
    expect(lr.value.origin?.description).toBe("default of TrainConfig.lr");
    expect(fx.slice(lr.value.origin?.span)).toBe("lr: float = 3e-4");
    const wd = fx.arg("dataclass-instance", "weight_decay")!;
    expect(numberOf(wd.value)).toBe(0.2);
    expect(fx.slice(wd.value.literalSpan)).toBe("0.2");
    expect(numberOf(fx.arg("dataclass-instance", "eps")!.value)).toBe(0.1);
  });

  it("reads class attributes", () => {
    const lr = fx.arg("class-attribute", "lr")!;
    expect(numberOf(lr.value)).toBe(0.02);
    expect(lr.value.origin?.description).toBe("default of Hyper.LR");
  });

  it("reads self.x set from an __init__ parameter default", () => {
    const lr = fx.arg("self-init-default", "lr")!;
    expect(numberOf(lr.value)).toBe(1e-3);
    expect(lr.value.origin?.description).toBe("default of parameter lr of __init__");
    expect(fx.slice(lr.value.origin?.span)).toBe("lr=1e-3");
    expect(fx.slice(lr.value.literalSpan)).toBe("1e-3");
    expect(numberOf(fx.arg("self-init-default", "weight_decay")!.value)).toBe(0);
    expect(asNumbers(fx.arg("self-init-default", "betas")!.value)).toEqual([0.9, 0.98]);
    expect(fx.site("self-init-default")!.params).toMatchObject({ kind: "whole-model", model: "self.model" });
  });

  it("leaves self.x unknown when a construction or a subclass may pass that parameter", () => {
    expect(fx.arg("self-init-default", "eps")!.value.value.kind).toBe("unknown");
    expect(fx.arg("self-subclassed", "momentum")!.value.value.kind).toBe("unknown");
    expect(numberOf(fx.arg("self-subclassed", "lr")!.value)).toBe(0.1);
  });
});

describe("Lightning hyperparameters (fixtures/python/lightning.py)", () => {
  const fx = loadFixture("lightning.py");

  it("reads self.hparams.<name> as the __init__ parameter saved by save_hyperparameters()", () => {
    const lr = fx.arg("hparams", "lr")!;
    expect(numberOf(lr.value)).toBe(2e-4);
    expect(lr.value.origin?.description).toBe("default of parameter learning_rate of __init__");
    expect(fx.slice(lr.value.origin?.span)).toBe("learning_rate=2e-4");
    expect(fx.site("hparams")!.params).toMatchObject({ kind: "whole-model", model: "self" });
  });

  it("leaves a hyperparameter unknown when a construction passes it", () => {
    expect(fx.arg("hparams", "weight_decay")!.value.value.kind).toBe("unknown");
  });
});

describe("argparse options added by a helper (fixtures/python/argparse_train.py)", () => {
  it("registers add_argument calls made on a parser passed as a parameter", () => {
    const fx = loadFixture("argparse_train.py");
    const eps = fx.arg("helper-added-option", "eps")!;
    expect(numberOf(eps.value)).toBe(1e-7);
    expect(eps.value.origin?.description).toBe("argparse default of --opt-eps");
  });
});

describe("a dataclass filled by tyro.cli (fixtures/python/tyro_args.py)", () => {
  const fx = loadFixture("tyro_args.py");

  it("reads the field defaults, with where they are written", () => {
    const lr = fx.arg("tyro-defaults", "lr")!;
    expect(numberOf(lr.value)).toBe(2.5e-4);
    expect(lr.value.origin?.description).toBe("default of Args.learning_rate");
    expect(numberOf(fx.arg("tyro-defaults", "eps")!.value)).toBe(1e-5);
  });
});

describe("argparse options inherited through parents=[...]", () => {
  const lrOf = (text: string) => analyzePython(text).facts.optimizers[0].args.get("lr")!.value;
  const script = (child: string) =>
    `import argparse\nimport torch\n\ndef shared_options():\n    p = argparse.ArgumentParser("shared", add_help=False)\n    p.add_argument("--lr", default=3e-4, type=float)\n    return p\n\n${child}\nargs = parser.parse_args()\nopt = torch.optim.AdamW(model.parameters(), lr=args.lr)\n`;

  it("reads the default a parent parser defines", () => {
    const lr = lrOf(script(`parser = argparse.ArgumentParser("train", parents=[shared_options()])`));
    expect(numberOf(lr)).toBe(3e-4);
    expect(lr.origin?.description).toBe("argparse default of --lr");
  });

  it("leaves it unknown when the parents cannot be read, define it twice, or a set_defaults may change it", () => {
    for (const child of [
      `parser = argparse.ArgumentParser("train", parents=[helpers.options()])`,
      `parser = argparse.ArgumentParser("train", parents=[shared_options()])\nparser.add_argument("--lr", default=1e-3, type=float)`,
      `parser = argparse.ArgumentParser("train", parents=[shared_options(), shared_options()])`,
      `parser = argparse.ArgumentParser("train", parents=[shared_options()])\nparser.set_defaults(lr=0.1)`,
      `parser = argparse.ArgumentParser("train", parents=extra)`,
    ]) {
      expect(lrOf(script(child)).value.kind, child).toBe("unknown");
    }
  });
});
