import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diskHost } from "../../src/cli/parallel.js";
import { ModuleFinder } from "../../src/python/modules.js";

describe("module lookup that knows folders", () => {
  const root = path.resolve("/proj");
  const files = new Set([path.join(root, "setup.py"), path.join(root, "train.py"), path.join(root, "pkg", "optim", "build.py"), path.join(root, "ns", "sub", "mod.py")]);
  const folders = new Set([path.join(root, "pkg"), path.join(root, "pkg", "optim"), path.join(root, "ns"), path.join(root, "ns", "sub")]);
  const asked: string[] = [];
  const existence = (withFolders: boolean) => ({
    exists: (p: string) => (asked.push(p), files.has(p)),
    ...(withFolders ? { isFolder: (p: string) => folders.has(p) } : {}),
  });
  const from = path.join(root, "train.py");

  it("finds the same modules, and asks about no file below a folder that is not there", () => {
    asked.length = 0;
    const plain = new ModuleFinder(existence(false));
    const expected = ["pkg.optim.build", "ns.sub.mod.fn", "torch.nn.functional", ".pkg.optim"].map((p) => plain.find(from, p));
    expect(expected).toEqual([
      { file: path.join(root, "pkg", "optim", "build.py") },
      { file: path.join(root, "ns", "sub", "mod.py"), name: "fn" },
      undefined,
      undefined,
    ]);
    const withoutFolders = asked.filter((p) => p.includes(`${path.sep}torch${path.sep}`)).length;
    expect(withoutFolders).toBeGreaterThan(0);

    asked.length = 0;
    const knowing = new ModuleFinder(existence(true));
    expect(["pkg.optim.build", "ns.sub.mod.fn", "torch.nn.functional", ".pkg.optim"].map((p) => knowing.find(from, p))).toEqual(expected);
    // `torch` is no folder of the project: nothing below it is looked for.
    expect(asked.filter((p) => p.includes(`${path.sep}torch${path.sep}`))).toEqual([]);
  });
});

describe("diskHost", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "optim-lint-host-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tells folders from files and missing paths, links included", () => {
    mkdirSync(path.join(dir, "pkg", "inner"), { recursive: true });
    writeFileSync(path.join(dir, "pkg", "mod.py"), "x = 1\n");
    symlinkSync(path.join(dir, "pkg", "inner"), path.join(dir, "linked"));
    const host = diskHost();
    expect(host.isFolder!(path.join(dir, "pkg"))).toBe(true);
    expect(host.isFolder!(path.join(dir, "pkg", "inner"))).toBe(true);
    expect(host.isFolder!(path.join(dir, "linked"))).toBe(true);
    expect(host.isFolder!(path.join(dir, "pkg", "mod.py"))).toBe(false);
    expect(host.isFolder!(path.join(dir, "missing"))).toBe(false);
    expect(host.isFolder!(path.join(dir, "pkg", "mod.py", "below"))).toBe(false);
    expect(host.exists(path.join(dir, "pkg", "mod.py"))).toBe(true);
  });
});
