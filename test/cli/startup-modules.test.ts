/**
 * What a start of the built CLI loads of Node's own modules (each costs start-up time in every pre-commit run): the
 * launcher and the entry are CommonJS, so Node's ES module loader does not load files; the stdout stream is made
 * only when there is something to print; worker threads only for runs that spread files over them; `node:v8` (which
 * brings the stream classes) only for the lint command, which sets its V8 flags with it. And what it requires from
 * files: tree-sitter's JavaScript is in the code-cached lint bundle, only the addons come from the packages.
 * Last, the flags themselves: a lint run leaves TurboFan off.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, ROOT } from "./run-cli.js";

let tmp: string;
let preload: string;
beforeAll(() => {
  buildOnce();
  tmp = mkdtempSync(path.join(os.tmpdir(), "optim-lint-startup-"));
  // Loaded before the CLI: at exit it lists the built-in modules loaded after it and the files required (itself left
  // out), on stderr without making a stream.
  preload = path.join(tmp, "loaded.cjs");
  writeFileSync(
    preload,
    `const before = new Set(process.moduleLoadList);
process.on("exit", () => {
  const loaded = process.moduleLoadList.filter((m) => !before.has(m));
  const files = Object.keys(require.cache).filter((file) => file !== __filename);
  require("node:fs").writeSync(2, "\\n" + JSON.stringify({ loaded, files }) + "\\n");
});
`,
  );
}, 180_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the built CLI; returns its exit code, stdout and the built-in modules it loaded. */
function run(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(tmp, "cache"), NO_COLOR: "1" };
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, ["-r", preload, path.join(ROOT, "bin/optim-lint.cjs"), ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  const lines = result.stderr.trim().split("\n");
  const { loaded, files } = JSON.parse(lines[lines.length - 1]) as { loaded: string[]; files: string[] };
  return { status: result.status, stdout: result.stdout, stderr: lines.slice(0, -1).join("\n").trim(), loaded, files };
}

/** Modules of Node's ES module loader that only loading an ES module file needs. */
const ESM_FILES = /^NativeModule internal\/modules\/esm\/(translators|module_job|load|resolve)$/;
const STREAMS = /^NativeModule (stream|net|tty|internal\/streams\/.*|internal\/fs\/sync_write_stream)$/;
/** What making `process.stdout` loads (a pipe here; a terminal or a file would load the others). */
const STDOUT = /^NativeModule (net|tty|internal\/fs\/sync_write_stream)$/;
const V8 = "NativeModule v8";
const WORKERS = /^NativeModule (worker_threads|internal\/worker)$/;

describe("built-in modules a start loads", () => {
  it("a lint run that prints nothing: no ES module loading, no stdout stream, no worker threads", () => {
    const result = run(["fixtures/showcase/train_clean.py"]);
    expect(result).toMatchObject({ status: 0, stdout: "", stderr: "" });
    expect(result.loaded.filter((m) => ESM_FILES.test(m) || STDOUT.test(m) || WORKERS.test(m) || m === "NativeModule internal/fs/promises")).toEqual([]);
    expect(result.loaded).toContain(V8);
  }, 60_000);

  it("a lint run with findings makes the stdout stream to print them, loads no ES module, and requires of tree-sitter only its addons", () => {
    const result = run(["--format", "compact", "fixtures/showcase/train_gan.py"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^fixtures\/showcase\/train_gan\.py: line \d+, col \d+, Error - /);
    expect(result.loaded.filter((m) => ESM_FILES.test(m) || WORKERS.test(m))).toEqual([]);
    expect(result.loaded.some((m) => STREAMS.test(m))).toBe(true);
    // From files: the launcher, the entry, and of tree-sitter and its grammar only the addons and what names them.
    const shown = result.files.map((file) => {
      const inPackage = /[\\/]node_modules[\\/](tree-sitter(?:-python)?)[\\/](.*)$/.exec(file);
      return inPackage ? `${inPackage[1]}/${inPackage[2].split(path.sep).join("/").replace(/^.*\.node$/, "<addon>")}` : path.relative(ROOT, file);
    });
    expect(shown).toEqual([
      "bin/optim-lint.cjs",
      path.join("dist", "cli", "optim-lint.cjs"),
      "tree-sitter/package.json",
      "tree-sitter/<addon>",
      "tree-sitter-python/package.json",
      "tree-sitter-python/<addon>",
      "tree-sitter-python/src/node-types.json",
    ]);
  }, 60_000);

  it("--version loads no ES module, no worker threads and not node:v8", () => {
    const result = run(["--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(result.loaded.filter((m) => ESM_FILES.test(m) || WORKERS.test(m) || m === V8)).toEqual([]);
  }, 60_000);
});

describe("V8 flags of a lint run", () => {
  // --trace-opt prints each optimization on stdout; the report goes to a file. Started with a flag, the run compiles
  // without the shipped code cache (and writes its own in the temporary cache home).
  const lint = (launch: string[], cacheHome: string, extraEnv: NodeJS.ProcessEnv = {}) => {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(tmp, cacheHome), ...extraEnv };
    delete env.NODE_OPTIONS;
    if (!("OPTIM_LINT_THREADS" in extraEnv)) delete env.OPTIM_LINT_THREADS;
    return spawnSync(process.execPath, ["--trace-opt", ...launch, "-o", path.join(tmp, "report.json"), "-f", "json", "fixtures/showcase"], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  };
  const optimized = (out: string) => out.split("\n").filter((line) => line.startsWith("[completed optimizing"));
  const cacheFiles = (cacheHome: string) => readdirSync(path.join(tmp, cacheHome, "optim-lint")).map((name) => path.join(tmp, cacheHome, "optim-lint", name));

  it("TurboFan optimizes nothing, where it would optimize the analysis' busiest functions", () => {
    const cli = lint([path.join(ROOT, "bin/optim-lint.cjs")], "cache-trace");
    expect(cli.status).toBe(1);
    expect(optimized(cli.stdout)).toEqual([]);
    // The same lint through the sources' module, with V8's default flags: TurboFan does optimize (so the check above can fail).
    const script = `import(${JSON.stringify(pathToFileURL(path.join(ROOT, "dist/src/cli/lint-command.js")).href)}).then(async (m) => { process.exitCode = await m.runLint(process.argv.slice(1), process.cwd()); });`;
    const plain = lint(["--input-type=module", "-e", script, "--"], "cache-plain");
    expect(plain.status).toBe(1);
    expect(optimized(plain.stdout).length).toBeGreaterThan(0);
  }, 120_000);

  it("regular expressions are compiled once, to machine code, without interpreter runs first", () => {
    // --trace-regexp-tier-up prints each compilation of a pattern: to bytecode for V8's interpreter, or to machine code.
    const cli = lint(["--trace-regexp-tier-up", path.join(ROOT, "bin/optim-lint.cjs")], "cache-regexp");
    expect(cli.status).toBe(1);
    const lines = cli.stdout.split("\n");
    const native = lines.filter((line) => / native code size: \d+$/.test(line)).length;
    const bytecode = lines.filter((line) => / bytecode size: \d+$/.test(line)).length;
    expect(native).toBeGreaterThan(40);
    // Only the few patterns Node and the entry made before the lint command set its flags went through the interpreter.
    expect(bytecode).toBeLessThan(10);
  }, 120_000);

  it("a run on worker threads keeps TurboFan, and the code cache it writes fits the next run", () => {
    const bin = path.join(ROOT, "bin/optim-lint.cjs");
    const parallel = lint([bin], "cache-parallel", { OPTIM_LINT_THREADS: "2" });
    expect(parallel.status).toBe(1);
    expect(optimized(parallel.stdout).length).toBeGreaterThan(0);
    expect(cacheFiles("cache-parallel")).toHaveLength(1);
    // The main thread of a parallel run compiles little of the analysis (the workers lint), so a one-thread run may
    // complete the cache once; after that, written under the flags a run starts with, V8 accepts it and no run writes again.
    expect(lint([bin], "cache-parallel").status).toBe(1);
    const [written] = cacheFiles("cache-parallel");
    const writtenAt = statSync(written).mtimeMs;
    expect(lint([bin], "cache-parallel", { OPTIM_LINT_THREADS: "2" }).status).toBe(1);
    expect(lint([bin], "cache-parallel").status).toBe(1);
    expect(cacheFiles("cache-parallel")).toEqual([written]);
    expect(statSync(written).mtimeMs).toBe(writtenAt);
  }, 120_000);
});
