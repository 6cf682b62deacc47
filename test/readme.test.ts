/** The README's rule table lists every registered rule, by code, name and documentation page. */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RULES } from "../rules/index.js";
import { buildOnce, runCli } from "./cli/run-cli.js";

const README = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "README.md"), "utf8");

describe("README", () => {
  it("starts with the two set-up commands", () => {
    const firstBlock = README.slice(README.indexOf("```sh"), README.indexOf("```", README.indexOf("```sh") + 5));
    expect(firstBlock).toContain("npm ci && npx optim-lint fixtures/showcase");
    expect(firstBlock).toContain("npm test");
  });

  it("shows the sample output optim-lint prints on the showcase", () => {
    const command = "```text\n$ npx optim-lint fixtures/showcase\n";
    const start = README.indexOf(command);
    expect(start).toBeGreaterThan(0);
    const sample = README.slice(start + command.length, README.indexOf("```\n", start + command.length));
    buildOnce();
    const run = runCli(ROOT, ["fixtures/showcase"]);
    expect(run.status).toBe(1);
    expect(sample.trimEnd()).toBe(run.stdout.trimEnd());
  });

  it.each(RULES.map((r) => [r.meta.code, r.meta.name]))("lists %s %s in the rule table", (code, name) => {
    expect(README).toMatch(new RegExp(`^\\| ${code} \\| \\[${name}\\]\\(docs/rules/${name}\\.md\\) \\| ${RULES.find((r) => r.meta.code === code)!.meta.defaultSeverity} \\|`, "m"));
  });
});

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const TOP_FOLDERS = ["src", "rules", "docs", "test", "bench", "fixtures", "scripts", "bin"];

/** Repository paths a Markdown text names: `code spans` and link targets that start at a top-level folder. */
function namedPaths(markdown: string): string[] {
  const candidates = [...markdown.matchAll(/`([^`\s]+)`/g), ...markdown.matchAll(/\]\(([^)\s#]+)[^)]*\)/g)].map((m) => m[1]);
  return [...new Set(candidates.map((c) => c.replace(/^\.\//, "").replace(/[.,:;]$/, "")))].filter(
    // Placeholders such as `rules/<name>.ts` and globs are patterns, not paths.
    (c) => TOP_FOLDERS.includes(c.split("/")[0]) && c.includes("/") && !/[<>*{}]/.test(c),
  );
}

describe("documentation paths", () => {
  const docs = ["README.md", ...readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

  it.each(docs)("every repository path %s names exists", (doc) => {
    const named = namedPaths(readFileSync(path.join(ROOT, doc), "utf8"));
    // Folders the project makes on demand and keeps out of git (the bench corpus) are named without existing.
    // A root-anchored .gitignore entry names such a folder, with or without a trailing slash (`/bench/corpus` also
    // ignores a symlink there).
    const generated = readFileSync(path.join(ROOT, ".gitignore"), "utf8").split("\n").filter((l) => l.startsWith("/")).map((l) => l.slice(1).replace(/\/$/, ""));
    const missing = named.filter((p) => !existsSync(path.join(ROOT, p)) && !generated.some((g) => p === g || p.startsWith(`${g}/`)));
    expect(missing).toEqual([]);
  });

  it("finds the paths it checks (the check cannot pass vacuously)", () => {
    expect(namedPaths("see `src/core/engine.ts` and [the rule](docs/rules/x.md), not `rules/<name>.ts` or `npm test`")).toEqual([
      "src/core/engine.ts",
      "docs/rules/x.md",
    ]);
  });
});
