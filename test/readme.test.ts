/** The README's rule table lists every registered rule, by code, name and documentation page. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RULES } from "../rules/index.js";

const README = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "README.md"), "utf8");

describe("README", () => {
  it("starts with the two set-up commands", () => {
    const firstBlock = README.slice(README.indexOf("```sh"), README.indexOf("```", README.indexOf("```sh") + 5));
    expect(firstBlock).toContain("npm ci && npx optim-lint fixtures/showcase");
    expect(firstBlock).toContain("npm test");
  });

  it.each(RULES.map((r) => [r.meta.code, r.meta.name]))("lists %s %s in the rule table", (code, name) => {
    expect(README).toMatch(new RegExp(`^\\| ${code} \\| \\[${name}\\]\\(docs/rules/${name}\\.md\\) \\| ${RULES.find((r) => r.meta.code === code)!.meta.defaultSeverity} \\|`, "m"));
  });
});
