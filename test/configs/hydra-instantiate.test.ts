/**
 * Hydra's `instantiate` joins a Python call to the composed config it builds from: the call's keyword arguments
 * override the config's values, its parameters and model evidence count, and the optimizer judged from its YAML
 * alone is left out, so that one value gives one finding.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintPaths } from "../../src/cli/lint-paths.js";
import { ROOT } from "../cli/run-cli.js";
import { lintMemory, lintProjectFiles, projectFindings as found } from "./helpers.js";

const PROJECT = path.join(ROOT, "fixtures", "projects", "hydra-instantiate");
const lintFixture = (...files: string[]) => lintProjectFiles(PROJECT, ...files);

describe("hydra.utils.instantiate joined with the composed config", () => {
  it("judges the config's optimizer with the parameters the call passes: decay on every parameter of a transformer", async () => {
    const [finding, ...rest] = await lintFixture("train.py");
    expect(rest).toEqual([]);
    // At `params=model.parameters()` in train.py; the note at the decay in the group option (read from disk).
    expect(finding.at).toBe("train.py 11:63 OPT005 conf/optimizer/adamw.yaml:3:15");
    expect(finding.message).toContain("AdamW applies weight_decay=0.1 (from config group option optimizer/adamw.yaml) to every parameter of `model`");
  });

  it("stays silent when the call passes parameter groups that keep norms and biases out of decay (the clean twin)", async () => {
    expect(await lintFixture("train_groups.py")).toEqual([]);
  });

  it("lets the call's keywords override the config, and reads `cfg.<path>` keywords from the composed config", async () => {
    const findings = await lintFixture("finetune.py");
    expect(findings.map((f) => f.at)).toEqual([
      // Adam with the group option's weight_decay: the construction is the call; the note at adam.yaml line 3.
      "finetune.py 11:17 OPT001 conf/optimizer/adam.yaml:3:15",
      // lr=cfg.train.lr: at the keyword, the note where finetune.yaml sets it.
      "finetune.py 14:9 OPT003 conf/finetune.yaml:7:7",
    ]);
    expect(findings[1].message).toContain("lr=3 (set in conf/finetune.yaml)");
    // adam.yaml's swapped betas are overridden by `betas=(0.9, 0.999)` at the call: no OPT009.
    // The class is named in adam.yaml: renaming it is not offered as a fix in finetune.py.
    expect(findings[0].fix).toBeUndefined();
  });

  it("gives one finding per value when the YAML files are linted too", async () => {
    const alone = await lintFixture("conf/optimizer/adam.yaml");
    // Judged alone, adam.yaml has coupled decay and swapped betas.
    expect(alone.map((f) => f.at)).toEqual(["conf/optimizer/adam.yaml 1:1 OPT001", "conf/optimizer/adam.yaml 5:1 OPT009"]);
    // With the apps that build it, the joined constructions replace it. Findings about the construction itself and
    // about values adam.yaml writes are shown in adam.yaml, with a note at each call that builds it (the coupled decay
    // of finetune.py and setup_compose.py is one finding; the swapped betas come from setup_compose.py only, since
    // finetune.py overrides them). Findings about what a call passes stay at the call.
    const all = await lintFixture(".");
    expect(all.map((f) => f.at)).toEqual([
      "conf/optimizer/adam.yaml 1:1 OPT001 conf/optimizer/adam.yaml:3:15 finetune.py:11:17 setup_compose.py:11:17",
      "conf/optimizer/adam.yaml 5:1 OPT009 conf/optimizer/adam.yaml:5:8 setup_compose.py:11:17",
      // Two apps build sgd.yaml with different momentum: two findings, each naming its call.
      "conf/optimizer/sgd.yaml 2:1 OPT002 conf/vision.yaml:7:11 train_trainer.py:14:26",
      "conf/optimizer/sgd.yaml 2:1 OPT002 conf/optimizer/sgd.yaml:4:11 train_vision.py:10:17",
      "finetune.py 14:9 OPT003 conf/finetune.yaml:7:7",
      "train.py 11:63 OPT005 conf/optimizer/adamw.yaml:3:15",
      "train_helper.py 9:42 OPT005 conf/optimizer/adamw.yaml:3:15",
    ]);
    // Shown in adam.yaml, each is fixed there by the YAML adapter (the rename is unsafe: it is applied with --unsafe-fixes).
    expect(all[0].message).toMatch(/\(Built by hydra\.utils\.instantiate\(\) at \.\.\/\.\.\/finetune\.py:11\.\)$/);
    expect(all[0].fix).toBe("torch.optim.AdamW");
    expect(all[1].fix).toBe("0.9, 0.999");
    expect(all[1].message).toContain("betas=(0.999, 0.9) (from config group option optimizer/adam.yaml)");
    expect(all[1].message).toMatch(/\(Built by instantiate\(\) at \.\.\/\.\.\/setup_compose\.py:11\.\)$/);
  });

  it("reads a config composed with `initialize`/`compose`, and one a helper of the file receives from its only call", async () => {
    // compose(config_name="finetune") under initialize(config_path="conf"); lr=1e-5 from the call is in range.
    expect((await lintFixture("setup_compose.py")).map((f) => f.at)).toEqual(["setup_compose.py 11:17 OPT001 conf/optimizer/adam.yaml:3:15", "setup_compose.py 11:17 OPT009 conf/optimizer/adam.yaml:5:8"]);
    // build_optimizer(cfg.optimizer, model) from main(): the helper's `optim_cfg` is the config's `optimizer`.
    expect((await lintFixture("train_helper.py")).map((f) => f.at)).toEqual(["train_helper.py 9:42 OPT005 conf/optimizer/adamw.yaml:3:15"]);
  });

  it("follows a config a class keeps from its only construction (`self.cfg = cfg`) into its methods", async () => {
    // Trainer(cfg) in main(); build_optimizer() reads self.cfg.optimizer, and `momentum=self.cfg.momentum` is read
    // from the composition (vision.yaml line 7) over the option's 0.9.
    const [finding, ...rest] = await lintFixture("train_trainer.py");
    expect(rest).toEqual([]);
    expect(finding.at).toBe("train_trainer.py 14:26 OPT002 conf/vision.yaml:7:11");
    expect(finding.message).toContain("momentum=0.95 (set in conf/vision.yaml)");
  });

  it("stays unknown for a rewritten config, a spread, a missing config, a partial, a helper called twice or never, compose overrides, and an instance's config that is not certain", async () => {
    expect(await lintFixture("train_unknown.py")).toEqual([]);
    // Without a join, the YAML is judged alone as before.
    expect((await lintFixture("train_unknown.py", "conf/optimizer/adam.yaml")).map((f) => f.at)).toEqual([
      "conf/optimizer/adam.yaml 1:1 OPT001",
      "conf/optimizer/adam.yaml 5:1 OPT009",
    ]);
  });

  it("reports a value the call passes at its keyword, with a fix there; `from hydra.utils import call` and subscripts count", () => {
    const files = {
      "/p/conf/main.yaml": "optim:\n  _target_: torch.optim.AdamW\n  lr: 1.0e-3\n  weight_decay: 0.0\n",
      "/p/run.py": [
        "import hydra",
        "from hydra.utils import call",
        "",
        '@hydra.main(config_path="conf", config_name="main.yaml")',
        "def run(cfg):",
        '    return call(cfg["optim"], net.parameters(), betas=(0.98, 0.9))',
        "",
      ].join("\n"),
    };
    const findings = lintMemory(files, ["/p/run.py"]);
    expect(findings.map((f) => `${f.at} ${f.fix}`)).toEqual(["run.py 6:49 OPT009 0.9, 0.98"]);
    // The same betas written in the config: reported there (a primary without a defaults list), and not fixed from run.py.
    const inConfig = { ...files, "/p/conf/main.yaml": files["/p/conf/main.yaml"] + "  betas: [0.98, 0.9]\n", "/p/run.py": files["/p/run.py"].replace(", betas=(0.98, 0.9)", "") };
    expect(lintMemory(inConfig, ["/p/run.py"]).map((f) => f.at)).toEqual(["run.py 6:12 OPT009 conf/main.yaml:5:10"]);
  });
});

describe("the schedules a joined config builds", () => {
  it("keep a construction's lr unjudged when the config's scheduler sets the rate (OneCycleLR), as for the YAML alone", () => {
    const config = "optimizer:\n  _target_: torch.optim.AdamW\n  lr: 0.5\n  weight_decay: 0.0\n";
    const schedule = "scheduler:\n  _target_: torch.optim.lr_scheduler.OneCycleLR\n  max_lr: 1.0e-3\n  total_steps: 1000\n";
    const run = ["import hydra", "", '@hydra.main(config_path=".", config_name="main")', "def run(cfg):", "    return hydra.utils.instantiate(cfg.optimizer, net.parameters())", ""].join("\n");
    // Without a scheduler, lr=0.5 is reported at its YAML line (shown at the call, main.yaml not being linted).
    expect(lintMemory({ "/p/main.yaml": config, "/p/run.py": run }, ["/p/run.py"]).map((f) => f.at)).toEqual(["run.py 5:12 OPT003 main.yaml:3:7"]);
    expect(lintMemory({ "/p/main.yaml": config + schedule, "/p/run.py": run }, ["/p/run.py"])).toEqual([]);
  });
});

describe("a Lightning module that calls the optimizer factory its Hydra config passes (`_partial_: true`)", () => {
  const LIGHTNING = path.join(ROOT, "fixtures", "projects", "hydra-lightning");
  const lint = async (...paths: string[]) => found(await lintPaths(paths.map((p) => path.join(LIGHTNING, p)), { cwd: LIGHTNING }), LIGHTNING);

  it("judges the factory's call in the module with each config that builds the module", async () => {
    // `self.hparams.optimizer(params=...)` with classifier.yaml's Adam: the coupled decay is reported at the call, the
    // note at the YAML line. classifier_clean.yaml builds the same module with AdamW and no decay: silent.
    // tagger.yaml's SGD lacks nesterov, but TaggerModule's `self.optimizer(..., nesterov=True)` passes it: silent.
    // classifier.yaml is linted too: the finding is shown at its optimizer, with a note at the factory's call, and
    // the class is renamed there.
    const all = await lint(".");
    expect(all.map((f) => f.at)).toEqual(["configs/model/classifier.yaml 4:3 OPT001 configs/model/classifier.yaml:7:17 src/models/classifier_module.py:21:21"]);
    expect(all[0].message).toContain("Adam applies weight_decay=0.01 (set in classifier.yaml)");
    expect(all[0].message).toMatch(/\(Built by self\.hparams\.optimizer\(\) at \.\.\/\.\.\/src\/models\/classifier_module\.py:21\.\)$/);
    expect(all[0].fix).toBe("torch.optim.AdamW");
    // The join starts from a linted config: the module alone has no construction to judge.
    expect(await lint("src/models/classifier_module.py")).toEqual([]);
  });

  it("judges the YAML alone when the module is not linted with it", async () => {
    expect((await lint("configs")).map((f) => f.at)).toEqual(["configs/model/classifier.yaml 4:3 OPT001", "configs/model/tagger.yaml 4:3 OPT002"]);
  });

  it("does not join a module that leaves the factory out of its hyperparameters, or one that stores something else", () => {
    const config = "_target_: app.Module\noptimizer:\n  _target_: torch.optim.SGD\n  _partial_: true\n  lr: 0.1\n  momentum: 0.9\n";
    const module = (init: string, call: string) =>
      ["class Module(LightningModule):", "    def __init__(self, optimizer):", `        ${init}`, "", "    def configure_optimizers(self):", `        return ${call}`, ""].join("\n");
    const cases = [
      module('self.save_hyperparameters(ignore=["optimizer"])', "self.hparams.optimizer(self.parameters(), nesterov=True)"),
      module("self.optimizer = make_optimizer(optimizer)", "self.optimizer(self.parameters(), nesterov=True)"),
    ];
    for (const text of cases) {
      const files = { "/p/pyproject.toml": "", "/p/conf/module.yaml": config, "/p/app.py": text };
      // Not joined: the YAML is judged alone (SGD without nesterov), as if the module were not there.
      expect(lintMemory(files, ["/p/conf/module.yaml", "/p/app.py"]).map((f) => f.at)).toEqual(["conf/module.yaml 3:3 OPT002"]);
    }
    // Joined: the call passes nesterov.
    const joined = module("self.save_hyperparameters()", "self.hparams.optimizer(self.parameters(), nesterov=True)");
    expect(lintMemory({ "/p/pyproject.toml": "", "/p/conf/module.yaml": config, "/p/app.py": joined }, ["/p/conf/module.yaml", "/p/app.py"])).toEqual([]);
  });
});

describe("the RL library a joined construction's file imports", () => {
  it("counts for a construction joined in a function when a module-level construction above the import is left out", () => {
    const config = "optimizer:\n  _target_: torch.optim.AdamW\n  lr: 3.0e-4\n  weight_decay: 0.1\n";
    const supervised = "net_optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)";
    const run = (above: string, below: string) =>
      ["import hydra", "import torch", above, "import gym", below, '@hydra.main(config_path=".", config_name="main")', "def run(cfg):", "    return hydra.utils.instantiate(cfg.optimizer, params=policy.parameters())", ""].join("\n");
    const lint = (text: string) => lintMemory({ "/p/main.yaml": config, "/p/run.py": text }, ["/p/run.py"]).map((f) => f.at);
    // Built below the import, the supervised network is taken for an RL one too; the policy's decay is an RL policy's.
    expect(lint(run("", supervised))).toEqual(["run.py 5:17 OPT014 run.py:4:1", "run.py 8:12 OPT014 run.py:4:1 main.yaml:4:17"]);
    // Built above it, the supervised network is not; the policy, built in a function that runs later, still is.
    expect(lint(run(supervised, ""))).toEqual(["run.py 8:12 OPT014 run.py:4:1 main.yaml:4:17"]);
    // With no construction of its own, the file is known only through the join; its import still counts.
    expect(lint(run("", ""))).toEqual(["run.py 8:12 OPT014 run.py:4:1 main.yaml:4:17"]);
  });
});
