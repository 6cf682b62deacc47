/** HyperPyYAML (SpeechBrain's hyperparameter files): `!name:` / `!new:` constructions and `!ref` references. */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { asNumber, type ResolvedValue } from "../../src/core/facts.js";
import { analyzeYaml } from "../../src/yaml/adapter.js";
import { documentTree } from "../../src/yaml/tree.js";
import { entry, lintAll, slice } from "./helpers.js";

const treeOf = (text: string): ResolvedValue => documentTree(parseAllDocuments(text)[0] as never, text)!;

/** The value under a path of keys. */
function at(tree: ResolvedValue, ...keys: string[]): ResolvedValue {
  return keys.reduce((v, k) => entry(v, k).value, tree);
}

const BASE = "lr: 0.001\nname: run\nfolder: results\nbetas: [0.9, 0.98]\nmodel: {hidden: 3}\n";

describe("HyperPyYAML references", () => {
  it("reads a whole <key> reference as the top-level value, spanning the tag, with its origin at the key", () => {
    const text = `${BASE}opt: !name:torch.optim.Adam\n  lr: !ref <lr>\n  betas: !ref <betas>\n`;
    const tree = treeOf(text);
    const lr = at(tree, "opt", "lr");
    expect(asNumber(lr)).toBe(0.001);
    expect(slice(text, lr.span)).toBe("!ref <lr>");
    expect(slice(text, lr.origin!.span)).toBe("0.001");
    expect(lr.origin!.description).toBe("top-level key read by !ref <lr>");
    expect(lr.origin!.overridable).toBe(true);
    const betas = at(tree, "opt", "betas").value;
    expect(betas.kind === "sequence" && betas.items.map((i) => asNumber(i))).toEqual([0.9, 0.98]);
  });

  it("follows a chain of references and reads text with string references in it", () => {
    const text = `${BASE}base: !ref <lr>\nopt: !name:torch.optim.Adam\n  lr: !ref <base>\nsave: !ref <folder>/<name>/save\n`;
    const tree = treeOf(text);
    expect(asNumber(at(tree, "opt", "lr"))).toBe(0.001);
    expect(at(tree, "save").value).toEqual({ kind: "string", value: "results/run/save" });
  });

  it.each([
    ["arithmetic", "!ref <lr> * 2"],
    ["numbers in text, which the loader evaluates", "!ref <lr>/<lr>"],
    ["a nested key", "!ref <model[hidden]>"],
    ["an attribute", "!ref <model.hidden>"],
    ["a mapping, which would be read twice", "!ref <model>"],
    ["a key the file lacks", "!ref <nothing>"],
    ["a cycle", "!ref <loop>"],
    ["a placeholder", "!PLACEHOLDER"],
    ["a function's result", "!apply:float [1]"],
    ["a file's content", "!include:other.yaml"],
  ])("leaves %s unknown", (_what, written) => {
    const text = `${BASE}loop: !ref <back>\nback: !ref <loop>\nopt: !name:torch.optim.Adam\n  weight_decay: ${written}\n`;
    expect(at(treeOf(text), "opt", "weight_decay").value.kind).toBe("unknown");
  });

  it("reads numbers PyYAML reads as strings (no dot, unsigned exponent) as unknown in a HyperPyYAML file only", () => {
    const tagged = treeOf("a: 1e-3\nb: 1.0e3\nc: 1.0e-3\nd: 10\nopt: !ref <d>\n");
    expect(["a", "b", "c", "d"].map((k) => asNumber(at(tagged, k)))).toEqual([undefined, undefined, 0.001, 10]);
    const plain = treeOf("a: 1e-3\nb: 1.0e3\nopt: !custom <d>\n");
    expect(["a", "b"].map((k) => asNumber(at(plain, k)))).toEqual([0.001, 1000]);
    expect(at(plain, "opt").value.kind).toBe("unknown");
  });
});

describe("HyperPyYAML constructions", () => {
  it("keeps a !name: or !new: tag on its mapping, with the path's span", () => {
    const text = "opt: !name:torch.optim.Adam  # c\n  lr: 0.1\nsgd: !new:torch.optim.SGD {lr: 1}\nbare: !name:torch.optim.SGD\n";
    const tree = treeOf(text);
    for (const [key, kind, path] of [["opt", "name", "torch.optim.Adam"], ["sgd", "new", "torch.optim.SGD"], ["bare", "name", "torch.optim.SGD"]] as const) {
      const v = at(tree, key).value;
      expect(v.kind === "mapping" && v.constructs && { kind: v.constructs.kind, path: v.constructs.path, at: slice(text, v.constructs.span) }).toEqual({ kind, path, at: path });
    }
    expect(slice(text, at(tree, "sgd").span)).toBe("{lr: 1}");
  });

  it("builds optimizer sites from partials and instances, and scheduler facts from scheduler tags", () => {
    const text = [
      "lr: 0.01",
      "opt_class: !name:torch.optim.Adam",
      "  lr: !ref <lr>",
      "  weight_decay: 0.0001",
      "probe: !new:torch.optim.SGD {params: !apply:list [[]], lr: 0.1}",
      "model: !new:torch.nn.Linear {in_features: 2, out_features: 3}",
      "lr_annealing: !new:speechbrain.nnet.schedulers.NewBobScheduler",
      "  initial_value: !ref <lr>",
      "decay: !name:torch.optim.lr_scheduler.ExponentialLR",
      "  gamma: 0.9",
      "",
    ].join("\n");
    const { facts } = analyzeYaml(text, "hparams.yaml");
    expect(facts.optimizers.map((s) => [s.canonical, s.dialect, s.params.kind, slice(text, s.nameSpan), slice(text, s.span).split("\n")[0]])).toEqual([
      ["torch.optim.Adam", "hyperpyyaml", "missing", "torch.optim.Adam", "!name:torch.optim.Adam"],
      ["torch.optim.SGD", "hyperpyyaml", "other", "torch.optim.SGD", "!new:torch.optim.SGD {params: !apply:list [[]], lr: 0.1}"],
    ]);
    const [adam] = facts.optimizers;
    expect(asNumber(adam.args.get("lr")?.value)).toBe(0.01);
    expect(asNumber(adam.args.get("weight_decay")?.value)).toBe(0.0001);
    expect(facts.schedulers.map((s) => s.canonical)).toEqual(["speechbrain.nnet.schedulers.NewBobScheduler", "torch.optim.lr_scheduler.ExponentialLR"]);
  });

  it("reads no construction from a tag that names no optimizer, or from a tag on a list", () => {
    const { facts } = analyzeYaml("opt: !new:my.module.Adam\n  lr: 0.1\nsgd: !new:torch.optim.SGD [[], 0.1]\n", "h.yaml");
    expect(facts.optimizers).toEqual([]);
  });

  it("renames the class inside the tag, keeping the line as written", () => {
    const text = "lr: 0.001\nopt_class: !name:torch.optim.Adam   # built by the Brain\n    lr: !ref <lr>\n    weight_decay: 0.01\n";
    expect(lintAll(text, "hparams.yaml", true).output).toBe(text.replace("torch.optim.Adam", "torch.optim.AdamW"));
  });
});

describe("HyperPyYAML tags quoted in comments", () => {
  it("finds the tag itself, not its text in a comment after it or before it", () => {
    const text = "# !name:torch.optim.Adam\nopt: !name:torch.optim.Adam  # not !name:torch.optim.Adam\n  # !name:torch.optim.Adam\n  lr: 0.1\n";
    const v = at(treeOf(text), "opt").value;
    expect(v.kind === "mapping" && v.constructs?.span.start).toBe(text.indexOf("torch.optim.Adam", 25));
  });
});

describe("HyperPyYAML keywords merged from elsewhere", () => {
  it("marks a construction open when a merge key brings in what the tree does not read", () => {
    const text = "defaults: &d {lr: 0.1}\nopen: !name:torch.optim.Adam\n  <<: !include:base.yaml\n  lr: 0.1\nclosed: !name:torch.optim.Adam\n  <<: *d\n";
    const tree = treeOf(text);
    const open = at(tree, "open").value;
    const closed = at(tree, "closed").value;
    expect(open.kind === "mapping" && open.open).toBe(true);
    expect(closed.kind === "mapping" && closed.open).toBeUndefined();
    expect(closed.kind === "mapping" && closed.entries.map((e) => e.key)).toEqual(["lr"]);
  });
});
