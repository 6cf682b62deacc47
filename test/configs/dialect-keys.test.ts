import { describe, expect, it } from "vitest";
import { lintAll } from "./helpers.js";

describe("messages name the keys a dialect writes", () => {
  it("says learning_rate in the message, its origin note and its suggestion for TrainingArguments(...)", () => {
    const text = "from transformers import TrainingArguments\n\nLR = 0.5\nargs = TrainingArguments(output_dir='out', learning_rate=LR)\n";
    const [message] = lintAll(text, "train.py").messages.filter((m) => m.code === "OPT003");
    expect(message.message.startsWith("learning_rate=0.5 (constant LR) is far above")).toBe(true);
    expect(message.related?.map((n) => `${n.line}:${n.column} ${n.message}`)).toEqual(["3:1 learning_rate is set here (constant LR)"]);
    expect(message.suggestions?.map((s) => s.desc)).toEqual(["Set learning_rate=0.001, a usual starting value for the adam family"]);
  });

  it("leaves the names of dialects that write PyTorch's own (Hydra, DeepSpeed)", () => {
    const hydra = lintAll("_target_: torch.optim.Adam\nlr: 0.5\n", "opt.yaml").messages.find((m) => m.code === "OPT003");
    expect(hydra?.message.startsWith("lr=0.5 is far above")).toBe(true);
    const ds = lintAll('{"train_batch_size": 8, "optimizer": {"type": "Adam", "params": {"lr": 0.5}}}', "ds.json").messages.find((m) => m.code === "OPT003");
    expect(ds?.message.startsWith("lr=0.5 is far above")).toBe(true);
  });

  it("renames only settings, not words: an HF eps finding says adam_epsilon, the prose stays", () => {
    const text = "output_dir: out\nlearning_rate: 1.0e-4\nadam_epsilon: -1.0\n";
    const [message] = lintAll(text, "args.yaml").messages.filter((m) => m.code === "OPT009");
    expect(message.message).toBe("adam_epsilon=-1 is negative; PyTorch raises a ValueError when the optimizer is created. Use a small positive value such as 1e-8.");
  });
});
