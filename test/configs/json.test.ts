/** The JSON adapter: the config tree, errors, comments, and fixes that keep the file as written. */
import { describe, expect, it } from "vitest";
import { jsonAdapter, unparsedJsonKind } from "../../src/json/adapter.js";
import { parseTree, type ParseError } from "jsonc-parser";
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
    expect(result.messages.map((m) => [m.line, m.column, m.message])).toEqual([[2, 23, "Parsing error: unexpected character (invalid JSON; it looks like a template: lint the rendered file)"]]);
  });

  it("reads NaN and Infinity as Python's json writes them, as unknown values, with spans kept", () => {
    const text = '{"metrics": {"drift": NaN, "low": -Infinity, "high": [Infinity], "name": "NaN"},\n "optimizer": {"_target_": "torch.optim.Adam", "lr": NaN, "eps": 1e-8}}\n';
    const file = analyze(text);
    expect(file.syntaxErrors).toEqual([]);
    const [site] = file.facts.optimizers;
    expect(site.args.get("lr")!.value.value).toEqual({ kind: "unknown" });
    expect(slice(text, site.args.get("lr")!.span)).toBe('"lr": NaN');
    expect(site.args.get("eps")!.value.value).toEqual({ kind: "number", value: 1e-8 });
    expect(lintAll('{"a": NaNa}\n', "x.json").messages.map((m) => m.message)).toEqual(["Parsing error: unexpected character (invalid JSON; it looks like data, not a training config)"]);
  });

  it("takes JSON Lines saved as .json for data: no config, and a named file's error says it looks like data", () => {
    const lines = '{"input": "a", "output": "b"}\n{"input": "c", "output": "d"}\n';
    const file = analyze(lines);
    expect(file.configRoots).toEqual([]);
    expect(file.syntaxErrors.map((e) => e.message)).toEqual(["nothing may follow the top-level value (invalid JSON; it looks like data, not a training config)"]);
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

describe("JSON with NaN and infinities (Python's json module writes and reads them)", () => {
  const text = '{\n  "output_dir": "runs/a",\n  "optim": "adamw_torch",\n  "learning_rate": 0.5,\n  "max_grad_norm": Infinity,\n  "adam_epsilon": NaN,\n  "warmup": [-Infinity, 1]\n}\n';

  it("parses, with those values unknown and spanning the word, and the other values read", () => {
    const file = analyze(text);
    expect(file.syntaxErrors).toEqual([]);
    const root = file.configRoots![0];
    if (root.value.kind !== "mapping") throw new Error("not a mapping");
    const values = Object.fromEntries(root.value.entries.map((e) => [e.key, e.value]));
    expect(values.max_grad_norm.value).toEqual({ kind: "unknown" });
    expect(slice(text, values.max_grad_norm.span)).toBe("Infinity");
    expect(values.adam_epsilon.value).toEqual({ kind: "unknown" });
    expect(slice(text, values.adam_epsilon.span)).toBe("NaN");
    const warmup = values.warmup.value;
    if (warmup.kind !== "sequence") throw new Error("not a sequence");
    expect(warmup.items.map((i) => [i.value, slice(text, i.span)])).toEqual([
      [{ kind: "unknown" }, "-Infinity"],
      [{ kind: "number", value: 1 }, "1"],
    ]);
    expect(values.learning_rate.value).toEqual({ kind: "number", value: 0.5 });
  });

  it("reports on the rest and fixes it, keeping the NaN; an unknown eps gives no finding", () => {
    expect(lintAll(text, "args.json").messages.map((m) => [m.line, m.code])).toEqual([[4, "OPT003"]]);
    const adam = '{"_target_": "torch.optim.Adam", "weight_decay": 0.1, "eps": NaN}\n';
    expect(lintAll(adam, "c.json", true).output).toBe('{"_target_": "torch.optim.AdamW", "weight_decay": 0.1, "eps": NaN}\n');
  });

  it("count as parsing for a fix's check; a duplicate key does not", () => {
    expect(jsonAdapter.parses('{"lr": 0.1, "eps": NaN, "clip": -Infinity}')).toBe(true);
    expect(jsonAdapter.parses('{"lr": 0.1, "lr": NaN}')).toBe(false);
  });

  it("reads them only as bare values: in strings, in other words or spelled otherwise they stay what they were", () => {
    expect(analyze('{"lr": "NaN", "note": "Infinity"}').syntaxErrors).toEqual([]);
    for (const bad of ['{"lr": nan}', '{"lr": +Infinity}', '{"lr": - Infinity}', '{"lr": NaNa}', '{"lr": inf}']) {
      expect(analyze(bad).syntaxErrors.map((e) => e.message), bad).toHaveLength(1);
    }
  });
});

/** The kind of a text that fails to parse, as the adapter decides it from its first error. */
function kindOf(text: string): string {
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: true });
  expect(errors.length, text).toBeGreaterThan(0);
  return unparsedJsonKind(text, errors[0]);
}

describe("JSON that fails to parse: config, data or template", () => {
  it("is a template when placeholders alone, or template tags, break it", () => {
    expect(kindOf('{\n  "train_batch_size": GLOBAL_BATCH,\n  "zero_optimization": {"stage": ZERO_STAGE},\n  "fp16": {"enabled": USE_FP16}\n}\n')).toBe("template");
    expect(kindOf('{"optimizer": {"params": {"lr": $LR, "eps": <eps>, "betas": [%B1%, __B2__]}}}')).toBe("template");
    expect(kindOf('{"train_batch_size": GBSIZE, "curriculum": {"min_difficulty": CL_1st_MIN}, "zero_optimization": {}}')).toBe("template");
    // A capitalized word with underscores is one too, lower-case letters and all (DeepSpeed's compression templates).
    expect(kindOf('{"fp16": {"enabled": FP16_ENABLE}, "quantize_weight_in_forward": QuantW_FORWARD, "optimizer": {}}')).toBe("template");
    expect(kindOf('{"optimizer": {"params": {"lr": {{ lr }}}}}')).toBe("template");
    expect(kindOf('{"optimizer": "adam",\n{% if sched %} "scheduler": "cosine" {% endif %}\n}')).toBe("template");
  });

  it("is data when it is JSON Lines, or when what parses has no config key", () => {
    expect(kindOf('{"step": 10, "lr": 0.001, "loss": 2.3}\n{"step": 20, "lr": 0.001, "loss": NaN}\n')).toBe("data");
    expect(kindOf('[{"question": "Which optimizer?", "answer": "AdamW"},\n {"question": "lr?" "answer": "3e-4"}]')).toBe("data");
  });

  it("is a config when the broken part is not a placeholder and a key is one a training config sets", () => {
    // A missing comma; a bare class name or Python's True is a typo, not a placeholder; a template tag in a comment says nothing.
    expect(kindOf('{"optimizer": {"type": "AdamW", "params": {"lr": 3e-4\n "weight_decay": 0.1}}}')).toBe("config");
    expect(kindOf('{"optimizer": {"type": Adam, "params": {"lr": 3e-4}}}')).toBe("config");
    expect(kindOf('{"optimizer": {"type": SGD, "params": {"lr": 0.1}}}')).toBe("config");
    expect(kindOf('{"fp16": {"enabled": True}, "optimizer": {"type": "Adam"}}')).toBe("config");
    expect(kindOf('// lr: {{ lr }} in the template\n{"optimizer": {"type": "Adam",}, "lr" 1}')).toBe("config");
    expect(kindOf('{"run_name": "lr-{{ lr }}", "optimizer": {"type": "Adam"} "lr": 1}')).toBe("config");
    // Two objects, one of them broken: not JSON Lines.
    expect(kindOf('{"optimizer": "adam"}\n{"lr": 1e-3,,}\n')).toBe("config");
  });

  it("says what a named file looks like in its parsing error", () => {
    const lines = lintAll('{"instruction": "What does lr mean?"}\n{"instruction": "Pick an optimizer."}\n', "data.json");
    expect(lines.messages.map((m) => [m.line, m.column, m.fatal, m.message])).toEqual([
      [2, 1, true, "Parsing error: nothing may follow the top-level value (invalid JSON; it looks like data, not a training config)"],
    ]);
  });
});

describe("JSON files found by walking a folder (mayMatter)", () => {
  const mayMatter = (text: string) => jsonAdapter.mayMatter!(text);

  it("reads configs, those with NaN or comments too, and broken configs (their error is reported)", () => {
    expect(mayMatter('{"optimizer": {"type": "Adam", "params": {"lr": 1e-3}}}')).toBe(true);
    expect(mayMatter('\ufeff{"learning_rate": 1e-3, "max_grad_norm": Infinity}')).toBe(true);
    expect(mayMatter('{\n  // tuned\n  "learning_rate": 1e-3,\n}')).toBe(true);
    expect(mayMatter('{"optimizer": {"type": "AdamW", "params": {"lr": 3e-4\n "weight_decay": 0.1}}}')).toBe(true);
  });

  it("skips templates and data that fail to parse, and files without config words", () => {
    expect(mayMatter('{"train_batch_size": GLOBAL_BATCH, "zero_optimization": {"stage": ZERO_STAGE}}')).toBe(false);
    expect(mayMatter('{"step": 10, "lr": 0.001}\n{"step": 20, "lr": 0.001}\n')).toBe(false);
    expect(mayMatter('{"name": "x", "version": "1.0.0"}')).toBe(false);
  });
});
