/** The lint bundle's code cache: V8 accepts what a run wrote, a cache it rejects changes nothing but speed. */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWrapper, cacheFileName, loadCachedBundle, runtimeTag, userCacheDir } from "../../src/cli/code-cache.js";
import { buildOnce, ROOT } from "./run-cli.js";

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "optim-lint-code-cache-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A bundle as the build writes one: a function of Node's module arguments and `extra`, with enough code to cache. */
function writeBundle(dir: string, name: string, extra: string[], body: string): string {
  mkdirSync(dir, { recursive: true });
  const { banner, footer } = bundleWrapper(extra);
  const file = path.join(dir, name);
  writeFileSync(file, `${banner}\n"use strict";\n${body}\n${footer}\n`, "latin1");
  return file;
}

const BODY = `
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function words(text) { return text.split(/\\s+/).filter(Boolean).map((w) => w.toUpperCase()); }
module.exports = { run: (n) => ({ fib: fib(n), words: words("a code cache"), url: __bundleUrl, dir: path.basename(__dirname), sep: require("node:path").sep }) };
const path = require("node:path");
`;

/** What a fresh process saw loading a bundle: V8's own compilation cache would hide a rejected cache within one process. */
interface ChildLoad {
  result: { fib: number; words: string[]; url: string; dir: string; sep: string };
  acceptedCache: string | null;
  written: string | null;
}

/** Loads a bundle with `loadCachedBundle` (the compiled library's) in a process of its own, runs it, then finishes. */
function loadInChild(file: string, candidates: string[], writeTo?: string): ChildLoad {
  const script = path.join(tmp, "child.mjs");
  writeFileSync(
    script,
    `import { loadCachedBundle } from ${JSON.stringify(pathToFileURL(path.join(ROOT, "dist/src/cli/code-cache.js")).href)};
const [file, candidates, writeTo] = JSON.parse(process.argv[2]);
const bundle = loadCachedBundle(file, { __bundleUrl: "file:///x" }, { candidates, ...(writeTo ? { writeTo } : {}) });
const result = bundle.exports.run(10);
const written = bundle.finish();
process.stdout.write(JSON.stringify({ result, acceptedCache: bundle.acceptedCache ?? null, written: written ?? null }));
`,
  );
  const child = spawnSync(process.execPath, [script, JSON.stringify([file, candidates, writeTo])], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as ChildLoad;
}

const EXPECTED = (dir: string) => ({ fib: 55, words: ["A", "CODE", "CACHE"], url: "file:///x", dir, sep: path.sep });

describe("loadCachedBundle", () => {
  beforeAll(() => buildOnce(), 180_000);

  it("runs the bundle, writes a cache after a run that had none, and V8 accepts it on the next load", () => {
    const dir = path.join(tmp, "accept");
    const file = writeBundle(dir, "lint-AAAA.cjs", ["__bundleUrl"], BODY);
    const cache = path.join(dir, "cache", cacheFileName(file));
    const first = loadInChild(file, [cache], cache);
    expect(first).toEqual({ result: EXPECTED("accept"), acceptedCache: null, written: cache });
    expect(readFileSync(cache).length).toBeGreaterThan(0);
    // Accepted next time, and not written again.
    expect(loadInChild(file, [cache], cache)).toEqual({ result: EXPECTED("accept"), acceptedCache: cache, written: null });
    // In this process too (where nothing compiled the bundle before).
    const here = loadCachedBundle<{ run(n: number): unknown }>(file, { __bundleUrl: "file:///x" }, { candidates: [cache] });
    expect(here.acceptedCache).toBe(cache);
    expect(here.exports.run(10)).toEqual(EXPECTED("accept"));
  });

  it("ignores a cache V8 rejects, runs the same, and replaces it", () => {
    const dir = path.join(tmp, "reject");
    const file = writeBundle(dir, "lint-BBBB.cjs", ["__bundleUrl"], BODY);
    const cache = path.join(dir, cacheFileName(file));
    writeFileSync(cache, Buffer.from("not a code cache at all".repeat(20)));
    expect(loadInChild(file, [cache], cache)).toEqual({ result: EXPECTED("reject"), acceptedCache: null, written: cache });
    expect(loadInChild(file, [cache]).acceptedCache).toBe(cache);
  });

  it("rejects the cache of another text of the same bundle name", () => {
    const dir = path.join(tmp, "stale");
    const file = writeBundle(dir, "lint-DDDD.cjs", ["__bundleUrl"], BODY);
    const cache = path.join(dir, cacheFileName(file));
    loadInChild(file, [], cache);
    writeBundle(dir, "lint-DDDD.cjs", ["__bundleUrl"], `${BODY}\n// a longer text\n`);
    expect(loadInChild(file, [cache])).toEqual({ result: EXPECTED("stale"), acceptedCache: null, written: null });
  });

  it("gives V8 only the first candidate that exists, and writes nothing without a place to write", () => {
    const dir = path.join(tmp, "order");
    const file = writeBundle(dir, "lint-CCCC.cjs", ["__bundleUrl"], BODY);
    const good = path.join(dir, "good.cache");
    loadInChild(file, [], good);
    expect(loadInChild(file, [path.join(dir, "missing.cache"), good]).acceptedCache).toBe(good);
    const bad = path.join(dir, "bad.cache");
    writeFileSync(bad, "x".repeat(64));
    // The first existing candidate is rejected: the next one is not tried (V8 has compiled the source by then).
    expect(loadInChild(file, [bad, good])).toEqual({ result: EXPECTED("order"), acceptedCache: null, written: null });
  });

  it("removes the caches of replaced bundles for the same runtime when it writes one", () => {
    const dir = path.join(tmp, "prune");
    const cacheDir = path.join(dir, "cache");
    mkdirSync(cacheDir, { recursive: true });
    const tag = runtimeTag();
    const older = path.join(cacheDir, `lint-OLD1.cjs.${tag}.cache`);
    const otherRuntime = path.join(cacheDir, `lint-OLD1.cjs.${tag}-feedbeef.cache`);
    const unrelated = path.join(cacheDir, "notes.txt");
    for (const f of [older, otherRuntime, unrelated]) writeFileSync(f, "x");
    const file = writeBundle(dir, "lint-NEW1.cjs", ["__bundleUrl"], BODY);
    const target = path.join(cacheDir, cacheFileName(file, tag));
    expect(loadCachedBundle(file, { __bundleUrl: "u" }, { candidates: [target], writeTo: target }).finish()).toBe(target);
    expect(readdirSync(cacheDir).sort()).toEqual([path.basename(otherRuntime), path.basename(target), "notes.txt"].sort());
  });
});

describe("cache names and places", () => {
  it("tags a runtime by V8 version and architecture, and by its flags only when it has some", () => {
    const plain = runtimeTag([], "");
    expect(plain).toBe(`${process.versions.v8}-${process.arch}`);
    expect(runtimeTag(["--max-old-space-size=4096"], "")).toMatch(new RegExp(`^${plain.replace(/[.]/g, "\\.")}-[0-9a-f]{8}$`));
    expect(runtimeTag([], "--no-opt")).not.toBe(runtimeTag(["--no-opt"], "--no-opt"));
    expect(cacheFileName("/x/dist/cli/lint-ABCD.cjs", plain)).toBe(`lint-ABCD.cjs.${plain}.cache`);
  });

  it("keeps per-user caches under XDG_CACHE_HOME when it is set", () => {
    expect(userCacheDir({ XDG_CACHE_HOME: "/somewhere/cache" })).toBe(path.join("/somewhere/cache", "optim-lint"));
  });
});

describe("the built CLI", () => {
  let pkg: string;
  beforeAll(() => {
    buildOnce();
    // A copy of the package (its bin, dist/cli and package.json) whose files a test may break.
    pkg = path.join(tmp, "package");
    mkdirSync(pkg, { recursive: true });
    cpSync(path.join(ROOT, "bin"), path.join(pkg, "bin"), { recursive: true });
    cpSync(path.join(ROOT, "dist/cli"), path.join(pkg, "dist/cli"), { recursive: true });
    cpSync(path.join(ROOT, "package.json"), path.join(pkg, "package.json"));
    symlinkSync(path.join(ROOT, "node_modules"), path.join(pkg, "node_modules"), "dir");
  }, 180_000);

  /** Runs the copied CLI on the showcase with a cache home of its own. */
  function run(cacheHome: string, args: string[] = ["--format", "json", path.join(ROOT, "fixtures/showcase")]) {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cacheHome, NO_COLOR: "1" };
    delete env.NODE_OPTIONS;
    const result = spawnSync(process.execPath, [path.join(pkg, "bin/optim-lint.cjs"), ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  const lintBundle = () => readdirSync(path.join(pkg, "dist/cli")).find((name) => /^lint-\w+\.cjs$/.test(name))!;

  it("ships a cache for the runtime that built it, which the run uses without writing its own", () => {
    expect(existsSync(path.join(pkg, "dist/cli", cacheFileName(lintBundle(), runtimeTag([], ""))))).toBe(true);
    const home = path.join(tmp, "home-shipped");
    const result = run(home);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).length).toBeGreaterThan(3);
    expect(existsSync(home)).toBe(false);
  }, 120_000);

  it("lints the same with a broken shipped cache, writes one per user, and uses it next time", () => {
    const expected = run(path.join(tmp, "home-reference"));
    const shipped = path.join(pkg, "dist/cli", cacheFileName(lintBundle(), runtimeTag([], "")));
    const original = readFileSync(shipped);
    writeFileSync(shipped, original.subarray(0, original.length >> 1));
    try {
      const home = path.join(tmp, "home-broken");
      const first = run(home);
      expect(first).toEqual(expected);
      const written = path.join(home, "optim-lint", cacheFileName(lintBundle(), runtimeTag([], "")));
      expect(readFileSync(written).length).toBeGreaterThan(original.length / 4);
      const writtenAt = statSync(written).mtimeMs;
      const second = run(home);
      expect(second).toEqual(expected);
      // V8 accepted this user's cache: the second run had nothing to write.
      expect(statSync(written).mtimeMs).toBe(writtenAt);
    } finally {
      writeFileSync(shipped, original);
    }
  }, 180_000);

  it("answers --version and --help without the lint bundle", () => {
    const bundle = path.join(pkg, "dist/cli", lintBundle());
    const text = readFileSync(bundle);
    rmSync(bundle);
    try {
      const home = path.join(tmp, "home-version");
      const version = run(home, ["--version"]);
      expect(version).toEqual({ status: 0, stdout: `${JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version}\n`, stderr: "" });
      const help = run(home, ["--help"]);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/^optim-lint \[options\] \[paths\.\.\.\]/);
      // A usage error in the flags is reported before the linter would load, as before.
      expect(run(home, ["--max-warnings", "x"])).toMatchObject({ status: 2, stdout: "" });
    } finally {
      writeFileSync(bundle, text);
    }
  }, 120_000);
});
