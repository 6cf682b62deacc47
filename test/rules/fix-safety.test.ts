/**
 * Every golden `--fix` output must be safe: it compiles, binds every name it uses that the original bound,
 * leaves no import unused that the original used, lints clean of the rule's fixable findings, and a second
 * fix pass changes nothing.
 */
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { isDatabricksSource } from "../../src/python/analyze.js";
import { ROOT, exists, fixturesOf, lintWith, read } from "./harness.js";

interface NameReport {
  compiles: boolean;
  error?: string;
  undefined: string[];
  unusedImports: string[];
}

const fixed = RULES.flatMap((rule) => fixturesOf(rule).filter((f) => f.kind === "invalid" && exists(f.fixedPath)));
const fixedPython = fixed.filter((f) => f.language === "python");
let names: Record<string, NameReport> = {};

beforeAll(() => {
  const paths = fixedPython.flatMap((f) => [f.path, f.fixedPath]);
  const out = execFileSync("python3", [join(ROOT, "scripts", "check_fixed.py"), ...paths], { cwd: ROOT, encoding: "utf8" });
  names = JSON.parse(out) as Record<string, NameReport>;
});

describe("fix safety", () => {
  it("every fixable rule has at least one fixed fixture", () => {
    for (const rule of RULES.filter((r) => r.meta.fixable)) {
      expect(fixed.some((f) => f.rule === rule), rule.meta.name).toBe(true);
    }
  });

  it("every fixed fixture passes python3 -m py_compile", () => {
    const env = { ...process.env, PYTHONPYCACHEPREFIX: join(tmpdir(), "optim-lint-pycache") };
    // A Databricks notebook export keeps IPython lines Python rejects; check_fixed.py compiles its Python view instead.
    const plain = fixedPython.filter((f) => !isDatabricksSource(read(f.fixedPath)));
    expect(() => execFileSync("python3", ["-m", "py_compile", ...plain.map((f) => f.fixedPath)], { cwd: ROOT, env, stdio: "pipe" })).not.toThrow();
  });

  for (const fixture of fixed) {
    describe(fixture.fixedPath, () => {
      it.runIf(fixture.language === "python")("compiles and introduces no undefined name and no unused import", () => {
        const before = names[fixture.path];
        const after = names[fixture.fixedPath];
        expect(after.compiles, after.error).toBe(true);
        expect(after.undefined.filter((n) => !before.undefined.includes(n))).toEqual([]);
        expect(after.unusedImports.filter((n) => !before.unusedImports.includes(n))).toEqual([]);
      });

      it("lints clean of the rule's fixable findings, and a second fix pass changes nothing", () => {
        const text = read(fixture.fixedPath);
        const relint = lintWith(fixture.rule, text, fixture.path);
        // A fatal message is a parsing error: the fixed config or script must parse.
        expect(relint.messages.filter((m) => m.fix !== undefined || m.fatal)).toEqual([]);
        expect(lintWith(fixture.rule, text, fixture.path, true).output).toBeUndefined();
      });
    });
  }
});
