/**
 * Each rule page shows a training config (`docs.configExample`): linting it with the rule alone must report the rule,
 * so an example that stops triggering (a recognizer change, a typo) fails here instead of misleading readers.
 */
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintWith } from "./harness.js";

/** The file name a config example is linted as, by its language. */
const FILE_FOR = { yaml: "conf/optimizer/example.yaml", json: "configs/example.json", python: "configs/example_config.py" } as const;

describe.each(RULES.map((rule) => [rule.meta.name, rule] as const))("%s", (name, rule) => {
  const example = rule.meta.docs.configExample;
  it.runIf(example !== undefined)("its config example triggers it", () => {
    const result = lintWith(rule, example!.code, FILE_FOR[example!.language]);
    expect(result.messages.filter((m) => m.fatal)).toEqual([]);
    expect(result.messages.map((m) => m.ruleId)).toContain(name);
  });
});
