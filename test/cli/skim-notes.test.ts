/**
 * A one-thread run notes what the call-site joiner's skim needs of each Python file whose text it drops (it fails
 * the prefilter) while it reads it, so that the skim does not read that file from disk again.
 */
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fileURLToPath } from "node:url";

const reads = new Map<string, number>();
vi.mock("../../src/cli/read.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/cli/read.js")>();
  return {
    ...original,
    readSource: (file: string) => {
      reads.set(file, (reads.get(file) ?? 0) + 1);
      return original.readSource(file);
    },
  };
});

const { lintPaths } = await import("../../src/cli/lint-paths.js");
const { SkimNotes } = await import("../../src/python/calls.js");

const PROJECT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/projects/function-call");

afterEach(() => reads.clear());

describe("the skim's notes on one thread", () => {
  it("reads a dropped caller once and still joins its call", async () => {
    const results = await lintPaths(["."], { cwd: PROJECT });
    const optim = results.find((r) => r.filePath.endsWith(path.join("trainer", "optim.py")))!;
    // Values reach the constructions through the calls in train.py, a file the prefilter drops.
    expect(optim.messages.map((m) => [m.code, m.line, m.related?.map((r) => path.basename(r.filePath ?? ""))])).toEqual([
      ["OPT002", 7, ["train.py"]],
      ["OPT001", 12, ["train.py"]],
    ]);
    // trainer/__init__.py is dropped too, and nothing in it is judged or reported: the walk's read is its only one.
    expect(reads.get(path.join(PROJECT, "trainer", "__init__.py"))).toBe(1);
  });

  it("notes what a text gives the skim, once per file", () => {
    const notes = new SkimNotes();
    notes.note("/p/a.py", "\uFEFFimport torch\nfrom .b import c\nbuild(x)\nhydra.utils.instantiate(cfg)\n");
    notes.note("/p/./b.py", "import torch\nrun (y)\n");
    const a = notes.take("/p/a.py")!;
    expect(a.importLines).toEqual(["torch", ".b"]);
    expect(a.requests).toEqual([
      { path: "torch", module: true },
      { path: ".b.c", module: true },
    ]);
    expect([...a.names].sort()).toEqual(["build", "instantiate"]);
    expect(a.instantiates).toBe(true);
    const b = notes.take("/p/b.py")!;
    expect([...b.names]).toEqual(["run"]);
    expect(b.instantiates).toBe(false);
    // The same import is one lookup object across files.
    expect(b.requests[0]).toBe(a.requests[0]);
    expect(notes.take("/p/a.py")).toBeUndefined();
  });
});
