/** The JSON adapter: the config tree, errors, comments, and fixes that keep the file as written. */
import { describe, expect, it } from "vitest";
import { jsonAdapter } from "../../src/json/adapter.js";
import { dataOf, lintAll, slice } from "./helpers.js";

const analyze = (text: string) => jsonAdapter.analyze(text, "ds.json");

describe("JSON analysis", () => {
  it("finds optimizers with exact spans", () => {
    const text = '{\n  "optimizer": {"_target_": "torch.optim.Adam", "lr": 1e-3}\n}\n';
    const [site] = analyze(text).facts.optimizers;
    expect(site.id).toBe("ds.json#0");
    expect(slice(text, site.nameSpan)).toBe('"torch.optim.Adam"');
    expect(slice(text, site.args.get("lr")!.span)).toBe('"lr": 1e-3');
    expect(site.args.get("lr")!.value.value).toEqual({ kind: "number", value: 0.001 });
  });

  it("reports invalid JSON and duplicate keys with their positions, and no facts", () => {
    const bad = lintAll('{\n  "_target_": "torch.optim.Adam",\n  "weight_decay": 0.1\n  "lr": 0.1\n}\n', "bad.json");
    expect(bad.messages.map((m) => [m.line, m.column, m.message, m.fatal])).toEqual([[4, 3, "Parsing error: a comma was expected (invalid JSON)", true]]);
    const dup = lintAll('{"_target_": "torch.optim.Adam", "weight_decay": 0.1,\n "weight_decay": 0}\n', "dup.json");
    expect(dup.messages.map((m) => [m.line, m.column, m.endColumn, m.message])).toEqual([
      [2, 2, 16, 'Parsing error: Duplicate key "weight_decay" in a JSON object (first at line 1, column 34; readers disagree on which value counts: keep one)'],
    ]);
  });

  it("reports one parsing error for a template whose placeholders break it in several places", () => {
    const text = '{\n  "train_batch_size": BATCH,\n  "optimizer": {"type": "Adam", "params": {"lr": LR}}\n}\n';
    const result = lintAll(text, "ds_template.json");
    expect(result.messages.map((m) => [m.line, m.column, m.message])).toEqual([[2, 23, "Parsing error: unexpected character (invalid JSON)"]]);
  });

  it("reads NaN and Infinity as Python's json writes them, as unknown values, with spans kept", () => {
    const text = '{"metrics": {"drift": NaN, "low": -Infinity, "high": [Infinity], "name": "NaN"},\n "optimizer": {"_target_": "torch.optim.Adam", "lr": NaN, "eps": 1e-8}}\n';
    const file = analyze(text);
    expect(file.syntaxErrors).toEqual([]);
    const [site] = file.facts.optimizers;
    expect(site.args.get("lr")!.value.value).toEqual({ kind: "unknown" });
    expect(slice(text, site.args.get("lr")!.span)).toBe('"lr": NaN');
    expect(site.args.get("eps")!.value.value).toEqual({ kind: "number", value: 1e-8 });
    expect(lintAll('{"a": NaNa}\n', "x.json").messages.map((m) => m.message)).toEqual(["Parsing error: unexpected character (invalid JSON)"]);
  });

  it("takes JSON Lines saved as .json for data: no config and no parsing error", () => {
    const lines = '{"input": "a", "output": "b"}\n{"input": "c", "output": "d"}\n';
    const file = analyze(lines);
    expect([file.syntaxErrors, file.configRoots]).toEqual([[], []]);
    expect(lintAll('{"a": 1}\n{"b": 2\n', "half.json").messages).toHaveLength(1);
  });

  it("accepts comments and trailing commas (JSONC), and reads directives from comments", () => {
    const text = '{\n  // optim-lint: disable-next-line OPT001\n  "_target_": "torch.optim.Adam", "weight_decay": 0.1,\n}\n';
    const file = analyze(text);
    expect(file.syntaxErrors).toEqual([]);
    expect(file.comments).toEqual([{ line: 1, text: "# optim-lint: disable-next-line OPT001", ownLine: true }]);
    expect(lintAll(text, "c.json").suppressedMessages.map((m) => m.code)).toEqual(["OPT001"]);
  });

  it("is chosen for .json files, not notebooks", () => {
    expect(jsonAdapter.handles("ds_config.json")).toBe(true);
    expect(jsonAdapter.handles("train.ipynb")).toBe(false);
  });
});

/** Fixes with every rule; the result parses, means the same apart from `change`, and a second run changes nothing. */
function fixed(text: string, change: (data: Record<string, unknown>) => void): string {
  const output = lintAll(text, "c.json", true).output ?? text;
  expect(analyze(output).syntaxErrors).toEqual([]);
  const expected = dataOf(text, "c.json") as Record<string, unknown>;
  change(expected);
  expect(dataOf(output, "c.json")).toEqual(expected);
  for (const comment of text.match(/\/\/.*$/gm) ?? []) expect(output).toContain(comment);
  expect(lintAll(output, "c.json", true).output).toBeUndefined();
  return output;
}

describe("JSON fixes", () => {
  it("renames, adds a key on its own line with the file's indentation, and swaps betas", () => {
    const text = '{\n\t"a": {\n\t\t"_target_": "torch.optim.SGD",\n\t\t"momentum": 0.9 \n\t},\n\t"b": {"_target_": "torch.optim.Adam", "weight_decay": 1e-4, "betas": [0.999, 0.9]}\n}\n';
    const out = fixed(text, (o) => {
      (o.a as Record<string, unknown>).nesterov = true;
      Object.assign(o.b as object, { _target_: "torch.optim.AdamW", betas: [0.9, 0.999] });
    });
    expect(out).toBe(
      '{\n\t"a": {\n\t\t"_target_": "torch.optim.SGD",\n\t\t"momentum": 0.9,\n\t\t"nesterov": true \n\t},\n\t"b": {"_target_": "torch.optim.AdamW", "weight_decay": 1e-4, "betas": [0.9, 0.999]}\n}\n',
    );
  });

  it("adds after a trailing comma and keeps CRLF and comments", () => {
    const text = '{\r\n  "_target_": "torch.optim.SGD", // sgd\r\n  "momentum": 0.9,\r\n}\r\n';
    expect(fixed(text, (o) => (o.nesterov = true))).toBe('{\r\n  "_target_": "torch.optim.SGD", // sgd\r\n  "momentum": 0.9,\r\n  "nesterov": true,\r\n}\r\n');
  });

  it("writes values as JSON and refuses numbers JSON cannot hold", () => {
    const file = analyze('{"_target_": "torch.optim.SGD", "lr": 0.1}');
    const site = file.facts.optimizers[0].id;
    expect(jsonAdapter.edits(file, { kind: "set-argument", site, name: "lr", value: 1e-8 })).toEqual([{ span: { start: 38, end: 41 }, text: "1e-8" }]);
    expect(jsonAdapter.edits(file, { kind: "set-argument", site, name: "betas", value: [0.9, 0.95] })).toEqual([
      { span: { start: 41, end: 41 }, text: ', "betas": [0.9, 0.95]' },
    ]);
    expect(jsonAdapter.edits(file, { kind: "set-argument", site, name: "lr", value: NaN })).toBe("JSON has no NaN or infinite numbers");
  });
});
