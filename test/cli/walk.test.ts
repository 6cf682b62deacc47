/** Walking folders: .gitignore files (nested ones too), skipped folders, excludes and symlink loops. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { ConfigFinder } from "../../src/config/load.js";
import { FileWalker, type WalkOptions } from "../../src/cli/walk.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/cli");
let tmp: string;
let project: string;

/** Writes a file, creating its folders. */
function put(file: string, text = "import torch\n"): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Walks with the default options under the project and returns paths relative to it. */
function walk(paths: string[], overrides: Partial<WalkOptions> = {}, cwd = project): string[] {
  const finder = new ConfigFinder(RULES, cwd);
  const walker = new FileWalker({
    cwd,
    noIgnore: false,
    forceExclude: false,
    configFor: (dir) => finder.forDirectory(dir),
    handles: (file) => /\.pyi?$/.test(file),
    ...overrides,
  });
  return walker.collect(paths).files.map((f) => path.relative(cwd, f).split(path.sep).join("/"));
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "optim-lint-walk-"));
  project = path.join(tmp, "basic");
  cpSync(path.join(FIXTURES, "basic"), project, { recursive: true });
  put(path.join(project, ".venv/lib/site.py"));
  put(path.join(project, "env3/pyvenv.cfg"), "home = /usr/bin\n");
  put(path.join(project, "env3/lib/mod.py"));
  put(path.join(project, "node_modules/pkg/x.py"));
  put(path.join(project, "pkg/__pycache__/x.py"));
  put(path.join(project, "lib/site-packages/torch/x.py"));
  put(path.join(project, "pkg/stubs/model.pyi"));
  put(path.join(project, "pkg/.gitignore"), "*.log.py\n!keep_scratch.py\n");
  put(path.join(project, "pkg/run.log.py"));
  put(path.join(project, "pkg/keep_scratch.py"));
  symlinkSync(project, path.join(project, "pkg/loop"));
  symlinkSync(path.join(project, "missing-target"), path.join(project, "dangling.py"));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("walking folders", () => {
  it("honors .gitignore files, nested ones included, skips environments and caches, and does not follow the loop", () => {
    expect(walk(["."])).toEqual(["clean.py", "pkg/keep_scratch.py", "pkg/stubs/model.pyi", "pkg/suppressed.py", "train.py"]);
  });

  it("walks everything but the always-skipped folders with --no-ignore", () => {
    expect(walk(["."], { noIgnore: true })).toEqual([
      "clean.py",
      "generated/gen.py",
      "notes_scratch.py",
      "pkg/keep_scratch.py",
      "pkg/run.log.py",
      "pkg/stubs/model.pyi",
      "pkg/suppressed.py",
      "train.py",
    ]);
  });

  it("applies the .gitignore of folders above a walked subfolder", () => {
    put(path.join(project, "pkg/generated/deep.py"));
    put(path.join(project, "pkg/more_scratch.py"));
    // pkg/loop links back to the project root, which this walk has not visited yet: it is walked once.
    expect(walk(["pkg"])).toEqual(["pkg/keep_scratch.py", "pkg/loop/clean.py", "pkg/loop/train.py", "pkg/stubs/model.pyi", "pkg/suppressed.py"]);
    rmSync(path.join(project, "pkg/generated"), { recursive: true });
    rmSync(path.join(project, "pkg/more_scratch.py"));
  });

  it("always lints files named explicitly, each once", () => {
    expect(walk(["notes_scratch.py", "README.md", "train.py", "."])).toEqual([
      "notes_scratch.py",
      "README.md",
      "train.py",
      "clean.py",
      "pkg/keep_scratch.py",
      "pkg/stubs/model.pyi",
      "pkg/suppressed.py",
    ]);
  });
});

describe("configured excludes", () => {
  const layered = path.join(FIXTURES, "layered");

  it("skip excluded folders when walking", () => {
    expect(walk(["."], {}, layered)).toEqual(["sub/train.py", "tests/test_train.py", "train.py"]);
  });

  it("do not skip an explicitly named file unless --force-exclude", () => {
    expect(walk(["legacy/old.py"], {}, layered)).toEqual(["legacy/old.py"]);
    expect(walk(["legacy/old.py"], { forceExclude: true }, layered)).toEqual([]);
    expect(walk(["legacy/old.py"], { forceExclude: true, noIgnore: true }, layered)).toEqual(["legacy/old.py"]);
  });

  it("are disabled by --no-ignore", () => {
    expect(walk(["."], { noIgnore: true }, layered)).toEqual(["legacy/old.py", "sub/train.py", "tests/test_train.py", "train.py"]);
  });
});
