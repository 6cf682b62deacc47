/** Shared helpers for the Python adapter tests: analyze a fixture file and find its tagged cases. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ArgumentFact, OptimizerSite, ResolvedValue, Span } from "../../src/core/facts.js";
import type { AnalyzedFile } from "../../src/core/types.js";
import { analyzePython } from "../../src/python/analyze.js";

export interface Fixture {
  file: AnalyzedFile;
  /** The text a span covers. */
  slice(span: Span | undefined): string | undefined;
  /** The optimizer site on the line tagged `# case: <name>`, or undefined when none was found there. */
  site(caseName: string): OptimizerSite | undefined;
  /** An argument of the site tagged `# case: <name>` (throws when the site is missing). */
  arg(caseName: string, argName: string): ArgumentFact | undefined;
}

/** Read `fixtures/python/<name>` and analyze it. */
export function loadFixture(name: string): Fixture {
  const path = fileURLToPath(new URL(`../../fixtures/python/${name}`, import.meta.url));
  const file = analyzePython(readFileSync(path, "utf8"));
  const text = file.text;
  const site = (caseName: string): OptimizerSite | undefined => {
    const marker = text.indexOf(`# case: ${caseName}`);
    if (marker < 0) throw new Error(`no case ${caseName} in ${name}`);
    const lineStart = text.lastIndexOf("\n", marker) + 1;
    return file.facts.optimizers.find((s) => s.span.start >= lineStart && s.span.start < marker);
  };
  return {
    file,
    slice: (span) => (span ? text.slice(span.start, span.end) : undefined),
    site,
    arg(caseName, argName) {
      const found = site(caseName);
      if (!found) throw new Error(`no optimizer site for case ${caseName} in ${name}`);
      return found.args.get(argName);
    },
  };
}

/** A value's number, or undefined when it is not a known number. */
export function numberOf(value: ResolvedValue | undefined): number | undefined {
  return value?.value.kind === "number" ? value.value.value : undefined;
}
