/**
 * Checkpoint loads and saves a model class inherits from a project base class in another module (the pix2pix and
 * CUT layout): the subclass builds and steps its optimizers, the base class resumes the networks only.
 */
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import type { ProjectHost } from "../../src/core/types.js";
import { lintProject } from "../../src/default-linter.js";

const RESUME = RULES.filter((r) => r.meta.code === "OPT007").map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

const BASE = `import torch


class BaseModel:
    def __init__(self, opt):
        self.opt = opt
        self.optimizers = []

    def setup(self, opt):
        if opt.continue_train:
            self.load_networks(opt.epoch)

    def load_networks(self, epoch):
        for name in self.model_names:
            net = getattr(self, "net" + name)
            state_dict = torch.load("%s_net_%s.pth" % (epoch, name))
            net.load_state_dict(state_dict)

    def save_networks(self, epoch):
        for name in self.model_names:
            torch.save(getattr(self, "net" + name).state_dict(), "%s_net_%s.pth" % (epoch, name))
`;

/** A subclass module: its own import line, class line and extra methods around a construction it steps. */
function gan(head: string, extra = ""): string {
  return `import torch
${head}
        self.netG = Generator()
        self.optimizer_G = torch.optim.Adam(self.netG.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def optimize_parameters(self):
        self.optimizer_G.zero_grad()
        self.loss_G.backward()
        self.optimizer_G.step()
${extra}`;
}

const SUBCLASS = gan("from .base_model import BaseModel\n\n\nclass GANModel(BaseModel):\n    def __init__(self, opt):\n        BaseModel.__init__(self, opt)");

function lint(files: Record<string, string>, given: string[]) {
  const host: ProjectHost = { read: (p) => files[p], exists: (p) => p in files };
  const results = lintProject(given.map((filePath) => ({ filePath, text: files[filePath], rules: RESUME })), { host });
  return results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}:${m.column} ${m.code} ${(m.related ?? []).map((n) => n.message).join(" | ")}`));
}

const project = (gan: string, extra: Record<string, string> = {}) => ({ "/p/models/__init__.py": "", "/p/models/base_model.py": BASE, "/p/models/gan_model.py": gan, ...extra });

describe("resume through methods inherited from another module", () => {
  it("reports the base class's model load that an inherited setup() runs under a resume flag", () => {
    expect(lint(project(SUBCLASS), ["/p/models/base_model.py", "/p/models/gan_model.py"])).toEqual([
      "/p/models/base_model.py:17:13 OPT007 the run resumes: the load runs in `self.load_networks()`, called when `opt.continue_train` | this save leaves the optimizer's state out",
    ]);
  });

  it("places the finding in the subclass, at its bases, when the base module is not linted", () => {
    expect(lint(project(SUBCLASS), ["/p/models/gan_model.py"])).toEqual([
      "/p/models/gan_model.py:5:15 OPT007 the run resumes: the load runs in `self.load_networks()`, called when `opt.continue_train` | this save leaves the optimizer's state out",
    ]);
  });

  it("follows a subclass's own call of an inherited loader under a resume flag (pix2pixHD's self.load_network)", () => {
    const base = BASE.replace("        if opt.continue_train:\n            self.load_networks(opt.epoch)", "        pass");
    const sub = gan("from .base_model import BaseModel\n\n\nclass GANModel(BaseModel):\n    def __init__(self, opt):\n        if opt.continue_train:\n            self.load_networks(opt.epoch)");
    expect(lint(project(sub, { "/p/models/base_model.py": base }), ["/p/models/gan_model.py"])).toEqual([
      "/p/models/gan_model.py:5:15 OPT007 the run resumes: the load runs in `self.load_networks()`, called when `opt.continue_train` | this save leaves the optimizer's state out",
    ]);
  });

  it("stays silent when the inherited loader loads only when the run does not resume, whatever branch calls it", () => {
    const base = BASE.replace("        if opt.continue_train:\n            self.load_networks(opt.epoch)", "        pass").replace(
      '            state_dict = torch.load("%s_net_%s.pth" % (epoch, name))\n            net.load_state_dict(state_dict)',
      '            if not self.opt.continue_train:\n                state_dict = torch.load("%s_net_%s.pth" % (epoch, name))\n                net.load_state_dict(state_dict)',
    );
    const sub = gan("from .base_model import BaseModel\n\n\nclass GANModel(BaseModel):\n    def __init__(self, opt):\n        if opt.continue_train:\n            self.load_networks(opt.epoch)");
    expect(lint(project(sub, { "/p/models/base_model.py": base }), ["/p/models/gan_model.py"])).toEqual([]);
    // The same two classes in one file: the file's own reading already says no.
    const single = `${base}\n\n${sub.replace("import torch\nfrom .base_model import BaseModel\n", "")}`;
    expect(lint({ "/p/one.py": single }, ["/p/one.py"])).toEqual([]);
  });

  it("stays silent when the subclass overrides the method that resumes, or restores its optimizer in its own loader", () => {
    const overridesSetup = `${SUBCLASS}\n    def setup(self, opt):\n        pass\n`;
    expect(lint(project(overridesSetup), ["/p/models/base_model.py", "/p/models/gan_model.py"])).toEqual([]);
    const ownLoader = `${SUBCLASS}\n    def load_networks(self, epoch):\n        BaseModel.load_networks(self, epoch)\n        self.optimizer_G.load_state_dict(torch.load("opt_%s.pth" % epoch))\n`;
    expect(lint(project(ownLoader), ["/p/models/base_model.py", "/p/models/gan_model.py"])).toEqual([]);
  });

  it("takes the first definition in method resolution order, and sees nothing past a base it cannot read", () => {
    const mixin = "class QuietMixin:\n    def setup(self, opt):\n        pass\n";
    const first = gan("from .base_model import BaseModel\nfrom .mixins import QuietMixin\n\n\nclass GANModel(QuietMixin, BaseModel):\n    def __init__(self, opt):\n        BaseModel.__init__(self, opt)");
    expect(lint(project(first, { "/p/models/mixins.py": mixin }), ["/p/models/gan_model.py"])).toEqual([]);
    const last = first.replace("class GANModel(QuietMixin, BaseModel)", "class GANModel(BaseModel, QuietMixin)");
    expect(lint(project(last, { "/p/models/mixins.py": mixin }), ["/p/models/gan_model.py"])).toEqual([
      "/p/models/gan_model.py:6:15 OPT007 the run resumes: the load runs in `self.load_networks()`, called when `opt.continue_train` | this save leaves the optimizer's state out",
    ]);
    const unknown = gan("from .base_model import BaseModel\nfrom somelib import Trainable\n\n\nclass GANModel(Trainable, BaseModel):\n    def __init__(self, opt):\n        BaseModel.__init__(self, opt)");
    expect(lint(project(unknown), ["/p/models/gan_model.py"])).toEqual([]);
    const missing = gan("from .base_model import BaseModel\nfrom .gone import Missing\n\n\nclass GANModel(Missing, BaseModel):\n    def __init__(self, opt):\n        BaseModel.__init__(self, opt)");
    expect(lint(project(missing), ["/p/models/gan_model.py"])).toEqual([]);
  });

  it("makes the subclass depend only on the base files whose inherited methods add a load, a save or a resume", () => {
    const mixin = "class LoggingMixin:\n    def log(self, msg):\n        print(msg)\n";
    const sub = gan("from .base_model import BaseModel\nfrom .mixins import LoggingMixin\n\n\nclass GANModel(BaseModel, LoggingMixin):\n    def __init__(self, opt):\n        BaseModel.__init__(self, opt)");
    const files: Record<string, string> = project(sub, { "/p/models/mixins.py": mixin });
    const host: ProjectHost = { read: (p) => files[p], exists: (p) => p in files };
    const dependencies = new Map<string, string[]>();
    lintProject([{ filePath: "/p/models/gan_model.py", text: files["/p/models/gan_model.py"], rules: RESUME }], { host, dependencies });
    expect(dependencies.get("/p/models/gan_model.py")).toEqual(["/p/models/base_model.py"]);
  });

  it("reads a base class re-exported by a package's __init__", () => {
    const sub = SUBCLASS.replace("from .base_model import BaseModel", "from . import BaseModel");
    expect(lint(project(sub, { "/p/models/__init__.py": "from .base_model import BaseModel\n" }), ["/p/models/gan_model.py"])).toEqual([
      "/p/models/gan_model.py:5:15 OPT007 the run resumes: the load runs in `self.load_networks()`, called when `opt.continue_train` | this save leaves the optimizer's state out",
    ]);
  });
});
