import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { asNumber } from "../../src/core/facts.js";
import type { FixRequest, TextEdit } from "../../src/core/types.js";
import { pythonEdits } from "../../src/python/edits.js";
import { renderLiteral } from "../../src/python/edits/render.js";
import {
  analyzedFile, applyEdits, askTorch, type TorchQuestion, editCase, findCall, fixtureRequest, literalNamed, parse, pyCompileError, pythonNameReport,
  readFixture, resolvedLiteral, siteForCall,
} from "./edit-helpers.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/python-edits");
const UPDATE = process.env.UPDATE_EDIT_FIXTURES === "1";
const scratch = mkdtempSync(join(tmpdir(), "optim-lint-edits-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const cases = readdirSync(FIXTURES).filter((name) => name.endsWith(".py") && !name.endsWith(".expected.py")).sort();

/** The edits for a request, failing the test with the reason when there are none. */
function editsOrFail(file: Parameters<typeof pythonEdits>[0], request: FixRequest): TextEdit[] {
  const edits = pythonEdits(file, request);
  if (typeof edits === "string") throw new Error(`expected edits, got reason: ${edits}`);
  return edits;
}

/** Checks that apply to every edited file: it parses for tree-sitter and CPython, and has no new undefined or unused names. */
function expectSoundPython(name: string, before: string, after: string): void {
  expect(parse(after).hasError).toBe(false);
  const path = join(scratch, name);
  writeFileSync(path, after);
  expect(pyCompileError(path)).toBeUndefined();
  const names = pythonNameReport(before, after);
  expect(names.after.undefined.filter((n) => !names.before.undefined.includes(n))).toEqual([]);
  expect(names.after.unused.filter((n) => !names.before.unused.includes(n))).toEqual([]);
}

/** Recomputes the fix on the edited text and checks there is nothing left to change for the same finding. */
function expectSettled(after: string, spec: ReturnType<typeof editCase>): void {
  const kind = spec.request.kind;
  const root = parse(after);
  if (kind === "rename-optimizer") {
    const to = spec.request.to as string;
    const file = analyzedFile(after, spec.calleeAfter!, to, 1, spec.occurrence ?? 0);
    expect(pythonEdits(file, { kind, site: "<text>#1", to })).toEqual([]);
  } else if (kind === "set-argument") {
    const { file, request } = fixtureRequest(after, spec);
    expect(pythonEdits(file, request)).toEqual([]);
  } else if (kind === "swap-sequence-items") {
    const original = literalNamed(parse(readFixture(join(FIXTURES, spec.fixture!))), spec.literal!).literalSpan!;
    const literal = root.descendantsOfType(["tuple", "list", "expression_list"]).find((n) => n.startIndex === original.start);
    const [beta1, beta2] = literal!.namedChildren.map((item) => asNumber(resolvedLiteral(item)));
    expect(beta1).toBeLessThan(beta2!);
  } else if (kind === "split-decay-groups") {
    const site = siteForCall(root, findCall(root, spec.callee, spec.occurrence ?? 0), 1, spec.canonical);
    expect(site.params).toMatchObject({ kind: "groups", hasNoDecayGroup: true });
    expect(pythonEdits(analyzedFile(after, spec.callee, spec.canonical), { kind, site: "<text>#1" })).toMatch(/not given a whole model/);
  } else if (kind === "scale-by-world-size") {
    const site = siteForCall(root, findCall(root, spec.callee, spec.occurrence ?? 0), 1, spec.canonical);
    expect(after.slice(site.args.get("lr")!.span.start, site.args.get("lr")!.span.end)).toMatch(/world_size/);
  }
}

describe("python edits: fixture pairs", () => {
  for (const name of cases) {
    it(name, () => {
      const before = readFixture(join(FIXTURES, name));
      const spec = { ...editCase(before), fixture: name };
      const { file, request } = fixtureRequest(before, spec);
      const after = applyEdits(before, editsOrFail(file, request));
      const expectedPath = join(FIXTURES, name.replace(/\.py$/, ".expected.py"));
      if (UPDATE) writeFileSync(expectedPath, after);
      expect(after).toBe(readFixture(expectedPath));
      expect(after).not.toBe(before);
      expectSoundPython(name, before, after);
      expectSettled(after, spec);
    });
  }

  it("keeps CRLF fixtures in CRLF", () => {
    for (const name of cases.filter((n) => n.startsWith("crlf-"))) {
      const expected = readFixture(join(FIXTURES, name.replace(/\.py$/, ".expected.py")));
      expect(expected.replace(/\r\n/g, "")).not.toMatch(/\n/);
    }
  });

  it("gives the same edits when an LF fixture is converted to CRLF", () => {
    for (const name of cases.filter((n) => !n.startsWith("crlf-"))) {
      const before = readFixture(join(FIXTURES, name)).replace(/\n/g, "\r\n");
      const { file, request } = fixtureRequest(before, editCase(before));
      const expected = readFixture(join(FIXTURES, name.replace(/\.py$/, ".expected.py"))).replace(/\n/g, "\r\n");
      expect(applyEdits(before, editsOrFail(file, request)), name).toBe(expected);
    }
  });
});

describe("python edits: checked against PyTorch", () => {
  it("renamed callees name the target class and split groups build a valid optimizer", () => {
    const questions: TorchQuestion[] = [];
    for (const name of cases) {
      const before = readFixture(join(FIXTURES, name));
      const spec = editCase(before);
      const after = readFixture(join(FIXTURES, name.replace(/\.py$/, ".expected.py")));
      if (spec.request.kind === "rename-optimizer") {
        questions.push({ kind: "class", source: after, callee: spec.calleeAfter!, target: spec.request.to as string });
      }
    }
    const split = fixed("import torch\nopt = torch.optim.AdamW(model.parameters(), weight_decay=0.1)\n", "torch.optim.AdamW", "torch.optim.AdamW", { kind: "split-decay-groups" });
    questions.push({ kind: "groups", source: split, params: /AdamW\((\[.*\]), weight_decay/.exec(split)![1] });
    const answers = askTorch(questions);
    expect(answers.slice(0, -1)).toEqual(questions.slice(0, -1).map(() => "torch.optim.adamw.AdamW"));
    expect(answers.at(-1)).toEqual([
      [[10, 4], [4, 4], 0.1],
      [[4], [4], [4], 0.0],
    ]);
  });
});

/** The edits or reason for a request on an inline snippet. */
function run(text: string, callee: string, canonical: string, request: Record<string, unknown>): TextEdit[] | string {
  const file = analyzedFile(text, callee, canonical);
  return pythonEdits(file, { ...request, site: "<text>#1" } as FixRequest);
}

/** The snippet after the request's edits. */
function fixed(text: string, callee: string, canonical: string, request: Record<string, unknown>): string {
  const edits = run(text, callee, canonical, request);
  if (typeof edits === "string") throw new Error(`expected edits, got reason: ${edits}`);
  return applyEdits(text, edits);
}

const TO_ADAMW = { kind: "rename-optimizer", to: "torch.optim.AdamW" };

describe("python edits: rename-optimizer", () => {
  it("explains a class reached through getattr", () => {
    const text = 'import torch\nopt = getattr(torch.optim, "Adam")(model.parameters())\n';
    expect(run(text, 'getattr(torch.optim, "Adam")', "torch.optim.Adam", TO_ADAMW)).toMatch(/cannot be rewritten/);
  });

  it("explains a variable holding the class", () => {
    const text = "import torch\nopt_cls = torch.optim.Adam\nopt = opt_cls(model.parameters())\n";
    expect(run(text, "opt_cls", "torch.optim.Adam", TO_ADAMW)).toMatch(/opt_cls/);
  });

  it("explains a submodule path whose root is not the torch package", () => {
    const text = "from torch.optim import adam\nopt = adam.Adam(model.parameters())\n";
    expect(run(text, "adam.Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/torch\.optim\.adam/);
  });

  it("refuses to introduce a name the file already uses for something else", () => {
    const text = "from torch.optim import Adam\nAdamW = None\na = Adam(m.parameters())\nb = Adam(n.parameters())\n";
    expect(run(text, "Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/AdamW/);
  });

  it("refuses a bare name that is also assigned in the file", () => {
    const text = "from torch.optim import Adam\nif legacy:\n    Adam = OldAdam\nopt = Adam(model.parameters())\n";
    expect(run(text, "Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/single/);
  });

  it("is not stopped by a parameter, a class attribute, a dataclass field or another function's local of the same name", () => {
    const text = [
      "import torch", "from torch import optim", "from dataclasses import dataclass", "", "",
      "def step(optim):", "    optim.step()", "", "",
      "@dataclass", "class Config:", "    optim: str = \"adam\"", "    torch = None", "", "",
      "def reset():", "    torch = None", "    return torch", "", "",
      "opt = optim.Adam(model.parameters())", "other = torch.optim.Adam(model.parameters())", "",
    ].join("\n");
    expect(fixed(text, "optim.Adam", "torch.optim.Adam", TO_ADAMW)).toContain("opt = optim.AdamW(model.parameters())");
    expect(fixed(text, "torch.optim.Adam", "torch.optim.Adam", TO_ADAMW)).toContain("other = torch.optim.AdamW(model.parameters())");
  });

  it("keeps an import that __all__ still exports", () => {
    const text = 'from torch.optim import Adam\n\n__all__ = ["Adam", "build"]\n\n\ndef build(m):\n    return Adam(m.parameters())\n';
    const out = fixed(text, "Adam", "torch.optim.Adam", TO_ADAMW);
    expect(out).toMatch(/^from torch\.optim import Adam, AdamW\n/);
    expect(out).toContain("return AdamW(m.parameters())");
    const appended = 'from torch.optim import Adam\n__all__ = []\n__all__.append("Adam")\nopt = Adam(m.parameters())\n';
    expect(fixed(appended, "Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/import Adam, AdamW/);
    const unexported = 'from torch.optim import Adam\n__all__ = ["build"]\nopt = Adam(m.parameters())\n';
    expect(fixed(unexported, "Adam", "torch.optim.Adam", TO_ADAMW)).toBe('from torch.optim import AdamW\n__all__ = ["build"]\nopt = AdamW(m.parameters())\n');
    const joined = 'from torch.optim import Adam\n__all__ = ["build"] + ("x",)  # public\n__all__ += [\n    "y",  # more\n]\nopt = Adam(m.parameters())\n';
    expect(fixed(joined, "Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/^from torch\.optim import AdamW\n/);
  });

  it("keeps the import when what __all__ lists is not written out as strings", () => {
    const unknown = [
      'from torch.optim import Adam\nfrom .names import NAMES\n__all__ = NAMES\nopt = Adam(m.parameters())\n',
      'from torch.optim import Adam\n__all__ = [n for n in dir() if not n.startswith("_")]\nopt = Adam(m.parameters())\n',
      'from torch.optim import Adam\n__all__ = ["build"]\n__all__.extend(other.__all__)\nopt = Adam(m.parameters())\n',
      'from torch.optim import Adam\n__all__ = ["build"]\n__all__.insert(0, NAME)\nopt = Adam(m.parameters())\n',
      'from torch.optim import Adam\n__all__ = ["build"]\n__all__ += PUBLIC\nopt = Adam(m.parameters())\n',
    ];
    for (const text of unknown) expect(fixed(text, "Adam", "torch.optim.Adam", TO_ADAMW), text).toMatch(/^from torch\.optim import Adam, AdamW\n/);
  });

  it("still refuses a name rebound where the call looks it up", () => {
    const global = "from torch import optim\n\n\ndef swap():\n    global optim\n    optim = None\n\n\nopt = optim.Adam(model.parameters())\n";
    expect(run(global, "optim.Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/not bound by a single import/);
    const local = "from torch import optim\n\n\ndef train(optim):\n    return optim.Adam(model.parameters())\n";
    expect(run(local, "optim.Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/not bound by a single import/);
    const bare = "from torch.optim import Adam\n\n\ndef build(Adam):\n    return Adam(model.parameters())\n";
    expect(run(bare, "Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/single/);
  });

  it("finds a module-level rebinding among many attribute uses of the name (those are passed over unread)", () => {
    const uses = "x = torch.zeros(1)\ny = torch .ones(1)\nz = (torch\n     .ones(2))\n";
    const rebound = `import torch\n${uses}torch, w = None, 1\nopt = torch.optim.Adam(model.parameters())\n`;
    expect(run(rebound, "torch.optim.Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/not bound by a single import/);
    const looped = `import torch\n${uses}for torch in range(2):\n    pass\nopt = torch.optim.Adam(model.parameters())\n`;
    expect(run(looped, "torch.optim.Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/not bound by a single import/);
    const clean = `import torch\n${uses}opt = torch.optim.Adam(model.parameters())\n`;
    expect(fixed(clean, "torch.optim.Adam", "torch.optim.Adam", TO_ADAMW)).toContain("opt = torch.optim.AdamW(model.parameters())");
  });

  it("does nothing when the call already constructs the target", () => {
    expect(run("import torch\no = torch.optim.AdamW(p)\n", "torch.optim.AdamW", "torch.optim.AdamW", TO_ADAMW)).toEqual([]);
  });

  it("does not take a target import from another function's scope", () => {
    const text = [
      "from torch.optim import Adam", "", "", "def probe():", "    from torch.optim import AdamW", "    return AdamW", "", "",
      "opt = Adam(model.parameters())", "",
    ].join("\n");
    expect(run(text, "Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/AdamW/);
  });

  it("replaces an import that is alone in its block with pass", () => {
    const text = "import torch\nfrom torch.optim import AdamW\nif torch.cuda.is_available():\n    from torch.optim import Adam\nopt = Adam(model.parameters())\n";
    expect(fixed(text, "Adam", "torch.optim.Adam", TO_ADAMW)).toBe(
      "import torch\nfrom torch.optim import AdamW\nif torch.cuda.is_available():\n    pass\nopt = AdamW(model.parameters())\n",
    );
  });

  it("adds a separate import when the aliased old entry shares its statement and the module lacks the target", () => {
    const text = "from torch.optim.adam import Adam as Opt, adam\nopt = Opt(model.parameters())\nf = adam\n";
    expect(fixed(text, "Opt", "torch.optim.Adam", TO_ADAMW)).toBe(
      "from torch.optim.adam import adam\nfrom torch.optim import AdamW as Opt\nopt = Opt(model.parameters())\nf = adam\n",
    );
  });
});

describe("python edits: rename-optimizer arguments", () => {
  it("refuses when the target does not accept an argument the call passes", () => {
    const text = "import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, decoupled_weight_decay=False)\n";
    expect(run(text, "torch.optim.Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/decoupled_weight_decay/);
  });

  it("refuses when unreadable **kwargs might pass an argument the target lacks", () => {
    const text = "import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, **extra)\n";
    expect(run(text, "torch.optim.Adam", "torch.optim.Adam", TO_ADAMW)).toMatch(/decoupled_weight_decay/);
  });

  it("refuses when a positional argument would land on a different parameter", () => {
    const text = "import torch\nopt = torch.optim.RAdam(model.parameters(), 1e-3, (0.9, 0.999), 1e-8, 0.01, True)\n";
    const request = { kind: "rename-optimizer", to: "torch.optim.NAdam" };
    expect(run(text, "torch.optim.RAdam", "torch.optim.RAdam", request)).toMatch(/decoupled_weight_decay is passed by position/);
  });

  it("removes a last list entry together with the comma before it", () => {
    const text = "from torch.optim import SGD, AdamW, Adam  # optimizers\nopt = Adam(m.parameters())\nbase = (SGD, AdamW)\n";
    expect(fixed(text, "Adam", "torch.optim.Adam", TO_ADAMW)).toBe(
      "from torch.optim import SGD, AdamW  # optimizers\nopt = AdamW(m.parameters())\nbase = (SGD, AdamW)\n",
    );
  });

  it("adds to a one-line parenthesized list with a trailing comma", () => {
    const text = "from torch.optim import (Adam, SGD,)\na = Adam(m.parameters())\nb = Adam(n.parameters())\nc = SGD\n";
    expect(fixed(text, "Adam", "torch.optim.Adam", TO_ADAMW)).toBe(
      "from torch.optim import (Adam, SGD, AdamW,)\na = AdamW(m.parameters())\nb = Adam(n.parameters())\nc = SGD\n",
    );
  });
});

describe("python edits: set-argument", () => {
  it("finds a keyword value when the analysis gives only the value's span", () => {
    const text = "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1, nesterov=False)\n";
    const file = analyzedFile(text, "torch.optim.SGD", "torch.optim.SGD");
    const arg = file.facts.optimizers[0].args.get("nesterov")!;
    arg.span = arg.value.span;
    expect(applyEdits(text, pythonEdits(file, { kind: "set-argument", site: "<text>#1", name: "nesterov", value: true }) as TextEdit[])).toBe(
      "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1, nesterov=True)\n",
    );
  });

  it("refuses to add a keyword when unreadable **kwargs might already pass it", () => {
    const text = "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1, **load_cfg())\n";
    expect(run(text, "torch.optim.SGD", "torch.optim.SGD", { kind: "set-argument", name: "nesterov", value: true })).toMatch(/twice/);
  });

  it("refuses an unpacked value that is not a literal in a dict", () => {
    const text = "import torch\ncfg = {'momentum': args.momentum}\nopt = torch.optim.SGD(model.parameters(), **cfg)\n";
    expect(run(text, "torch.optim.SGD", "torch.optim.SGD", { kind: "set-argument", name: "momentum", value: 0.9 })).toMatch(/\*\*cfg/);
  });

  it("replaces a literal inside an inline **{...} dict", () => {
    const text = "import torch\nopt = torch.optim.SGD(model.parameters(), **{'lr': 0.1, 'nesterov': False})\n";
    expect(fixed(text, "torch.optim.SGD", "torch.optim.SGD", { kind: "set-argument", name: "nesterov", value: true })).toBe(
      "import torch\nopt = torch.optim.SGD(model.parameters(), **{'lr': 0.1, 'nesterov': True})\n",
    );
  });

  it("adds a keyword inline before a trailing comma on one line", () => {
    const text = "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1,)\n";
    expect(fixed(text, "torch.optim.SGD", "torch.optim.SGD", { kind: "set-argument", name: "nesterov", value: true })).toBe(
      "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1, nesterov=True,)\n",
    );
  });

  it("renders values as Python", () => {
    expect(renderLiteral(true, '"')).toBe("True");
    expect(renderLiteral(null, '"')).toBe("None");
    expect(renderLiteral(1e-7, '"')).toBe("1e-7");
    expect(renderLiteral(0.001, '"')).toBe("0.001");
    expect(renderLiteral([0.9, 0.999], '"')).toBe("(0.9, 0.999)");
    expect(renderLiteral([0.5], '"')).toBe("(0.5,)");
    expect(renderLiteral("it's", "'")).toBe("'it\\'s'");
    expect(renderLiteral(Infinity, "'")).toBe("float('inf')");
  });

  it("writes strings with the quote style the file uses", () => {
    const text = "import torch\nname = 'sgd'\nmode = 'min'\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n";
    expect(fixed(text, "torch.optim.SGD", "torch.optim.SGD", { kind: "set-argument", name: "foreach", value: "x" })).toContain(
      "lr=0.1, foreach='x')",
    );
  });
});

describe("python edits: swap-sequence-items", () => {
  it("explains a value without a literal", () => {
    const root = parse("import torch\nopt = torch.optim.Adam(p, betas=b)\n");
    const value = resolvedLiteral(root.descendantsOfType("identifier").find((n) => n.text === "b")!);
    const file = analyzedFile("import torch\nopt = torch.optim.Adam(p, betas=b)\n", "torch.optim.Adam", "torch.optim.Adam");
    expect(pythonEdits(file, { kind: "swap-sequence-items", value })).toMatch(/single literal/);
  });

  it("explains a literal without exactly two items", () => {
    const text = "import torch\nopt = torch.optim.Adam(p, betas=(0.999, 0.9, 0.1))\n";
    const value = literalNamed(parse(text), "(0.999, 0.9, 0.1)");
    expect(pythonEdits(analyzedFile(text, "torch.optim.Adam", "torch.optim.Adam"), { kind: "swap-sequence-items", value })).toMatch(/two items/);
  });
});

describe("python edits: split-decay-groups", () => {
  it("refuses a receiver that would be evaluated twice", () => {
    const text = "import torch\nopt = torch.optim.AdamW(get_model().parameters(), weight_decay=0.1)\n";
    expect(run(text, "torch.optim.AdamW", "torch.optim.AdamW", { kind: "split-decay-groups" })).toMatch(/evaluated twice/);
  });

  it("uses another loop name when the receiver is called p", () => {
    const text = "import torch\nopt = torch.optim.AdamW(p.parameters(), weight_decay=0.1)\n";
    expect(fixed(text, "torch.optim.AdamW", "torch.optim.AdamW", { kind: "split-decay-groups" })).toContain(
      '[{"params": [param for param in p.parameters() if param.ndim >= 2]}',
    );
  });
});

describe("python edits: scale-by-world-size", () => {
  const scale = { kind: "scale-by-world-size", name: "lr" };

  it("explains a file with no world size in sight", () => {
    const text = "from torch import optim\nopt = optim.SGD(model.parameters(), lr=0.1)\n";
    expect(run(text, "optim.SGD", "torch.optim.SGD", scale)).toMatch(/no world-size/);
  });

  it("ignores a world size assigned only inside a branch", () => {
    const text = "import torch\nif distributed:\n    world_size = 8\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n";
    expect(fixed(text, "torch.optim.SGD", "torch.optim.SGD", scale)).toContain("lr=0.1 * torch.distributed.get_world_size()");
  });

  it("prefers a directly imported get_world_size", () => {
    const text = "import torch\nfrom torch.distributed import get_world_size\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n";
    expect(fixed(text, "torch.optim.SGD", "torch.optim.SGD", scale)).toContain("lr=0.1 * get_world_size()");
  });

  it("uses a module-level constant visible inside a function, but not a name only mentioned in a comment", () => {
    const text = [
      "import os", "import torch", "", "WORLD_SIZE = int(os.environ.get(\"WORLD_SIZE\", 1))", "", "",
      "def build(model):", "    # world_size is read above", "    return torch.optim.SGD(model.parameters(), lr=0.1)", "",
    ].join("\n");
    expect(fixed(text, "torch.optim.SGD", "torch.optim.SGD", scale)).toContain("lr=0.1 * WORLD_SIZE)");
  });

  it("counts Horovod workers with the file's own Horovod import", () => {
    const text = "import horovod.torch as hvd\nimport torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n";
    expect(fixed(text, "torch.optim.SGD", "torch.optim.SGD", scale)).toContain("lr=0.1 * hvd.size()");
  });

  it("parenthesizes a sum", () => {
    const text = "world_size = 4\nopt = torch.optim.SGD(model.parameters(), lr=base + extra)\n";
    expect(fixed(text, "torch.optim.SGD", "torch.optim.SGD", scale)).toContain("lr=(base + extra) * world_size)");
  });

  it("explains an lr that is not written at the call", () => {
    const text = "import torch\nopt = torch.optim.SGD(model.parameters())\n";
    expect(run(text, "torch.optim.SGD", "torch.optim.SGD", scale)).toMatch(/not written/);
  });
});
