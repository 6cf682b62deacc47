/**
 * References read from names and imports alone (values.ts `NameRef`) are kept per index and shared by its resolvers
 * that look into no project module: a resolver answered from them must end as one that resolved them itself, with
 * the same paths and the same import hits (which tell the project pass to look into a project module).
 */
import { describe, expect, it } from "vitest";
import { indexPython } from "../../src/python/analyze.js";
import { fieldChild, type PyNode } from "../../src/python/parser.js";
import { nameRefReuse, Resolver } from "../../src/python/values.js";

const TEXT = [
  "import torch",
  "import torch.nn as nn",
  "from torch.optim import *",
  "import optim_helpers as helpers",
  "from project.settings import make_optimizer",
  "",
  "model = nn.Sequential(nn.Linear(4, 4), (nn.ReLU)())",
  "first = helpers.factories.make(model.parameters())",
  "second = make_optimizer(model.parameters())",
  "third = (torch.optim).SGD(model.parameters(), lr=0.1)",
  "fourth = Adam(model.parameters())",
  "fifth = len(range(3))",
  "",
].join("\n");

/** Each call's callee, resolved by a resolver: its path (or null) and the resolver's import hits after all of them. */
function resolveCallees(resolver: Resolver, callees: PyNode[]): { paths: (string | null)[]; hits: string[] } {
  const paths = callees.map((callee) => {
    const ref = resolver.ref(callee);
    return ref?.kind === "path" ? ref.path : null;
  });
  return { paths, hits: [...resolver.importHits].sort() };
}

describe("references read from names and imports, shared by the resolvers of an index", () => {
  const { index, text } = indexPython(TEXT);
  // Every callee but `model.parameters`, which reads an assignment (and through it `nn.Sequential`).
  const callees = index.calls.map((call) => fieldChild(call, "function")!).filter((callee) => !text.slice(callee.start, callee.end).startsWith("model."));

  it("answers a second resolver with the first one's paths and import hits", () => {
    const first = resolveCallees(new Resolver(index, text, "/p/train.py"), callees);
    expect(first.paths).toContain("torch.nn.Linear");
    expect(first.paths).toContain("torch.optim.SGD");
    expect(first.paths).toContain("torch.optim.Adam");
    expect(first.paths).toContain("optim_helpers.factories.make");
    expect(first.paths).toContain("builtins.len");
    expect(first.hits).toEqual(["optim_helpers", "optim_helpers.factories", "optim_helpers.factories.make", "project.settings.make_optimizer"]);
    const served = nameRefReuse.served;
    // Resolved in another order: each is answered whole, hits of its parts included.
    const second = new Resolver(index, text, "/p/train.py");
    const again = resolveCallees(second, [...callees].reverse());
    expect(nameRefReuse.served - served).toBe(callees.length);
    expect(again.paths).toEqual([...first.paths].reverse());
    expect(again.hits).toEqual(first.hits);
    // One callee alone: only its own hits.
    const third = new Resolver(index, text, "/p/train.py");
    const make = callees.find((callee) => text.slice(callee.start, callee.end) === "helpers.factories.make")!;
    expect(resolveCallees(third, [make]).hits).toEqual(["optim_helpers", "optim_helpers.factories", "optim_helpers.factories.make"]);
  });

  it("does not answer a resolver that looks into project modules, where an import may name a module's value", () => {
    const served = nameRefReuse.served;
    const linked = new Resolver(index, text, "/p/train.py", { modules: { member: () => undefined } });
    const { paths, hits } = resolveCallees(linked, callees);
    expect(nameRefReuse.served).toBe(served);
    expect(paths).toContain("optim_helpers.factories.make");
    // Such a resolver records no hits: it looks into the modules itself.
    expect(hits).toEqual([]);
  });
});
