/**
 * `f(**vars(args))`, `f(**args.__dict__)` and `kw = vars(args)` then `f(**kw)`: each keyword of a parsed argparse
 * namespace reaches the parameter of its name with the option's default and origin, in the file and across files.
 * Anything the call or the file may change (a write into the dict or the namespace, a second spread, a namespace
 * of unknown source, an option the parser does not define) leaves the parameter unknown.
 */
import { describe, expect, it } from "vitest";
import { lintMemory } from "../configs/helpers.js";

const HELPER = ["import torch", "", "def train(model, lr, momentum=0.0):", "    return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)", ""].join("\n");

/** A script that parses `--lr` and `--momentum` (default 0.9) and runs `lines` after it. */
function script(...lines: string[]): string {
  return [
    "import argparse",
    "import torch",
    "from helper import train",
    "parser = argparse.ArgumentParser()",
    'parser.add_argument("--lr", type=float, default=0.05)',
    'parser.add_argument("--momentum", type=float, default=0.9)',
    "args = parser.parse_args()",
    "model = torch.nn.Linear(2, 2)",
    ...lines,
    "",
  ].join("\n");
}

const lint = (main: string) => lintMemory({ "/p/helper.py": HELPER, "/p/main.py": main }, ["/p/main.py", "/p/helper.py"]);

/** A file defining `build(model, lr, momentum=0.0)` (its construction judged per call), then `lines`. */
const withBuild = (...lines: string[]) =>
  ["import argparse", "import torch", "def build(model, lr, momentum=0.0):", "    return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)", ...lines, ""].join("\n");

describe("a parsed namespace spread into a call", () => {
  it("passes each option to the parameter of its name, with the argparse default as the origin", () => {
    for (const call of ["train(model, **vars(args))", "train(model, **args.__dict__)"]) {
      const findings = lint(script(call));
      expect(findings.map((f) => f.at)).toEqual(["helper.py 4:12 OPT002 main.py:6:1"]);
      expect(findings[0].message).toContain("momentum=0.9 (argparse default of --momentum, passed to train() at main.py:9)");
    }
    // Through a name bound to the dict, used only to spread it; the namespace of parse_known_args.
    expect(lint(script("kw = vars(args)", "train(model, **kw)")).map((f) => f.at)).toEqual(["helper.py 4:12 OPT002 main.py:6:1"]);
    expect(lint(script("known, _ = parser.parse_known_args()", "train(model, **vars(known))")).map((f) => f.at)).toEqual(["helper.py 4:12 OPT002 main.py:6:1"]);
  });

  it("passes it in the same file, to the call the construction is judged for or through a function handed the namespace", () => {
    const cases: [string[], string, string][] = [
      [
        [
          "parser = argparse.ArgumentParser()",
          'parser.add_argument("--momentum", type=float, default=0.9)',
          'parser.add_argument("--lr", type=float, default=0.05)',
          "build(torch.nn.Linear(2, 2), **vars(parser.parse_args()))",
        ],
        "t.py 4:12 OPT002 t.py:6:1",
        "momentum=0.9 (argparse default of --momentum, passed to build() at line 8)",
      ],
      [
        [
          "def main(args):",
          "    return build(torch.nn.Linear(2, 2), **vars(args))",
          'if __name__ == "__main__":',
          "    parser = argparse.ArgumentParser()",
          '    parser.add_argument("--lr", type=float, default=0.05)',
          '    parser.add_argument("--momentum", type=float, default=0.9)',
          "    main(parser.parse_args())",
        ],
        "t.py 4:12 OPT002 t.py:10:5",
        "momentum=0.9 (argparse default of --momentum, passed to main() at line 11, passed to build() at line 6)",
      ],
    ];
    for (const [lines, at, message] of cases) {
      const findings = lintMemory({ "/p/t.py": withBuild(...lines) }, ["/p/t.py"]);
      expect(findings.map((f) => f.at)).toEqual([at]);
      expect(findings[0].message).toContain(message);
    }
  });

  it("passes it to a class's __init__ and a dataclass's fields", () => {
    const text = [
      "import argparse",
      "from dataclasses import dataclass",
      "import torch",
      "",
      "",
      "class Trainer:",
      "    def __init__(self, model, lr=1e-3, momentum=0.0):",
      "        self.model = model",
      "        self.lr = lr",
      "        self.momentum = momentum",
      "",
      "    def optimizer(self):",
      "        return torch.optim.SGD(self.model.parameters(), lr=self.lr, momentum=self.momentum)",
      "",
      "",
      "@dataclass",
      "class Config:",
      "    lr: float = 1e-3",
      "    momentum: float = 0.0",
      "",
      "",
      "parser = argparse.ArgumentParser()",
      "parser.add_argument(\"--lr\", type=float, default=0.05)",
      "parser.add_argument(\"--momentum\", type=float, default=0.9)",
      "args = parser.parse_args()",
      "trainer = Trainer(torch.nn.Linear(2, 2), **vars(args))",
      "torch.optim.SGD(trainer.model.parameters(), lr=trainer.lr, momentum=trainer.momentum)",
      "cfg = Config(**vars(args))",
      "torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=cfg.lr, momentum=cfg.momentum)",
      "",
    ].join("\n");
    const findings = lintMemory({ "/p/t.py": text }, ["/p/t.py"]);
    expect(findings.map((f) => f.at)).toEqual(["t.py 27:1 OPT002 t.py:24:1", "t.py 29:1 OPT002 t.py:24:1"]);
    for (const finding of findings) expect(finding.message).toContain("momentum=0.9 (argparse default of --momentum)");
  });

  it("keeps a keyword the call writes itself", () => {
    expect(lint(script("train(model, momentum=0.0, **vars(args))"))).toEqual([]);
  });

  it("stays unknown when the dict or the namespace may change, or the spread is not a namespace's", () => {
    const unknown = [
      // Written into through the name bound to the dict, or the name used otherwise.
      ["kw = vars(args)", 'kw["momentum"] = 0.0', "train(model, **kw)"],
      ["kw = vars(args)", "tweak(kw)", "train(model, **kw)"],
      ["kw = vars(args)", "kw = {}", "train(model, **kw)"],
      // The namespace rewritten before the call.
      ["args.momentum = 0.0", "train(model, **vars(args))"],
      ["vars(args).update(momentum=0.0)", "train(model, **vars(args))"],
      ['setattr(args, "momentum", 0.0)', "train(model, **vars(args))"],
      // Two spreads, a spread of unknown source.
      ["train(model, **vars(args), **extra)"],
      ["train(model, **vars(settings))"],
    ];
    for (const lines of unknown) expect(lint(script(...lines)), lines.join("; ")).toEqual([]);
  });

  it("leaves a parameter unknown, not its default, when the parser does not define the option", () => {
    // `--momentum` is not defined: the namespace may hold it anyway (a write, a subparser), so the default 0.9 is not assumed.
    const helper = HELPER.replace("momentum=0.0", "momentum=0.9");
    const main = script("train(model, **vars(args))").replace('parser.add_argument("--momentum", type=float, default=0.9)\n', "");
    expect(lintMemory({ "/p/helper.py": helper, "/p/main.py": main }, ["/p/main.py", "/p/helper.py"])).toEqual([]);
    // Written out, the default is what runs.
    const written = script("train(model, lr=args.lr)").replace('parser.add_argument("--momentum", type=float, default=0.9)\n', "");
    expect(lintMemory({ "/p/helper.py": helper, "/p/main.py": written }, ["/p/main.py", "/p/helper.py"]).map((f) => f.at)).toEqual(["helper.py 4:12 OPT002 helper.py:3:22"]);
  });
});
