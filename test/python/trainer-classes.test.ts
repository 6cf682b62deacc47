/**
 * A training script's HF Trainer defined in another module of the project: an override of the methods that build the
 * optimizer, anywhere in its base chain, means `optim` and `learning_rate` do not describe what trains.
 */
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import type { ProjectHost } from "../../src/core/types.js";
import { lintProject, lintText } from "../../src/default-linter.js";

const LR = RULES.filter((r) => r.meta.code === "OPT003").map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

const TRAINERS = `from transformers import Trainer


class BaseTrainer(Trainer):
    def create_optimizer(self):
        return super().create_optimizer()


class MyTrainer(BaseTrainer):
    pass


class PlainTrainer(Trainer):
    def compute_loss(self, model, inputs):
        return model(**inputs).loss


class Trainer2(object):
    def __init__(self, model, args):
        self.model = model
`;

/** A script building TrainingArguments with an lr far too high for AdamW, then the Trainer `head` imports. */
function script(head: string, call: string): string {
  return `from transformers import TrainingArguments
${head}

args = TrainingArguments(output_dir="out", learning_rate=0.5, optim="adamw_torch")
trainer = ${call}(model=None, args=args)
trainer.train()
`;
}

function lint(files: Record<string, string>, given = "/p/train.py") {
  const host: ProjectHost = { read: (p) => files[p], exists: (p) => p in files };
  const results = lintProject([{ filePath: given, text: files[given], rules: LR }], { host });
  return results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.code}`));
}

const project = (train: string, extra: Record<string, string> = {}) => ({ "/p/pkg/__init__.py": "", "/p/pkg/trainers.py": TRAINERS, "/p/train.py": train, ...extra });

describe("HF Trainer classes from other project modules", () => {
  it("links the script to the modules its Trainer's chain was read from, whatever the verdict", () => {
    // PlainTrainer builds no optimizer of its own: the findings stay, and an override added to its module later must
    // lint the script again.
    const files = project(script("from pkg.trainers import PlainTrainer", "PlainTrainer"));
    const host: ProjectHost = { read: (p) => files[p as keyof typeof files], exists: (p) => p in files };
    const dependencies = new Map<string, string[]>();
    lintProject([{ filePath: "/p/train.py", text: files["/p/train.py"], rules: LR }], { host, dependencies });
    expect(dependencies.get("/p/train.py")).toContain("/p/pkg/trainers.py");
  });

  it("leaves the optimizer unknown when a base of the imported Trainer overrides create_optimizer", () => {
    expect(lint(project(script("from pkg.trainers import MyTrainer", "MyTrainer")))).toEqual([]);
    expect(lint(project(script("import pkg.trainers", "pkg.trainers.MyTrainer")))).toEqual([]);
  });

  it("judges the arguments for an imported subclass that builds no optimizer of its own", () => {
    expect(lint(project(script("from pkg.trainers import PlainTrainer", "PlainTrainer")))).toEqual(["4:44 OPT003"]);
  });

  it("follows a relative import, a package re-export and a subclass written in the script", () => {
    const files = project(script("from .pkg import MyTrainer", "MyTrainer"), { "/p/pkg/__init__.py": "from .trainers import MyTrainer\n", "/p/__init__.py": "" });
    expect(lint(files)).toEqual([]);
    const local = script("from pkg.trainers import BaseTrainer\n\n\nclass LocalTrainer(BaseTrainer):\n    pass", "LocalTrainer");
    expect(lint(project(local))).toEqual([]);
  });

  it("leaves the optimizer unknown for a Trainer class that no file of the project defines", () => {
    expect(lint(project(script("from unsloth import UnslothTrainer", "UnslothTrainer")))).toEqual([]);
    // A project module whose base cannot be read may override create_optimizer there.
    const files = project(script("from pkg.mine import MineTrainer", "MineTrainer"), { "/p/pkg/mine.py": "from somelib import FancyTrainer\n\n\nclass MineTrainer(FancyTrainer):\n    pass\n" });
    expect(lint(files)).toEqual([]);
  });

  it("judges the arguments for the library Trainers that build the optimizer from them", () => {
    expect(lint(project(script("from transformers import Trainer", "Trainer")))).toEqual(["4:44 OPT003"]);
    expect(lint(project(script("from trl import SFTTrainer", "SFTTrainer")))).toEqual(["4:44 OPT003"]);
    expect(lint(project(script("import transformers", "transformers.Seq2SeqTrainer")))).toEqual(["4:44 OPT003"]);
  });

  it("judges the arguments when the called class is the project's own, with no HF Trainer in its chain", () => {
    expect(lint(project(script("from pkg.trainers import Trainer2 as MyOwnTrainer", "MyOwnTrainer")))).toEqual(["4:44 OPT003"]);
  });

  it("cannot read the module alone, so leaves the optimizer unknown", () => {
    const result = lintText(script("from pkg.trainers import PlainTrainer", "PlainTrainer"), { filePath: "/p/train.py", rules: LR });
    expect(result.messages.map((m) => m.code)).toEqual([]);
  });
});
