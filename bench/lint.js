// Lint benchmark: every .py file of the system Python's standard library, parse-only vs full lint.
// Run one phase per process so each phase's peak memory is its own: `node bench/lint.js parse|lint`.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The standard library folder of Debian's python3 (falls back to the python3 on PATH). */
export function stdlibDir() {
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      return execFileSync(python, ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], { encoding: "utf8" }).trim();
    } catch {
      // try the next interpreter
    }
  }
  throw new Error("no python3 found to locate the standard library");
}

/** Every .py file below a folder (site-packages and dist-packages excluded). */
export function pythonFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "site-packages" && entry.name !== "dist-packages") walk(path);
      } else if (entry.isFile() && entry.name.endsWith(".py")) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

async function phase(mode, files) {
  const texts = [];
  let bytes = 0;
  for (const f of files) {
    const buf = readFileSync(f);
    bytes += buf.length;
    texts.push([f, buf.toString("utf8")]);
  }
  let work;
  if (mode === "parse") {
    const Parser = require("tree-sitter");
    const Python = require("tree-sitter-python");
    const parser = new Parser();
    parser.setLanguage(Python);
    work = (path, text) => {
      parser.parse(text);
    };
  } else {
    const { lintText } = await import("../dist/src/default-linter.js");
    const { RULES } = await import("../dist/rules/index.js");
    const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
    work = (path, text) => {
      lintText(text, { filePath: path, rules });
    };
  }
  const { NativeMemoryGuard } = await import("../dist/src/cli/native-memory.js");
  const memory = new NativeMemoryGuard();
  const start = process.hrtime.bigint();
  let crashes = 0;
  for (let i = 0; i < texts.length; i++) {
    const [path, text] = texts[i];
    try {
      work(path, text);
    } catch (error) {
      crashes++;
      if (crashes <= 5) process.stderr.write(`${path}: ${error.message}\n`);
    }
    // As the CLI does: collect and yield now and then, so tree-sitter frees the trees dropped since.
    await memory.afterFile(text.length);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { mode, files: texts.length, megabytes: bytes / 1e6, seconds, crashes, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

/** Runs both phases in child processes, twice each, alternating; reports the faster run of each. */
export async function runLintBench() {
  const dir = stdlibDir();
  const runs = { parse: [], lint: [] };
  for (let round = 0; round < 2; round++) {
    for (const mode of ["parse", "lint"]) {
      const out = execFileSync(process.execPath, ["--expose-gc", new URL(import.meta.url).pathname, mode, dir], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
        stdio: ["ignore", "pipe", "inherit"],
      });
      runs[mode].push(JSON.parse(out));
    }
  }
  const best = (list) => list.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
  const parse = best(runs.parse);
  const lint = best(runs.lint);
  const result = {
    stdlib: dir,
    files: lint.files,
    megabytes: Number(lint.megabytes.toFixed(1)),
    parseFilesPerSecond: Math.round(parse.files / parse.seconds),
    lintFilesPerSecond: Math.round(lint.files / lint.seconds),
    ratioLintToParse: Number((lint.seconds / parse.seconds).toFixed(2)),
    parsePeakRssMb: Math.round(Math.max(...runs.parse.map((r) => r.maxRssMb))),
    lintPeakRssMb: Math.round(Math.max(...runs.lint.map((r) => r.maxRssMb))),
    crashes: lint.crashes,
  };
  console.log("\n## Lint: Python standard library");
  console.table(result);
  if (lint.crashes > 0) throw new Error(`${lint.crashes} files crashed the linter`);
  return result;
}

if (process.argv[1] === new URL(import.meta.url).pathname && process.argv[2]) {
  const files = pythonFiles(process.argv[3] ?? stdlibDir());
  statSync(files[0]);
  process.stdout.write(JSON.stringify(await phase(process.argv[2], files)));
}
