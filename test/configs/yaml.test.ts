/** The YAML adapter: the config tree, typing, errors, comments, and fixes that keep the file as written. */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { analyzeYaml, parseYaml, unparsedYamlKind, yamlAdapter } from "../../src/yaml/adapter.js";
import { documentTree } from "../../src/yaml/tree.js";
import type { ResolvedValue } from "../../src/core/facts.js";
import { dataOf, entry, lintAll, slice } from "./helpers.js";

const treeOf = (text: string): ResolvedValue => documentTree(parseAllDocuments(text)[0] as never, text)!;

describe("YAML config tree", () => {
  it("has exact spans for keys, values and entries, also after non-ASCII text", () => {
    const text = "# é 😀\nopt:\n  lr: 0.1   # c\n  'name': \"x\"\n";
    const opt = entry(treeOf(text), "opt");
    expect(slice(text, opt.keySpan)).toBe("opt");
    const lr = entry(opt.value, "lr");
    expect(slice(text, lr.keySpan)).toBe("lr");
    expect(slice(text, lr.value.span)).toBe("0.1");
    expect(slice(text, lr.span)).toBe("lr: 0.1");
    expect(lr.value.literalSpan).toEqual(lr.value.span);
    const name = entry(opt.value, "name");
    expect(slice(text, name.span)).toBe("'name': \"x\"");
    expect(name.value.value).toEqual({ kind: "string", value: "x" });
  });

  it("types scalars as YAML 1.2 core, with 1e-3 a number", () => {
    const root = treeOf("a: 1e-3\nb: 0.1\nc: true\nd: null\ne: ~\nf: adam\ng: '1e-3'\nh: 3\n");
    const v = (k: string) => entry(root, k).value.value;
    expect(v("a")).toEqual({ kind: "number", value: 0.001 });
    expect(v("b")).toEqual({ kind: "number", value: 0.1 });
    expect(v("c")).toEqual({ kind: "bool", value: true });
    expect(v("d")).toEqual({ kind: "none" });
    expect(v("e")).toEqual({ kind: "none" });
    expect(v("f")).toEqual({ kind: "string", value: "adam" });
    expect(v("g")).toEqual({ kind: "string", value: "1e-3" });
    expect(v("h")).toEqual({ kind: "number", value: 3 });
  });

  it("reads scalars that YAML 1.1 readers type differently as unknown", () => {
    const root = treeOf("a: yes\nb: off\nc: 0755\nd: 1_000\ne: 1:30\nf: 'yes'\n");
    for (const k of ["a", "b", "c", "d", "e"]) expect([k, entry(root, k).value.value.kind]).toEqual([k, "unknown"]);
    expect(entry(root, "f").value.value).toEqual({ kind: "string", value: "yes" });
  });

  it("keeps interpolations, ???, foreign tags and conversions unknown, with their text in the origin", () => {
    const root = treeOf("a: ${optim.lr}\nb: ???\nc: !!python/object:torch.optim.Adam {lr: 1}\nd: run_${seed}\ne: !!float 1\n");
    expect(entry(root, "a").value.value.kind).toBe("unknown");
    expect(entry(root, "a").value.origin?.description).toBe("interpolation ${optim.lr}");
    expect(entry(root, "b").value.value.kind).toBe("unknown");
    expect(entry(root, "c").value.value.kind).toBe("unknown");
    expect(entry(root, "c").value.origin?.description).toContain("not constructed");
    expect(entry(root, "d").value.value.kind).toBe("unknown");
    expect(entry(root, "e").value.value.kind).toBe("unknown");
  });

  it("resolves aliases to the anchor's value with the anchor as origin, and merges `<<` keys", () => {
    const text = "base: &b\n  lr: 0.1\n  momentum: 0.9\nx: *b\ny:\n  <<: *b\n  lr: 0.2\n";
    const root = treeOf(text);
    const x = entry(root, "x").value;
    expect(x.value.kind).toBe("mapping");
    expect(slice(text, x.span)).toBe("*b");
    expect(slice(text, x.origin!.span)).toBe("lr: 0.1\n  momentum: 0.9\n");
    expect(x.origin!.description).toBe("anchor &b");
    expect(x.literalSpan).toBeUndefined();
    const y = entry(root, "y").value;
    expect(entry(y, "lr").value.value).toEqual({ kind: "number", value: 0.2 });
    expect(entry(y, "momentum").value.value).toEqual({ kind: "number", value: 0.9 });
  });

  it("stops expanding nested aliases (a billion laughs) and reads them unknown", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${Array(10).fill(`*${"abcdefghij"[i - 1]}`).join(", ")}]`);
    const root = treeOf(`${levels.join("\n")}\n`);
    let deepest = entry(root, "i").value;
    while (deepest.value.kind === "sequence") deepest = deepest.value.items[deepest.value.items.length - 1];
    expect(deepest.value.kind).toBe("unknown");
  });
});

describe("YAML analysis", () => {
  it("finds optimizers in every document, with ids unique in the file", () => {
    const text = "_target_: torch.optim.Adam\nlr: 0.1\n---\n_target_: torch.optim.SGD\nlr: 0.1\n";
    const file = analyzeYaml(text, "conf/opt.yaml");
    expect(file.facts.optimizers.map((s) => [s.id, s.canonical, s.dialect])).toEqual([
      ["conf/opt.yaml#0", "torch.optim.Adam", "hydra"],
      ["conf/opt.yaml#1", "torch.optim.SGD", "hydra"],
    ]);
    expect(slice(text, file.facts.optimizers[1].nameSpan)).toBe("torch.optim.SGD");
  });

  it("reports invalid YAML with its position and no facts", () => {
    const result = lintAll("optimizer:\n  _target_: torch.optim.Adam\n  lr: [0.1\n", "bad.yaml");
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatchObject({ fatal: true, severity: 2, line: 4 });
    expect(result.messages[0].message).toMatch(/^Parsing error: .*\(invalid YAML\)$/);
  });

  it("reports one parsing error for a broken line, however many the parser derives from it", () => {
    const text = "optimization:\n  lr: [0.0001]\ncheckpoint: save_interval: 10\n  keep_last: 1\n";
    const result = lintAll(text, "broken.yaml");
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatchObject({ fatal: true, line: 3 });
  });

  it("reads a mapping with keys that have no value (a flow set, an explicit key) beside an optimizer", () => {
    const text = "optimizer:\n  _target_: torch.optim.Adam\n  lr: 0.001\nlabels: {cats, dogs}\n? lone key\n";
    const result = lintAll(text, "flow-set.yaml");
    expect(result.messages.filter((m) => m.fatal)).toEqual([]);
    expect(analyzeYaml(text, "flow-set.yaml").facts.optimizers.map((o) => o.canonical)).toEqual(["torch.optim.Adam"]);
  });

  it("reports a duplicate key at the second key, and no facts", () => {
    const text = "_target_: torch.optim.Adam\nweight_decay: 0.1\nlr: 0.1\nweight_decay: 0\n";
    const result = lintAll(text, "dup.yaml");
    expect(result.messages.map((m) => [m.line, m.column, m.message, m.fatal])).toEqual([
      [4, 1, "Parsing error: Duplicate key weight_decay in a YAML mapping (readers disagree on which value counts: keep one)", true],
    ]);
  });

  it("merges every `<<` key of a mapping, a later one winning, as PyYAML does, without a duplicate-key error", () => {
    const text = "defaults: &d\n  _target_: torch.optim.Adam\n  lr: 0.001\n  eps: 1e-8\nbig: &big\n  lr: 0.5\nopt:\n  <<: *d\n  <<: *big\n";
    expect(lintAll(text, "merges.yaml").messages.filter((m) => m.fatal)).toEqual([]);
    const opt = entry(treeOf(text), "opt").value;
    expect(entry(opt, "lr").value.value).toEqual({ kind: "number", value: 0.5 });
    expect(entry(opt, "eps").value.value).toEqual({ kind: "number", value: 1e-8 });
    // In one `<<` key's list, the earlier mapping wins.
    const listed = entry(treeOf(text.replace("  <<: *d\n  <<: *big\n", "  <<: [*d, *big]\n")), "opt").value;
    expect(entry(listed, "lr").value.value).toEqual({ kind: "number", value: 0.001 });
    // A merge key written twice is no duplicate; other keys still are.
    expect(lintAll("a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n  y: 1\n  y: 2\n", "d.yaml").messages.map((m) => [m.line, m.message])).toEqual([
      [6, "Parsing error: Duplicate key y in a YAML mapping (readers disagree on which value counts: keep one)"],
    ]);
  });

  it("names a duplicate key that follows a key with no value, at the duplicate", () => {
    const result = lintAll("lr: 0.1\ndatasets:\ndatasets:\n  coco: {}\n", "dup-empty.yaml");
    expect(result.messages.map((m) => [m.line, m.column, m.message])).toEqual([
      [3, 1, "Parsing error: Duplicate key datasets in a YAML mapping (readers disagree on which value counts: keep one)"],
    ]);
  });

  it("reports no indentation error, and reads nothing, when only the indentation of a flow collection or quoted scalar breaks YAML 1.2 (duplicate keys aside)", () => {
    // PyYAML reads both: inside a flow collection or a quoted scalar it ignores how lines are indented.
    const quoted = "her:\n  policy: MlpPolicy\n  policy_kwargs: \"dict(\n    net_arch=[64, 64]\n  )\"\n  learning_rate: 0.001\n";
    const flow = "optimizer : {\n  type: AdamW,\n  kwargs: {\n  lr : 0.5,\n  weight_decay : 0.05\n}}\n";
    for (const [text, name] of [[quoted, "sac.yml"], [flow, "pointbert.yaml"]]) {
      expect(parseAllDocuments(text).flatMap((d) => (d as { errors: unknown[] }).errors)).not.toEqual([]);
      expect(parseYaml(text).laxIndentOnly).toBe(true);
      expect(lintAll(text, name).messages).toEqual([]);
      expect(analyzeYaml(text, name).facts.optimizers).toEqual([]);
    }
    // A duplicate key beside such a flow keeps its own report; the indentation error goes (SlowFast's MViT configs).
    const both = "MVIT:\n  MODE: conv\n  MODE: conv\n  STRIDE: [[0, 1], [1, 1],\n  [2, 1]]\n  DEPTH: 2\n";
    expect(parseYaml(both).laxIndentOnly).toBe(true);
    expect(lintAll(both, "mvit.yaml").messages.map((m) => [m.line, m.column, m.message])).toEqual([
      [3, 3, "Parsing error: Duplicate key MODE in a YAML mapping (readers disagree on which value counts: keep one)"],
    ]);
    // A tag or anchor before the collection changes nothing (SpeechBrain's `!new:torch.nn.ModuleList [[` closed at column 1).
    const tagged = "lr: 0.1\nmodel: !new:torch.nn.ModuleList [[\n    !ref <enc>,\n    !ref <out>\n]]\nopt: &o {\nlr: 0.5}\n";
    expect(parseAllDocuments(tagged).flatMap((d) => (d as { errors: unknown[] }).errors)).not.toEqual([]);
    expect(parseYaml(tagged).laxIndentOnly).toBe(true);
    expect(lintAll(tagged, "hparams.yaml").messages).toEqual([]);
    // A quote that never closes is still broken.
    expect(lintAll("optimizer:\n  type: Adam\n  name: \"adam\nlr: 0.1\n", "q.yaml").messages.map((m) => m.fatal)).toEqual([true]);
  });

  it("reads `#` comments for suppression directives", () => {
    const text = "# optim-lint: disable-next-line OPT001\n_target_: torch.optim.Adam\nweight_decay: 0.1\nx: 'not # a comment'\n";
    const file = analyzeYaml(text);
    expect(file.comments).toEqual([{ line: 0, text: "# optim-lint: disable-next-line OPT001", ownLine: true }]);
    const result = lintAll(text, "s.yaml");
    expect(result.messages).toEqual([]);
    expect(result.suppressedMessages.map((m) => m.code)).toEqual(["OPT001"]);
  });

  it("is chosen for .yaml and .yml files", () => {
    expect(yamlAdapter.handles("a/b.yaml")).toBe(true);
    expect(yamlAdapter.handles("a/b.YML")).toBe(true);
    expect(yamlAdapter.handles("a/b.json")).toBe(false);
  });
});

/**
 * Fixes the text with every rule and checks what a fix must keep: the result parses, reads as the same data
 * apart from `change`, keeps every comment, and a second run changes nothing.
 */
function fixed(text: string, change: (data: Record<string, unknown>) => void, filePath = "c.yaml"): string {
  const result = lintAll(text, filePath, true);
  const output = result.output ?? text;
  expect(lintAll(output, filePath).messages.filter((m) => m.fatal)).toEqual([]);
  const expected = dataOf(text, filePath) as Record<string, unknown>;
  change(expected);
  expect(dataOf(output, filePath)).toEqual(expected);
  for (const comment of text.match(/#.*$/gm) ?? []) expect(output).toContain(comment);
  expect(lintAll(output, filePath, true).output).toBeUndefined();
  return output;
}

describe("YAML fixes", () => {
  it("renames the target keeping its quotes", () => {
    const set = (o: Record<string, unknown>) => (o._target_ = "torch.optim.AdamW");
    expect(fixed("_target_: torch.optim.Adam  # opt\nweight_decay: 0.01\n", set)).toBe("_target_: torch.optim.AdamW  # opt\nweight_decay: 0.01\n");
    expect(fixed("_target_: 'torch.optim.Adam'\nweight_decay: 0.01\n", set)).toBe("_target_: 'torch.optim.AdamW'\nweight_decay: 0.01\n");
    expect(fixed('_target_: "torch.optim.Adam"\nweight_decay: 0.01\n', set)).toBe('_target_: "torch.optim.AdamW"\nweight_decay: 0.01\n');
  });

  it("adds a key after the last entry's line, at the mapping's indentation, keeping a trailing comment in place", () => {
    const text = "model:\n  depth: 3\noptimizer:\n  _target_: torch.optim.SGD\n  lr: 0.1\n  momentum: 0.9  # heavy ball\ntrainer:\n  epochs: 3\n";
    const out = fixed(text, (o) => ((o.optimizer as Record<string, unknown>).nesterov = true));
    expect(out).toBe("model:\n  depth: 3\noptimizer:\n  _target_: torch.optim.SGD\n  lr: 0.1\n  momentum: 0.9  # heavy ball\n  nesterov: true\ntrainer:\n  epochs: 3\n");
  });

  it("adds a key in a flow mapping, in a mapping inside a sequence, with CRLF, and at the end of a file without a newline", () => {
    expect(fixed("opt: {_target_: torch.optim.SGD, lr: 0.1, momentum: 0.9}\n", (o) => ((o.opt as Record<string, unknown>).nesterov = true))).toBe(
      "opt: {_target_: torch.optim.SGD, lr: 0.1, momentum: 0.9, nesterov: true}\n",
    );
    expect(fixed("opts:\n  - _target_: torch.optim.SGD\n    momentum: 0.9\n", (o) => (((o.opts as Record<string, unknown>[])[0]).nesterov = true))).toBe(
      "opts:\n  - _target_: torch.optim.SGD\n    momentum: 0.9\n    nesterov: true\n",
    );
    expect(fixed("_target_: torch.optim.SGD\r\nmomentum: 0.9\r\n", (o) => (o.nesterov = true))).toBe("_target_: torch.optim.SGD\r\nmomentum: 0.9\r\nnesterov: true\r\n");
    expect(fixed("_target_: torch.optim.SGD\nmomentum: 0.9", (o) => (o.nesterov = true))).toBe("_target_: torch.optim.SGD\nmomentum: 0.9\nnesterov: true");
  });

  it("quotes a new key as the mapping's keys are quoted", () => {
    expect(fixed('"_target_": torch.optim.SGD\n"momentum": 0.9\n', (o) => (o.nesterov = true))).toBe('"_target_": torch.optim.SGD\n"momentum": 0.9\n"nesterov": true\n');
  });

  it("replaces an existing value, also an empty one or an alias", () => {
    const edit = (text: string, value: boolean) => {
      const file = analyzeYaml(text);
      const edits = yamlAdapter.edits(file, { kind: "set-argument", site: file.facts.optimizers[0].id, name: "nesterov", value });
      if (typeof edits === "string") throw new Error(edits);
      return edits.map((e) => [slice(text, e.span), e.text]);
    };
    expect(edit("_target_: torch.optim.SGD\nnesterov: false # no\n", true)).toEqual([["false", "true"]]);
    expect(edit("_target_: torch.optim.SGD\nnesterov:\n", true)).toEqual([["", " true"]]);
    expect(edit("n: &n false\nopt:\n  _target_: torch.optim.SGD\n  nesterov: *n\n", true)).toEqual([["*n", "true"]]);
    // Setting what is already written is no edit at all.
    expect(edit("_target_: torch.optim.SGD\nnesterov: true\n", true)).toEqual([]);
  });

  it("adds a key locally when the mapping merges the value from an anchor (the anchor may be shared)", () => {
    const text = "base: &b\n  _target_: torch.optim.SGD\n  momentum: 0.9\n  nesterov: false\nopt:\n  <<: *b\n  lr: 0.1\n";
    const file = analyzeYaml(text);
    const inOpt = file.facts.optimizers.find((s) => slice(text, s.span).startsWith("<<"))!;
    expect(yamlAdapter.edits(file, { kind: "set-argument", site: inOpt.id, name: "nesterov", value: true })).toEqual([
      { span: { start: text.length - 1, end: text.length - 1 }, text: "\n  nesterov: true" },
    ]);
  });

  it("swaps betas in flow and block sequences", () => {
    const swap = (o: Record<string, unknown>) => (o.betas = [0.9, 0.999]);
    expect(fixed("_target_: torch.optim.AdamW\nbetas: [0.999, 0.9]  # b\n", swap)).toBe("_target_: torch.optim.AdamW\nbetas: [0.9, 0.999]  # b\n");
    expect(fixed("_target_: torch.optim.AdamW\nbetas:\n  - 0.999\n  - 0.9\n", swap)).toBe("_target_: torch.optim.AdamW\nbetas:\n  - 0.9\n  - 0.999\n");
  });

  it("does not swap betas that come from a shared anchor", () => {
    const result = lintAll("b: &b [0.999, 0.9]\nopt:\n  _target_: torch.optim.AdamW\n  betas: *b\n", "a.yaml");
    const swap = result.messages.find((m) => m.code === "OPT009");
    expect(swap).toBeDefined();
    expect(swap!.fix).toBeUndefined();
  });

  it("renders numbers every YAML reader types as numbers", () => {
    const file = analyzeYaml("_target_: torch.optim.SGD\nlr: 0.1\n");
    const site = file.facts.optimizers[0].id;
    const set = (value: number) => yamlAdapter.edits(file, { kind: "set-argument", site, name: "lr", value });
    expect(set(1e-8)).toEqual([{ span: { start: 30, end: 33 }, text: "1.0e-8" }]);
    expect(set(2.5e-7)).toEqual([{ span: { start: 30, end: 33 }, text: "2.5e-7" }]);
    expect(set(0.001)).toEqual([{ span: { start: 30, end: 33 }, text: "0.001" }]);
    expect(set(Infinity)).toEqual([{ span: { start: 30, end: 33 }, text: ".inf" }]);
  });
});

describe("YAML that fails to parse: config, data or template", () => {
  const kindOf = (text: string) => {
    const parsed = parseYaml(text);
    expect(parsed.errors.length, text).toBeGreaterThan(0);
    return unparsedYamlKind(text, parsed);
  };
  const HELM = "{{- range $i, $lr := .Values.sweep.learning_rate }}\n---\nkind: PyTorchJob\nmetadata:\n  name: {{ $.Release.Name }}-{{ $i }}\nspec:\n  args: [--lr={{ $lr }}, --optimizer=adamw]\n{{- end }}\n";
  const JINJA = "optimizer:\n  _target_: torch.optim.AdamW\n  lr: {{ learning_rate }}\n{% if warmup %}\nscheduler: {warmup_steps: 100}\n{% endif %}\n";
  const TAGGED = "%TAG !run! tag:example.org,2026:sweep/\n--- !run!trial\nparams: {optimizer: adamw, lr: 0.0003}\n...\n--- !run!trial\nparams: {optimizer: sgd, lr: 0.1}\n...\n";

  it("is a template with Jinja, Helm or Go template tags outside comments, whatever keys it has", () => {
    expect(kindOf(HELM)).toBe("template");
    expect(kindOf(JINJA)).toBe("template");
  });

  it("is data when only tags break it (handles its own loader defines) or when what parses has no config key", () => {
    expect(kindOf(TAGGED)).toBe("data");
    expect(kindOf("images:\n  - file: a.jpg\n   caption: an optimizer at work\n")).toBe("data");
  });

  it("is a config when a config key parses and no template tag explains the break", () => {
    expect(kindOf("optimizer:\n  _target_: torch.optim.Adam\n   lr: 0.1\n")).toBe("config");
    expect(kindOf("# lr: {{ base.lr }} comes from the base\noptimizer:\n  type: Adam\n  lr: [0.1\n")).toBe("config");
    expect(kindOf("run_name: 'lr-{{ lr }}'\noptimizer:\n  type: Adam\n  lr: [0.1\n")).toBe("config");
     // A tab as indentation swallows the rest of the document: the config keys after it are still key lines of the text.
    const tabbed = "trainer: ocp\nlosses:\n  - energy:\n      fn: mae\n\t  coefficient: 1\n  # forces\n  - forces:\n      fn: l2mae\n\noptim:\n  optimizer: AdamW\n  lr_initial: 0.0004\n";
    expect(kindOf(tabbed)).toBe("config");
    expect(lintAll(tabbed, "example.yml").messages.map((m) => m.message)).toEqual(["Parsing error: Tabs are not allowed as indentation (invalid YAML)"]);
    // A key named in a comment or inside a value is not a key line.
    expect(kindOf("images:\n  - file: a.jpg\n   caption: 'optimizer: adam'\n# lr: 0.1\n")).toBe("data");
  });

  it("says what a named file looks like in its parsing errors; duplicate keys keep their own words", () => {
    const result = lintAll(JINJA, "finetune.yaml");
    expect(result.messages.map((m) => [m.line, m.column, m.fatal, m.message])).toEqual([
      [4, 2, true, "Parsing error: Plain value cannot start with directive indicator character % (invalid YAML; it looks like a template: lint the rendered file)"],
    ]);
    const tagged = lintAll(TAGGED, "sweep_log.yaml");
    expect(tagged.messages.map((m) => m.message)).toEqual(["Parsing error: Could not resolve tag: !run!trial (invalid YAML; it looks like data, not a training config)"]);
    const broken = lintAll("optimizer:\n  type: Adam\n  type: SGD\n  lr: [0.1\n", "c.yaml");
    expect(broken.messages.map((m) => m.message)).toEqual([
      "Parsing error: Duplicate key type in a YAML mapping (readers disagree on which value counts: keep one)",
      expect.stringMatching(/^Parsing error: .*\(invalid YAML\)$/),
    ]);
  });
});

describe("YAML files found by walking a folder (mayMatter)", () => {
  const mayMatter = (text: string) => yamlAdapter.mayMatter!(text);

  it("skips templates and documents broken only by tags", () => {
    expect(mayMatter("optimizer:\n  _target_: torch.optim.AdamW\n  lr: {{ learning_rate }}\n{% if warmup %}\nscheduler: {}\n{% endif %}\n")).toBe(false);
    expect(mayMatter("%TAG !run! tag:example.org,2026:sweep/\n--- !run!trial\nlr: 0.1\n...\n--- !run!trial\nlr: 0.2\n")).toBe(false);
  });

  it("reads configs, templated ones that parse and ones with ordinary tags too, and broken configs", () => {
    expect(mayMatter("_target_: torch.optim.Adam\nlr: 1e-3\n")).toBe(true);
    // Helm values and a quoted template tag parse: read as written (the tag's value is a string, no finding rests on it).
    expect(mayMatter("optimizer: adamw\nlr: \"{{ .Values.lr }}\"\n")).toBe(true);
    expect(mayMatter("optimizer:\n  betas: !!python/tuple [0.9, 0.999]\n  lr: 0.001\n")).toBe(true);
    expect(mayMatter("optimizer:\n  _target_: torch.optim.Adam\n   lr: 0.1\n")).toBe(true);
    expect(mayMatter("services:\n  web:\n    image: nginx\n")).toBe(false);
  });
});
