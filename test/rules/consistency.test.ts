/**
 * The registry, the rule files, fixtures and documentation agree: unique codes and names, one registered
 * rule per file, complete docs whose examples behave, and generated pages that match the metadata.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { PRIORITY_ORDER } from "../../src/core/results.js";
import { ROOT, exists, fixturesOf, lintWith, read } from "./harness.js";

/** Files under `rules/` that hold shared code rather than a rule. */
const NOT_RULES = new Set(["index.ts", "util.ts", "docs.ts"]);

describe("rule registry", () => {
  it("has unique codes and names in code order", () => {
    const codes = RULES.map((r) => r.meta.code);
    const names = RULES.map((r) => r.meta.name);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(names).size).toBe(names.length);
    expect([...codes].sort()).toEqual(codes);
    for (const code of codes) expect(code).toMatch(/^OPT\d{3}$/);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it("registers exactly the rule files under rules/", () => {
    const files = readdirSync(join(ROOT, "rules")).filter((f) => f.endsWith(".ts") && !NOT_RULES.has(f));
    expect(files.sort()).toEqual(RULES.map((r) => `${r.meta.name}.ts`).sort());
  });
});

describe.each(RULES.map((rule) => [rule.meta.name, rule] as const))("%s", (name, rule) => {
  const { meta } = rule;

  it("has valid and invalid fixtures", () => {
    const kinds = new Set(fixturesOf(rule).map((f) => f.kind));
    expect([...kinds].sort()).toEqual(["invalid", "valid"]);
    expect(exists(join("fixtures", "rules", name, "valid.py"))).toBe(true);
    expect(exists(join("fixtures", "rules", name, "invalid.py"))).toBe(true);
  });

  it("has complete docs", () => {
    for (const field of ["summary", "whatItDoes", "whyBad", "badExample", "goodExample", "fixSafety", "severityRationale"] as const) {
      expect(meta.docs[field]?.trim(), field).toBeTruthy();
    }
    expect(Object.keys(meta.docs.options ?? {}).sort()).toEqual(Object.keys(rule.defaultOptions).sort());
    for (const description of Object.values(meta.docs.options ?? {})) expect(description.trim()).toBeTruthy();
  });

  it("fires on its bad example and not on its good one", () => {
    const bad = lintWith(rule, meta.docs.badExample, "example.py");
    expect(bad.messages.length).toBeGreaterThan(0);
    expect(bad.messages.every((m) => m.ruleId === name)).toBe(true);
    expect(lintWith(rule, meta.docs.goodExample, "example.py").messages).toEqual([]);
  });

  it("declares fixes and suggestions consistently with its bad example", () => {
    const [first] = lintWith(rule, meta.docs.badExample, "example.py").messages;
    if (first.fix) expect(meta.fixable).toBe(true);
    if (first.suggestions?.length) expect(meta.hasSuggestions).toBe(true);
  });

  it("has a priority in the debugging order, and a fix tier exactly when it is fixable", () => {
    expect(PRIORITY_ORDER).toContain(meta.priority);
    if (meta.fixable) expect(["safe", "unsafe"]).toContain(meta.fixApplicability);
    else expect(meta.fixApplicability).toBeUndefined();
  });

  it("reports every fix in its goldens with the tier its metadata declares", () => {
    const tiers = fixturesOf(rule)
      .filter((f) => f.kind === "invalid" && exists(f.expectedPath))
      .flatMap((f) => (JSON.parse(read(f.expectedPath)) as { fix: string | false }[]).map((m) => m.fix))
      .filter((fix) => fix !== false);
    if (meta.fixable) expect(tiers.length).toBeGreaterThan(0);
    for (const tier of tiers) expect(tier).toBe(meta.fixApplicability);
  });
});
