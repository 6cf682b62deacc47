/**
 * Plain constructions that read a config: `lr=config["init_lr"]` after the script loads a YAML or JSON file itself
 * (`yaml.load(open(args.config))` with an argparse default, `json.load(f)` in `with open(path) as f`,
 * `OmegaConf.load(path)`), and `lr=cfg.optim.lr` in a `@hydra.main` app. The value is the one the file holds, read at
 * the argument, with a note where the file sets it; anything the script may change stays unknown.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../cli/run-cli.js";
import { lintMemory, lintProjectFiles } from "./helpers.js";

const PROJECT = path.join(ROOT, "fixtures", "projects", "config-loads");
const lintFixture = (...files: string[]) => lintProjectFiles(PROJECT, ...files);

describe("a config file the training script loads itself", () => {
  it("reads yaml.load(open(args.config)) with the argparse default's file, through the function the config is passed to", async () => {
    const findings = await lintFixture("train_caption.py");
    expect(findings.map((f) => f.at)).toEqual([
      // weight_decay=config["weight_decay"]: decay on every parameter; the note at caption.yaml line 3.
      "train_caption.py 9:42 OPT005 configs/caption.yaml:3:15",
      // lr=config["init_lr"]: at the keyword, the note where caption.yaml sets 0.5.
      "train_caption.py 9:62 OPT003 configs/caption.yaml:2:10",
    ]);
    expect(findings[0].message).toContain("AdamW applies weight_decay=0.05 (set in configs/caption.yaml, loaded by yaml.load()) to every parameter of `model`");
    expect(findings[1].message).toContain("lr=0.5 (set in configs/caption.yaml, loaded by yaml.load()) is far above the typical range for AdamW");
    // The values live in the YAML file: no edit of them is offered from the Python file; the parameter groups are.
    expect(findings.map((f) => [f.fix, f.suggestions])).toEqual([
      [
        undefined,
        [
          'Split the parameters into a decayed group (weight matrices) and an undecayed group (biases and norm weights) => [{"params": [p for p in model.parameters() if p.ndim >= 2]}, {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0}]',
        ],
      ],
      [undefined, []],
    ]);
  });

  it("reads json.load(f) inside `with open(path) as f`, and fixes the construction in the Python file", async () => {
    const [finding, ...rest] = await lintFixture("train_json.py");
    expect(rest).toEqual([]);
    expect(finding.at).toBe("train_json.py 9:13 OPT002 configs/sgd.json:2:36");
    expect(finding.message).toBe(
      "SGD runs classical momentum: momentum=0.9 (set in configs/sgd.json, loaded by json.load()) with nesterov off; pass nesterov=True for Nesterov momentum, which usually converges faster at no extra cost.",
    );
    expect(finding.fix).toBe(', nesterov=True');
  });

  it("reads OmegaConf.load(path) and attribute reads of it", async () => {
    const [finding, ...rest] = await lintFixture("train_omegaconf.py");
    expect(rest).toEqual([]);
    expect(finding.at).toBe("train_omegaconf.py 6:13 OPT001 configs/caption.yaml:3:15");
    expect(finding.message).toContain("Adam applies weight_decay=0.05 (set in configs/caption.yaml, loaded by OmegaConf.load())");
    expect(finding.fix).toBe("AdamW");
  });

  it("reads cfg.<path> of a @hydra.main app's composed config in a plain construction", async () => {
    const findings = await lintFixture("train_hydra.py");
    expect(findings.map((f) => f.at)).toEqual(["train_hydra.py 8:17 OPT001 conf/config.yaml:3:17", "train_hydra.py 8:54 OPT003 conf/config.yaml:2:7"]);
    expect(findings[0].message).toContain("Adam applies weight_decay=1e-4 (set in conf/config.yaml)");
    expect(findings[1].message).toContain("lr=2 (set in conf/config.yaml)");
  });

  it("stays silent for a clean construction that reads the same config (decay kept off biases and norms)", async () => {
    expect(await lintFixture("valid_groups.py")).toEqual([]);
  });

  it("stays unknown when the script changes what it loaded, opens the file for writing, names no file, names it at run time, keeps an interpolation, or loads YAML as JSON, and when a helper is called with two configs", async () => {
    expect(await lintFixture("train_unknown.py")).toEqual([]);
  });

  it("stays unknown when the loaded config is handed to a function that writes into it, or to a project helper whose result is dropped", () => {
    const lines = (...body: string[]) => ["import torch", "import yaml", "from tools import merge_args", ...body, ""].join("\n");
    const build = 'torch.optim.Adam(torch.nn.Linear(2, 2).parameters(), lr=config["optimizer"]["lr"])';
    const load = 'config = yaml.safe_load(open("configs/train.yaml"))';
    const files = (main: string) => ({ "/p/configs/train.yaml": "optimizer:\n  lr: 0.5\n", "/p/tools.py": "def merge_args(c, a):\n    pass\n", "/p/train.py": main });
    const lint = (main: string) => lintMemory(files(main), ["/p/train.py"]).map((f) => f.at);
    // Read as loaded, printed and logged: the file's value.
    expect(lint(lines(load, "print(config)", build))).toEqual(["train.py 6:54 OPT003 configs/train.yaml:2:7"]);
    // A helper of the file that sets the rate in what it is given, through the whole config or a part of it.
    expect(lint(lines("def set_lr(c):", '    c["lr"] = 1e-4', load, 'set_lr(config["optimizer"])', build))).toEqual([]);
    expect(lint(lines("def set_lr(c):", '    c["optimizer"]["lr"] = 1e-4', "def main():", `    ${load}`, "    set_lr(config)", `    ${build}`, "main()"))).toEqual([]);
    // A name bound to a part of it, written into.
    expect(lint(lines(load, 'opt_cfg = config["optimizer"]', 'opt_cfg["lr"] = 1e-4', build))).toEqual([]);
    // An imported helper called for its effect.
    expect(lint(lines(load, "merge_args(config, None)", build))).toEqual([]);
    // A key read handed to an imported helper is a value, not the config; dumping the config writes nothing into it.
    expect(lint(lines(load, 'merge_args(None, config["optimizer"]["lr"])', "yaml.dump(config, None)", build))).toEqual(["train.py 7:54 OPT003 configs/train.yaml:2:7"]);
    // A helper of the file that only reads what it is given changes nothing.
    expect(lint(lines("def show(c):", "    return len(c)", load, "show(config)", build))).toEqual(["train.py 8:54 OPT003 configs/train.yaml:2:7"]);
  });

  it("stays unknown when a @hydra.main app hands its config to a function that writes into it", () => {
    const app = (...body: string[]) =>
      ["import hydra", "import torch", "", ...body, '@hydra.main(config_path="conf", config_name="config", version_base=None)', "def main(cfg):", "    prepare(cfg)", "    torch.optim.Adam(torch.nn.Linear(2, 2).parameters(), lr=cfg.optim.lr)", ""].join("\n");
    const lint = (main: string) => lintMemory({ "/p/conf/config.yaml": "optim:\n  lr: 2.0\n", "/p/train.py": main }, ["/p/train.py"]).map((f) => f.at);
    expect(lint(app("def prepare(cfg):", "    return cfg.optim.lr"))).toEqual(["train.py 9:58 OPT003 conf/config.yaml:2:7"]);
    expect(lint(app("def prepare(c):", "    c.optim.lr = c.optim.lr / 1000"))).toEqual([]);
  });

  it("stays unknown through a function another file may call with another config", async () => {
    expect(await lintFixture("shared.py", "uses_shared.py")).toEqual([]);
    // Alone in its project, the module's only call passes the loaded file.
    const files = {
      "/p/configs/caption.yaml": "weight_decay: 0.05\n",
      "/p/shared.py": [
        "import torch",
        "import yaml",
        "",
        "def run(model, config):",
        '    return torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=config["weight_decay"])',
        "",
        'config = yaml.safe_load(open("configs/caption.yaml"))',
        "run(torch.nn.Linear(4, 4), config)",
        "",
      ].join("\n"),
    };
    expect(lintMemory(files, ["/p/shared.py"]).map((f) => f.at)).toEqual(["shared.py 5:12 OPT001 configs/caption.yaml:1:15"]);
    const imported = { ...files, "/p/other.py": "from shared import run\n" };
    expect(lintMemory(imported, ["/p/shared.py", "/p/other.py"])).toEqual([]);
  });

  it("keeps each load's own loader and overridability when one file loads the same config twice", () => {
    const main = [
      "import argparse",
      "import torch",
      "import yaml",
      "from omegaconf import OmegaConf",
      "parser = argparse.ArgumentParser()",
      'parser.add_argument("--config", default="configs/train.yaml")',
      "args = parser.parse_args()",
      "model = torch.nn.Linear(2, 2)",
      'fixed = OmegaConf.load("configs/train.yaml")',
      "chosen = yaml.safe_load(open(args.config))",
      'torch.optim.SGD(model.parameters(), lr=1e-3, momentum=fixed["momentum"])',
      'torch.optim.SGD(model.parameters(), lr=1e-3, momentum=chosen["momentum"])',
      "",
    ].join("\n");
    const findings = lintMemory({ "/p/configs/train.yaml": "momentum: 0.9\n", "/p/train.py": main }, ["/p/train.py"]);
    expect(findings.map((f) => f.at)).toEqual(["train.py 11:1 OPT002 configs/train.yaml:1:11", "train.py 12:1 OPT002 configs/train.yaml:1:11"]);
    // The first read (OmegaConf.load of a fixed path) and the second (yaml.safe_load of a path a run may change) see
    // the same file, not the same tree: each value names its own loader, and only the second may change at run time.
    expect(findings[0].message).toBe(
      "SGD runs classical momentum: momentum=0.9 (set in configs/train.yaml, loaded by OmegaConf.load()) with nesterov off; pass nesterov=True for Nesterov momentum, which usually converges faster at no extra cost.",
    );
    expect(findings[1].message).toContain("momentum=0.9 (set in configs/train.yaml, loaded by yaml.safe_load()) with nesterov off");
    expect(findings[1].message).toContain("this setting can change at run time");
  });

  it("reads nothing when the text is linted alone, with no files around it", () => {
    const text = 'import torch, yaml\ncfg = yaml.safe_load(open("c.yaml"))\ntorch.optim.Adam(m.parameters(), lr=1e-3, weight_decay=cfg["wd"])\n';
    expect(lintMemory({ "/p/t.py": text }, ["/p/t.py"])).toEqual([]);
    expect(lintMemory({ "/p/t.py": text, "/p/c.yaml": "wd: 0.01\n" }, ["/p/t.py"]).map((f) => f.at)).toEqual(["t.py 3:1 OPT001 c.yaml:1:5"]);
  });
});
