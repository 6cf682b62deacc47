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

  it("walks everything but version-control folders with --no-ignore, default excludes included", () => {
    expect(walk(["."], { noIgnore: true })).toEqual([
      ".venv/lib/site.py",
      "clean.py",
      "env3/lib/mod.py",
      "generated/gen.py",
      "lib/site-packages/torch/x.py",
      "node_modules/pkg/x.py",
      "notes_scratch.py",
      "pkg/__pycache__/x.py",
      "pkg/keep_scratch.py",
      "pkg/run.log.py",
      "pkg/stubs/model.pyi",
      "pkg/suppressed.py",
      "train.py",
    ]);
  });

  it("skips Ruff's default excludes (.tox, build, dist, ...) and lists a file reached through symlinks once", () => {
    for (const dir of [".tox/py311", "build/lib", "dist", ".nox", "__pypackages__/3.11", ".mypy_cache", ".eggs", ".git"]) put(path.join(project, dir, "m.py"));
    symlinkSync(path.join(project, "train.py"), path.join(project, "train_link.py"));
    try {
      expect(walk(["."])).toEqual(["clean.py", "pkg/keep_scratch.py", "pkg/stubs/model.pyi", "pkg/suppressed.py", "train.py"]);
      expect(walk(["."], { noIgnore: true })).toContain("build/lib/m.py");
      expect(walk(["."], { noIgnore: true })).not.toContain(".git/m.py");
      // Named on the command line, a file inside a default exclude is still linted.
      expect(walk(["dist/m.py"])).toEqual(["dist/m.py"]);
    } finally {
      for (const dir of [".tox", "build", "dist", ".nox", "__pypackages__", ".mypy_cache", ".eggs", ".git"]) rmSync(path.join(project, dir), { recursive: true, force: true });
      rmSync(path.join(project, "train_link.py"));
    }
  });

  it("lists a file once when a link to it is listed before it, whether the walk asks for a real path or knows it", () => {
    symlinkSync(path.join(project, "train.py"), path.join(project, "a_link.py"));
    try {
      expect(walk(["."])).toEqual(["a_link.py", "clean.py", "pkg/keep_scratch.py", "pkg/stubs/model.pyi", "pkg/suppressed.py"]);
    } finally {
      rmSync(path.join(project, "a_link.py"));
    }
  });

  it("applies the .gitignore of folders above a walked subfolder", () => {
    put(path.join(project, "pkg/generated/deep.py"));
    put(path.join(project, "pkg/more_scratch.py"));
    // pkg/loop links back to the project root, which this walk has not visited yet: it is walked once.
    expect(walk(["pkg"])).toEqual(["pkg/keep_scratch.py", "pkg/loop/clean.py", "pkg/loop/train.py", "pkg/stubs/model.pyi", "pkg/suppressed.py"]);
    rmSync(path.join(project, "pkg/generated"), { recursive: true });
    rmSync(path.join(project, "pkg/more_scratch.py"));
  });

  it("always lints supported files named explicitly, each once, and says why others are skipped", () => {
    const finder = new ConfigFinder(RULES, project);
    const walker = new FileWalker({ cwd: project, noIgnore: false, forceExclude: false, configFor: (dir) => finder.forDirectory(dir), handles: (file) => /\.pyi?$/.test(file) });
    expect(walker.collect(["README.md"]).skipped).toEqual([{ path: "README.md", reason: "not a supported file type", excluded: false }]);
    expect(walk(["notes_scratch.py", "README.md", "train.py", "."])).toEqual([
      "notes_scratch.py",
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
