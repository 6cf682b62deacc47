/**
 * Whether a file rewrites an argparse namespace wholesale (`vars(ns).update(...)`) is kept per file index, and the
 * answer depends on whether the resolver that asks reads the project's modules: an imported name is a namespace only
 * when the module that binds it is read. Two resolvers of one file, one with modules and one without, each get their
 * own answer, whichever asks first.
 */
import { describe, expect, it } from "vitest";
import { indexPython } from "../../src/python/analyze.js";
import { fieldChild, namedChildren, type PyNode } from "../../src/python/parser.js";
import { Resolver, type ModuleLinks } from "../../src/python/values.js";

const OPTS = [
  "import argparse",
  "import torch",
  "from shared import ns",
  "parser = argparse.ArgumentParser()",
  'parser.add_argument("--momentum", type=float, default=0.9)',
  "args = parser.parse_args()",
  "vars(ns).update(momentum=0.0)",
  "torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=1e-3, momentum=args.momentum)",
  "",
].join("\n");
const SHARED = ["import argparse", "p = argparse.ArgumentParser()", "ns = p.parse_args()", ""].join("\n");

/** Fresh indexes of both files, a resolver of opts.py without modules and one whose links reach shared.py. */
function resolvers() {
  const opts = indexPython(OPTS);
  const shared = indexPython(SHARED);
  const sharedResolver = new Resolver(shared.index, shared.text, "/p/shared.py");
  const links: ModuleLinks = { member: (_from, importPath) => (importPath === "shared.ns" ? { resolver: sharedResolver, name: "ns" } : importPath === "shared" ? { resolver: sharedResolver } : undefined) };
  const call = opts.index.calls.find((c) => opts.text.slice(c.start, c.end).startsWith("torch.optim.SGD"))!;
  const momentum = namedChildren(fieldChild(call, "arguments")!).find((a) => a.type === "keyword_argument" && opts.text.slice(a.start, a.end).startsWith("momentum"))!;
  const node = fieldChild(momentum, "value") as PyNode;
  return {
    alone: () => new Resolver(opts.index, opts.text, "/p/opts.py").value(node).value,
    linked: () => new Resolver(opts.index, opts.text, "/p/opts.py", { modules: links }).value(node).value,
  };
}

describe("a namespace rewritten through an imported name", () => {
  it("is not one to a resolver without modules, and is one to a resolver that reads them, whichever asks first", () => {
    const first = resolvers();
    expect(first.alone()).toEqual({ kind: "number", value: 0.9 });
    expect(first.linked()).toEqual({ kind: "unknown" });
    const second = resolvers();
    expect(second.linked()).toEqual({ kind: "unknown" });
    expect(second.alone()).toEqual({ kind: "number", value: 0.9 });
  });
});
