/**
 * `npm run docs` output: the rule pages, the README's rule table and the settings' JSON Schema are what the generator
 * computes from the code now (a stale file fails here: run `npm run docs`), and the schema accepts every sample
 * configuration in the repository and rejects what the configuration loader rejects, checked with ajv.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { CONFIG_KEYS, parseConfig } from "../../src/config/load.js";
import { SCHEMA_PATH, generateDocs } from "../../scripts/docs/generate.js";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const read = (relative: string) => readFileSync(path.join(ROOT, relative), "utf8");

let generated: Map<string, string>;
beforeAll(() => {
  generated = generateDocs(ROOT, read("README.md"));
}, 120_000);

describe("generated files", () => {
  it("writes a page per rule, the README and the schema", () => {
    expect([...generated.keys()].sort()).toEqual([...RULES.map((r) => `docs/rules/${r.meta.name}.md`), "README.md", SCHEMA_PATH].sort());
  });

  it.each([...RULES.map((r) => `docs/rules/${r.meta.name}.md`), "README.md", SCHEMA_PATH])("%s is up to date (else run npm run docs)", (file) => {
    expect(read(file)).toBe(generated.get(file));
  });

  it("reads each option's type and JSDoc from the rule's options type, matching the runtime docs", () => {
    const page = generated.get("docs/rules/lr-out-of-range.md")!;
    expect(page).toContain("| `factor` | number | `10` | How far outside the typical range");
    expect(page).toMatch(/\| `ranges` \| table of adam, sgd, .* → table of low, high, suggested → number \| `\{\}` \|/);
    const schema = JSON.parse(generated.get(SCHEMA_PATH)!);
    for (const rule of RULES) {
      const table = schema.definitions[`rule-${rule.meta.name}`].anyOf[1].properties as Record<string, { description?: string; default?: unknown }>;
      const options = Object.keys(table).filter((k) => k !== "severity");
      expect(options.sort(), rule.meta.name).toEqual(Object.keys(rule.defaultOptions).sort());
      for (const name of options) {
        expect(table[name].default, `${rule.meta.name}.${name}`).toEqual((rule.defaultOptions as Record<string, unknown>)[name]);
        expect(table[name].description, `${rule.meta.name}.${name}: the JSDoc and docs.options differ`).toBe(rule.meta.docs.options?.[name]);
      }
    }
  });

  it("describes every key the configuration loader reads, with its JSDoc", () => {
    const schema = JSON.parse(generated.get(SCHEMA_PATH)!);
    expect(Object.keys(schema.properties)).toEqual([...CONFIG_KEYS]);
    for (const key of CONFIG_KEYS) expect(schema.properties[key].description, key).toBeTruthy();
    expect(schema.properties["unsafe-fixes"]).toMatchObject({ type: "boolean", default: false });
  });
});

describe("the settings schema", () => {
  const schema = JSON.parse(read(SCHEMA_PATH));
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  const errors = (data: unknown) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

  /** The optim-lint table of a TOML file: `[tool.optim-lint]` in pyproject.toml, the whole of optim-lint.toml. */
  const tableOf = (file: string, text: string) => {
    const doc = parse(text) as Record<string, Record<string, unknown>>;
    return path.basename(file) === "pyproject.toml" ? doc.tool?.["optim-lint"] : doc;
  };

  const samples = [
    "fixtures/cli/layered/pyproject.toml",
    "fixtures/cli/layered/sub/pyproject.toml",
    "fixtures/cli/layered/sub/optim-lint.toml",
  ];
  it.each(samples)("accepts the sample configuration %s, which the loader accepts too", (file) => {
    const text = read(file);
    expect(parseConfig(text, path.join(ROOT, file), RULES)).toBeDefined();
    expect(errors(tableOf(file, text))).toEqual([]);
  });

  it("accepts the README's configuration samples", () => {
    const blocks = [...read("README.md").matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /^\[tool\.optim-lint\]|^#:schema/m.test(b));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) {
      const doc = parse(block) as Record<string, Record<string, unknown>>;
      const table = block.includes("[tool.optim-lint]") ? doc.tool["optim-lint"] : doc;
      expect(errors(table), block).toEqual([]);
    }
  });

  it("rejects what the loader rejects: an unknown key, rule, option or severity, and a wrong type", () => {
    const bad = read("fixtures/cli/bad-config/pyproject.toml");
    expect(() => parseConfig(bad, "/p/pyproject.toml", RULES)).toThrow(/Unknown rule "adam-weight-decy"/);
    expect(errors(tableOf("pyproject.toml", bad))).not.toEqual([]);
    const cases: [string, RegExp][] = [
      ["slect = [\"OPT001\"]", /Unknown key/],
      ["[rules]\nOPT003 = { severity = \"warning\", factr = 20 }", /Unknown option "factr"/],
      ["[rules]\nOPT003 = { factor = \"big\" }", /must be number/],
      ["[rules]\nOPT002 = \"loud\"", /Invalid severity/],
      ["include-tests = \"yes\"", /must be a boolean/],
      ["unsafe-fixes = 1", /must be a boolean/],
      ["exclude = \"build\"", /must be an array of strings/],
    ];
    for (const [text, loaderError] of cases) {
      expect(() => parseConfig(text, "/p/optim-lint.toml", RULES), text).toThrow(loaderError);
      expect(errors(parse(text)), text).not.toEqual([]);
    }
  });

  it("accepts every rule by code and by name, with its options and a severity", () => {
    const table = {
      "unsafe-fixes": true,
      rules: { OPT001: "warn", "lr-out-of-range": { severity: "warning", factor: 20, ranges: { sgd: { high: 5 } } }, OPT009: { severity: "off" } },
      "per-file-ignores": { "tests/*": ["OPT001"] },
    };
    expect(errors(table)).toEqual([]);
    expect(errors({ rules: { "lr-out-of-range": { ranges: { sdg: { high: 5 } } } } })).not.toEqual([]);
  });
});
