import { describe, expect, it } from "vitest";
import { analyzePython } from "../../src/python/analyze.js";

/** The pairs of construction lines no run builds both of. */
function exclusiveLines(text: string): [number, number][] {
  const file = analyzePython(text);
  const line = (id: string) => {
    const site = file.facts.optimizers.find((s) => s.id === id)!;
    return text.slice(0, site.span.start).split("\n").length;
  };
  return (file.facts.exclusive ?? []).map(([a, b]) => [line(a), line(b)]);
}

describe("constructions no run builds together", () => {
  it("reads if/elif/else branches, conditional values and match cases as alternatives", () => {
    const text = [
      "import torch",
      "if flag:",
      "    a = torch.optim.SGD(p, lr=0.1)",
      "elif other:",
      "    a = torch.optim.Adam(p, lr=0.1)",
      "else:",
      "    a = torch.optim.RMSprop(p, lr=0.1)",
      "",
      "def pick(kind):",
      "    b = torch.optim.Adam(p) if kind == 'adam' else torch.optim.SGD(p, lr=0.1)",
      "    match kind:",
      "        case 'x':",
      "            c = torch.optim.Adagrad(p)",
      "        case _:",
      "            c = torch.optim.Adadelta(p)",
      "",
    ].join("\n");
    const pairs = exclusiveLines(text);
    expect(pairs).toEqual(expect.arrayContaining([[3, 5], [3, 7], [5, 7], [10, 10], [13, 15]]));
    // The module-level branches and the function that nothing here calls are in flows nothing joins.
    expect(pairs).toContainEqual([3, 10]);
    // In one function, a conditional's value and a later match case both run.
    expect(pairs).not.toContainEqual([10, 13]);
  });

  it("keeps constructions that one run can reach together", () => {
    const text = [
      "import torch",
      "def build(p):",
      "    enc = torch.optim.SGD(p, lr=0.1)",
      "    if fine_tune:",
      "        head = torch.optim.Adam(p, lr=0.1)",
      "    return enc",
      "",
      "def main():",
      "    build(p)",
      "    other = torch.optim.Adam(p, lr=1e-3)",
      "",
    ].join("\n");
    expect(exclusiveLines(text)).toEqual([]);
  });

  it("reads a branch that returns or raises as exclusive with the statements after its if", () => {
    const text = [
      "import torch",
      "def pick(kind):",
      "    if kind == 'sgd':",
      "        opt = torch.optim.SGD(p, lr=0.1)",
      "        return opt",
      "    elif kind == 'none':",
      "        pass",
      "    if kind == 'adam':",
      "        # the last statement, comments aside, leaves the function",
      "        raise ValueError(torch.optim.Adam(p))",
      "    return torch.optim.RMSprop(p, lr=0.1)",
      "",
      "def both(kind):",
      "    if kind == 'sgd':",
      "        opt = torch.optim.SGD(p, lr=0.1)",
      "    elif kind == 'x':",
      "        return None",
      "    return opt, torch.optim.Adam(p)",
      "",
    ].join("\n");
    const pairs = exclusiveLines(text).filter(([a, b]) => a < 13 === b < 13);
    expect(pairs).toEqual(expect.arrayContaining([[4, 10], [4, 11], [10, 11]]));
    // A branch that falls through (or an elif that returns while the construction's branch does not) joins the rest.
    expect(pairs).not.toContainEqual([15, 18]);
  });
  it("reads separate ifs that test one setting for different constants as alternatives", () => {
    const text = [
      "import torch",
      "if args.opt == 'sgd':",
      "    a = torch.optim.SGD(p, lr=0.1)",
      "if (args.opt == \"adam\"):",
      "    a = torch.optim.Adam(p)",
      "def pick(cfg, n):",
      "    if cfg['opt'] in ('rms', 'RMSprop') or cfg['opt'] == 'rmsprop':",
      "        b = torch.optim.RMSprop(p)",
      "    if 'sgd' == cfg['opt']:",
      "        b = torch.optim.SGD(p, lr=0.1)",
      "    if n == 1:",
      "        c = torch.optim.SGD(p, lr=0.1)",
      "        n = 2",
      "    if n == 2:",
      "        c = torch.optim.Adam(p)",
      "    if cfg['opt'] != 'sgd':",
      "        d = torch.optim.Adam(p)",
      "    else:",
      "        d = torch.optim.Adagrad(p)",
      "    if cfg['opt'] in ('x', 'y'):",
      "        e = torch.optim.Adam(p)",
      "    if cfg['opt'] == 'y':",
      "        e = torch.optim.SGD(p, lr=0.1)",
      "",
    ].join("\n");
    const pairs = exclusiveLines(text);
    expect(pairs).toEqual(expect.arrayContaining([[3, 5], [8, 10]]));
    // A subject assigned between the tests, an unequal test, or overlapping values join the branches.
    expect(pairs).not.toContainEqual([12, 15]);
    expect(pairs).not.toContainEqual([10, 17]);
    expect(pairs).not.toContainEqual([21, 23]);
    expect(pairs).toContainEqual([17, 19]);
  });
});
