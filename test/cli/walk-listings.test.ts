/** The walk's folder listings answer the project pass's module lookup: a run lists each folder once. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const listed: string[] = [];
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const readdirSync = ((dir: string, options?: unknown) => {
    listed.push(String(dir));
    return (fs.readdirSync as (d: string, o?: unknown) => unknown)(dir, options);
  }) as typeof fs.readdirSync;
  return { ...fs, default: { ...fs, readdirSync }, readdirSync };
});

const { lintPaths } = await import("../../src/cli/lint-paths.js");
const { FileWalker } = await import("../../src/cli/walk.js");
const { diskHost } = await import("../../src/cli/parallel.js");

const PROJECT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/projects/function-call");

describe("the walk's listings", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-listings-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("hold each walked folder's entries: files, folders and links", () => {
    mkdirSync(path.join(dir, "pkg"));
    writeFileSync(path.join(dir, "pkg", "mod.py"), "x = 1\n");
    symlinkSync(path.join(dir, "pkg"), path.join(dir, "zlinked"));
    const walker = new FileWalker({ cwd: dir, noIgnore: true, forceExclude: false, configFor: () => undefined, handles: (file) => file.endsWith(".py") });
    const { listings } = walker.collect(["."]);
    expect(listings.get(dir)).toEqual(new Map([["pkg", false], ["zlinked", undefined]]));
    expect(listings.get(path.join(dir, "pkg"))).toEqual(new Map([["mod.py", true]]));
  });

  it("answer a host without listing those folders again", () => {
    const absent = path.join(dir, "not-there");
    const host = diskHost(new Map([[absent, new Map([["a.py", true], ["sub", false]])]]));
    listed.length = 0;
    expect(host.exists(path.join(absent, "a.py"))).toBe(true);
    expect(host.isFolder!(path.join(absent, "sub"))).toBe(true);
    expect(host.exists(path.join(absent, "b.py"))).toBe(false);
    expect(listed).toEqual([]);
  });

  it("are the run's: each folder of a linted project is listed once", async () => {
    listed.length = 0;
    const results = await lintPaths(["."], { cwd: PROJECT });
    expect(results.some((r) => r.messages.length > 0)).toBe(true);
    const inProject = listed.filter((d) => d.startsWith(PROJECT));
    expect(inProject.sort()).toEqual([PROJECT, path.join(PROJECT, "trainer")]);
  });
});
