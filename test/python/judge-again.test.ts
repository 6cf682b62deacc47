/**
 * Which files the call-site joiner judges again: a file with optimizer constructions is settled at analysis when each
 * construction, resolved alone, reads neither its function's parameters nor a project module; the joiner then leaves
 * it as it is (and need not index it again once its index was freed).
 */
import { describe, expect, it } from "vitest";
import { analyzePython, hasConstructions, mayJudgeAgain } from "../../src/python/analyze.js";

describe("files the call-site joiner judges again", () => {
  it("settles a file whose constructions read only values of the file", () => {
    const file = analyzePython(["import torch", "LR = 0.1", "optimizer = torch.optim.Adam(model.parameters(), lr=LR)", ""].join("\n"), "/p/train.py");
    expect(hasConstructions(file)).toBe(true);
    expect(mayJudgeAgain(file)).toBe(false);
  });

  it("judges again a construction that reads its function's parameters", () => {
    const file = analyzePython(["import torch", "def build(model, lr):", "    return torch.optim.Adam(model.parameters(), lr=lr)", ""].join("\n"), "/p/train.py");
    expect(mayJudgeAgain(file)).toBe(true);
  });

  it("judges again a construction that reads a value of a project module", () => {
    const file = analyzePython(["import torch", "from .settings import LR", "optimizer = torch.optim.SGD(model.parameters(), lr=LR)", ""].join("\n"), "/p/pkg/train.py");
    expect(mayJudgeAgain(file)).toBe(true);
  });

  it("judges again a file when one of its constructions needs it, however many do not", () => {
    const file = analyzePython(
      ["import torch", "a = torch.optim.SGD(model.parameters(), lr=0.1)", "def build(model, lr):", "    return torch.optim.Adam(model.parameters(), lr=lr)", ""].join("\n"),
      "/p/train.py",
    );
    expect(mayJudgeAgain(file)).toBe(true);
  });

  it("has nothing to judge in a file without constructions of its own", () => {
    const file = analyzePython(["import torch", "x = torch.zeros(3)", ""].join("\n"), "/p/util.py");
    expect(hasConstructions(file)).toBe(false);
    expect(mayJudgeAgain(file)).toBe(false);
  });
});
