/**
 * The model-kind and precision rules on a notebook: the model is built in one cell and its optimizer in another,
 * findings land on the optimizer's cell in the .ipynb text, and the safe eps fix keeps the notebook valid JSON.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";
import { ROOT } from "./harness.js";

const path = "fixtures/notebook/model_rules.ipynb";
const text = readFileSync(join(ROOT, path), "utf8");
const MODEL_RULES = ["OPT010", "OPT013", "OPT014", "OPT015", "OPT016"];
const rules = RULES.filter((r) => MODEL_RULES.includes(r.meta.code)).map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

/** The notebook line a message starts on, as text. */
function lineOf(line: number): string {
  return text.split("\n")[line - 1].trim();
}

describe("model rules on a notebook", () => {
  const { messages } = lintText(text, { filePath: path, rules });

  it("reports each rule once, on the optimizer's line in its cell", () => {
    const found = messages.map((m) => [m.code, lineOf(m.line)]);
    expect(found).toEqual([
      ["OPT010", '"bert_optimizer = torch.optim.Adam(bert.parameters(), lr=2e-5)\\n"'],
      ["OPT013", '"bert_optimizer = torch.optim.Adam(bert.parameters(), lr=2e-5)\\n"'],
      ["OPT015", '"cnn_optimizer = torch.optim.SGD(cnn.parameters(), lr=0.1)\\n",'],
      ["OPT016", '"ada_optimizer = torch.optim.Adagrad(ada.parameters(), lr=0.01)\\n"'],
    ]);
  });

  it("reads an RL library imported in another cell (fixtures/notebook/rl_policy.ipynb)", () => {
    const rl = "fixtures/notebook/rl_policy.ipynb";
    const rlText = readFileSync(join(ROOT, rl), "utf8");
    const found = lintText(rlText, { filePath: rl, rules }).messages.map((m) => [m.code, rlText.split("\n")[m.line - 1].trim()]);
    expect(found).toEqual([["OPT014", '"policy_optimizer = torch.optim.Adam(policy.parameters(), lr=3e-4, weight_decay=1e-4)\\n"']]);
  });

  it("points the evidence note at the model's cell", () => {
    const opt010 = messages.find((m) => m.code === "OPT010")!;
    expect(opt010.related?.map((r) => lineOf(r.line))).toEqual(['"bert = AutoModelForSequenceClassification.from_pretrained(\\"bert-base-uncased\\", torch_dtype=torch.float16)\\n"']);
  });

  it("applies only the safe eps fix, and the notebook stays valid JSON", () => {
    const { output } = lintText(text, { filePath: path, rules, fix: true });
    expect(output).toBeDefined();
    const cells = JSON.parse(output!).cells as { source: string[] }[];
    expect(cells[3].source.join("")).toBe("bert_optimizer = torch.optim.Adam(bert.parameters(), lr=2e-5, eps=0.000001)\n");
    expect(output!.replace("lr=2e-5, eps=0.000001)", "lr=2e-5)")).toBe(text);
  });
});

describe("a freeze in one cell (fixtures/notebook/frozen_scope.ipynb)", () => {
  const frozen = "fixtures/notebook/frozen_scope.ipynb";
  const frozenText = readFileSync(join(ROOT, frozen), "utf8");
  const all = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

  it("spares only the constructions training the frozen model or a model built from it", () => {
    const found = lintText(frozenText, { filePath: frozen, rules: all }).messages.map((m) => [m.code, frozenText.split("\n")[m.line - 1].trim()]);
    expect(found).toEqual([["OPT005", '"optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)\\n"']]);
  });
});
