import { describe, expect, it } from "vitest";
import { asNumber, asNumbers, type OptimizerSite } from "../../src/core/facts.js";
import { argumentMapping, configSiteData, recognizeConfig, type ConfigContext } from "../../src/configs/recognize.js";
import { Tree } from "./tree.js";

type Plain = Parameters<Tree["value"]>[0];

/** Recognizes a hand-built tree; returns the facts and the tree for span lookups. */
function recognize(config: Plain, dialect?: ConfigContext["dialect"]) {
  const tree = new Tree();
  const facts = recognizeConfig(tree.value(config), { filePath: "conf.yaml", ...(dialect ? { dialect } : {}) });
  return { ...facts, tree };
}

/** An argument's number at a site. */
function num(site: OptimizerSite, name: string): number | undefined {
  return asNumber(site.args.get(name)?.value);
}

describe("Hydra _target_", () => {
  it("reads the class and the arguments beside it, with _partial_ ignored", () => {
    const { optimizers, tree } = recognize({ optimizer: { _target_: "torch.optim.Adam", _partial_: true, lr: 0.001, weight_decay: 0.01 } });
    expect(optimizers).toHaveLength(1);
    const [site] = optimizers;
    expect(site.canonical).toBe("torch.optim.Adam");
    expect(site.dialect).toBe("hydra");
    expect(site.id).toBe("conf.yaml#0");
    expect(tree.pathOf(site.nameSpan)).toBe("optimizer._target_");
    expect(num(site, "weight_decay")).toBe(0.01);
    expect([...site.args.keys()].sort()).toEqual(["lr", "weight_decay"]);
    expect(configSiteData(site)!.nameFor("torch.optim.AdamW")).toBe("torch.optim.AdamW");
  });

  it("ignores a _target_ that is not an optimizer", () => {
    expect(recognize({ model: { _target_: "my.models.Net", lr: 0.1 } }).optimizers).toEqual([]);
  });
});

describe("Lightning class_path", () => {
  it("reads init_args as the arguments", () => {
    const { optimizers } = recognize({ optimizer: { class_path: "torch.optim.SGD", init_args: { lr: 0.1, momentum: 0.9 } } });
    expect(optimizers.map((s) => [s.canonical, s.dialect, num(s, "momentum")])).toEqual([["torch.optim.SGD", "lightning", 0.9]]);
  });

  it("accepts a bare class name only under an optimizer key, and notes a missing init_args", () => {
    const { optimizers } = recognize({ optimizer: { class_path: "AdamW" }, model: { class_path: "Adam" } });
    expect(optimizers).toHaveLength(1);
    expect(optimizers[0].canonical).toBe("torch.optim.AdamW");
    expect(configSiteData(optimizers[0])!.argsMissing).toBe("init_args");
  });
});

describe("mmengine / mmcv type=", () => {
  it("reads an optimizer inside optim_wrapper, and the default wrapper decays every parameter", () => {
    const { optimizers } = recognize({ optim_wrapper: { type: "OptimWrapper", optimizer: { type: "AdamW", lr: 0.0001, weight_decay: 0.05 } } });
    expect(optimizers).toHaveLength(1);
    expect(optimizers[0].canonical).toBe("torch.optim.AdamW");
    expect(optimizers[0].params).toMatchObject({ kind: "managed", by: "mmengine", excludesBiasAndNorm: false });
    expect(configSiteData(optimizers[0])!.nameFor("torch.optim.AdamW")).toBe("AdamW");
  });

  it("takes bias_decay_mult and norm_decay_mult of 0 as keeping biases and norms undecayed", () => {
    const wrapper = (cfg: Plain) => recognize({ optim_wrapper: { optimizer: { type: "AdamW", weight_decay: 0.05 }, paramwise_cfg: cfg } }).optimizers[0].params;
    expect(wrapper({ bias_decay_mult: 0, norm_decay_mult: 0 })).toMatchObject({ kind: "managed", excludesBiasAndNorm: true });
    expect(wrapper({ norm_decay_mult: 0 }).kind).toBe("other");
    expect(wrapper({ custom_keys: { norm: { decay_mult: 0 } } }).kind).toBe("other");
  });

  it("judges custom_keys that exempt only tokens and position embeddings as decaying biases and norms", () => {
    const wrapper = (cfg: Plain, base?: string) => recognize({ ...(base ? { _base_: base } : {}), optim_wrapper: { optimizer: { type: "AdamW", weight_decay: 0.3 }, paramwise_cfg: cfg } }).optimizers[0].params;
    expect(wrapper({ custom_keys: { ".cls_token": { decay_mult: 0 }, "backbone.pos_embed": { decay_mult: 0 }, head: { lr_mult: 10 } } })).toEqual(
      expect.objectContaining({ kind: "managed", by: "mmengine", excludesBiasAndNorm: false, exempts: [".cls_token", "backbone.pos_embed"] }),
    );
    expect(wrapper({ custom_keys: { backbone: { lr_mult: 0.1 } } })).toEqual(expect.objectContaining({ kind: "managed", excludesBiasAndNorm: false }));
    expect(wrapper({ custom_keys: { backbone: { lr_mult: 0.1 } } })).not.toHaveProperty("exempts");
    // A key that may name a module, a bias or a norm, another paramwise setting, or a base that may add to it: not judged.
    expect(wrapper({ custom_keys: { pos_embed: { decay_mult: 0 }, bias: { decay_mult: 0 } } }).kind).toBe("other");
    expect(wrapper({ custom_keys: { backbone: { decay_mult: 0.5 } } }).kind).toBe("other");
    expect(wrapper({ custom_keys: { cls_token: { decay_mult: 0 } }, norm_decay_mult: 0 }).kind).toBe("other");
    expect(wrapper({ custom_keys: { cls_token: { decay_mult: 0 } } }, "../_base_/default.py").kind).toBe("other");
  });

  it("reads mmcv's paramwise_cfg inside the optimizer dict", () => {
    const { optimizers } = recognize({ optimizer: { type: "AdamW", weight_decay: 0.05, paramwise_cfg: { bias_decay_mult: 0.0, norm_decay_mult: 0.0 } } });
    expect(optimizers[0].params).toMatchObject({ kind: "managed", excludesBiasAndNorm: true });
  });

  it("reads a short type only where mmengine puts optimizers, a dotted one anywhere", () => {
    expect(recognize({ model: { type: "Adam", lr: 0.1 } }).optimizers).toEqual([]);
    expect(recognize({ head: { loss: { type: "SGD" } } }).optimizers).toEqual([]);
    expect(recognize({ anything: { type: "torch.optim.RMSprop", lr: 0.01 } }).optimizers.map((s) => s.canonical)).toEqual(["torch.optim.RMSprop"]);
  });

  it("treats a child of a _base_ as open unless _delete_ replaces the base's dict", () => {
    const child = recognize({ _base_: ["base.py"], optimizer: { type: "SGD", lr: 0.1, momentum: 0.9 } }).optimizers[0];
    expect(child.hasUnresolvedSpread).toBe(true);
    expect(child.params.kind).toBe("other");
    const replaced = recognize({ _base_: "base.py", optimizer: { _delete_: true, type: "SGD", lr: 0.1 } }).optimizers[0];
    expect(replaced.hasUnresolvedSpread).toBe(false);
  });

  it("reads param_scheduler and lr_config as schedulers", () => {
    const { schedulers } = recognize({
      optimizer: { type: "SGD", lr: 0.02 },
      param_scheduler: [{ type: "LinearLR", start_factor: 0.001 }, { type: "CosineAnnealingMomentum" }, { type: "CosineRestartLR" }],
      lr_config: { policy: "step", step: [8, 11] },
    });
    expect(schedulers.map((s) => s.canonical)).toEqual([
      "torch.optim.lr_scheduler.LinearLR",
      "mmengine.optim.CosineRestartLR",
      "torch.optim.lr_scheduler.MultiStepLR",
    ]);
  });
});

describe("mmengine default constructors", () => {
  it("reads a constructor naming the framework's default as no constructor, any other as unknown parameters", () => {
    const wrapper = (constructor: string) => recognize({ optim_wrapper: { constructor, optimizer: { type: "AdamW", lr: 0.001, weight_decay: 0.05 } } }).optimizers[0].params;
    expect(wrapper("DefaultOptimWrapperConstructor")).toMatchObject({ kind: "managed", by: "mmengine", excludesBiasAndNorm: false, paramwiseCfg: "wrapper" });
    expect(wrapper("mmengine.optim.DefaultOptimWrapperConstructor")).toMatchObject({ kind: "managed", excludesBiasAndNorm: false });
    expect(wrapper("LearningRateDecayOptimizerConstructor").kind).toBe("other");
    expect(wrapper("my_project.DefaultOptimWrapperConstructor").kind).toBe("other");
    const mmcv = recognize({ optimizer: { type: "SGD", lr: 0.02, momentum: 0.9, constructor: "DefaultOptimizerConstructor" } }).optimizers[0];
    // A top-level optimizer dict is mmcv 1.x's: its paramwise_cfg goes inside the dict.
    expect(mmcv.params).toMatchObject({ kind: "managed", by: "mmcv", paramwiseCfg: "optimizer" });
  });
});

describe("mmcv one optimizer per submodule", () => {
  it("reads each submodule's optimizer under a top-level optimizer without a type", () => {
    const { optimizers } = recognize({ optimizer: { generator: { type: "Adam", lr: 0.0002 }, discriminator: { type: "SGD", lr: 0.01, momentum: 0.9 } } });
    expect(optimizers.map((s) => [s.canonical, num(s, "lr")])).toEqual([["torch.optim.Adam", 0.0002], ["torch.optim.SGD", 0.01]]);
  });

  it("needs every entry to be a typed mapping, and no optim_wrapper beside it", () => {
    expect(recognize({ optimizer: { generator: { type: "Adam", lr: 0.0002 }, grad_clip: null } }).optimizers).toEqual([]);
    expect(recognize({ optimizer: { generator: { type: "Adam", lr: 0.0002 }, head: { lr_mult: 10 } } }).optimizers).toEqual([]);
    expect(recognize({ optimizer: { generator: { type: "Adam", lr: 0.0002 } }, optim_wrapper: { optimizer: { type: "SGD", lr: 0.1 } } }).optimizers.map((s) => s.canonical)).toEqual(["torch.optim.SGD"]);
  });
});

describe("torchtune _component_", () => {
  it("reads the class and the keys beside it; the recipe passes the parameters", () => {
    const { optimizers, schedulers } = recognize({
      optimizer: { _component_: "torch.optim.AdamW", lr: 0.0002, weight_decay: 0.01, fused: true },
      lr_scheduler: { _component_: "torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup", num_warmup_steps: 100 },
      loss: { _component_: "torchtune.modules.loss.CEWithChunkedOutputLoss" },
    });
    expect(optimizers.map((s) => [s.canonical, s.dialect, s.params.kind, num(s, "lr")])).toEqual([["torch.optim.AdamW", "torchtune", "missing", 0.0002]]);
    // A schedule component the table does not list is a schedule of unknown effect.
    expect(schedulers.map((s) => [s.canonical, s.warmup])).toEqual([["torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup", undefined]]);
  });
});

describe("latent-diffusion target + params", () => {
  it("reads the keywords under params, with an lr the config leaves out as unknown", () => {
    const { optimizers, tree } = recognize({ optimizer_config: { target: "torch.optim.AdamW", params: { betas: [0.9, 0.95], weight_decay: 0.01 } } });
    expect(optimizers).toHaveLength(1);
    const [site] = optimizers;
    expect([site.canonical, site.dialect, site.hasUnresolvedSpread, num(site, "weight_decay")]).toEqual(["torch.optim.AdamW", "instantiate-from-config", false, 0.01]);
    expect(site.args.get("lr")?.value.value.kind).toBe("unknown");
    expect(tree.pathOf(site.nameSpan)).toBe("optimizer_config.target");
  });

  it("reads an lr written under params, and a target without params as arguments to add there", () => {
    const written = recognize({ opt: { target: "torch.optim.SGD", params: { lr: 0.1, momentum: 0.9 } } }).optimizers[0];
    expect(num(written, "lr")).toBe(0.1);
    const bare = recognize({ opt: { target: "torch.optim.Adam" } }).optimizers[0];
    expect(configSiteData(bare)!.argsMissing).toBe("params");
  });

  it("ignores a target with other keys beside it, a short name, or a class that is not an optimizer", () => {
    expect(recognize({ opt: { target: "torch.optim.Adam", lr: 0.001, params: {} } }).optimizers).toEqual([]);
    expect(recognize({ opt: { target: "Adam", params: { lr: 0.001 } } }).optimizers).toEqual([]);
    expect(recognize({ model: { target: "ldm.models.autoencoder.AutoencoderKL", params: { embed_dim: 4 } } }).optimizers).toEqual([]);
  });

  it("reads a scheduler_config as a schedule, and leaves a diffusion noise scheduler alone", () => {
    const { schedulers } = recognize({
      scheduler_config: { target: "sgm.lr_scheduler.LambdaLinearScheduler", params: { warm_up_steps: [1000] } },
      noise_scheduler: { target: "diffusers.DDPMScheduler", params: { num_train_timesteps: 1000 } },
    });
    expect(schedulers.map((s) => s.canonical)).toEqual(["sgm.lr_scheduler.LambdaLinearScheduler"]);
  });
});

describe("ESPnet optim + optim_conf", () => {
  it("reads each optim name with its _conf keywords, numbered ones too, and the scheduler pair", () => {
    const { optimizers, schedulers } = recognize({
      optim1: "adam", optim1_conf: { lr: 0.0002, betas: [0.5, 0.9] },
      optim2: "sgd", optim2_conf: { lr: 0.01, momentum: 0.9 },
      scheduler: "warmuplr", scheduler_conf: { warmup_steps: 4000 },
    });
    expect(optimizers.map((s) => [s.canonical, s.dialect, s.params.kind, num(s, "lr")])).toEqual([["torch.optim.Adam", "espnet", "other", 0.0002], ["torch.optim.SGD", "espnet", "other", 0.01]]);
    expect(configSiteData(optimizers[0])!.nameFor("torch.optim.AdamW")).toBe("adamw");
    expect(schedulers.map((s) => [s.canonical, s.warmup])).toEqual([["espnet2.schedulers.warmuplr", true]]);
  });

  it("gives ESPnet's sgd its own default lr of 0.1, placed at the name", () => {
    const { optimizers, tree } = recognize({ optim: "sgd", optim_conf: { momentum: 0.9 } });
    expect(optimizers.map((s) => [s.canonical, num(s, "lr"), num(s, "momentum")])).toEqual([["torch.optim.SGD", 0.1, 0.9]]);
    expect(tree.pathOf(optimizers[0].args.get("lr")!.span)).toBe("optim");
    expect(optimizers[0].args.get("lr")!.value.origin?.description).toBe("what ESPnet passes for 'sgd'");
    expect(num(recognize({ optim: "sgd", optim_conf: { lr: 0.5 } }).optimizers[0], "lr")).toBe(0.5);
  });

  it("reads a scheduler named without its _conf beside the optimizer pair, and none of ESPnet's names for no scheduler", () => {
    const schedulers = (config: Plain) => recognize(config).schedulers.map((s) => [s.canonical, s.warmup]);
    expect(schedulers({ optim: "adam", optim_conf: { lr: 5.0 }, scheduler: "noamlr" })).toEqual([["espnet2.schedulers.noamlr", undefined]]);
    expect(schedulers({ optim: "adam", optim_conf: { lr: 5.0 }, scheduler: "warmuplr", scheduler_conf: null })).toEqual([["espnet2.schedulers.warmuplr", undefined]]);
    expect(schedulers({ optim: "adam", optim_conf: { lr: 0.001 }, scheduler: "None", scheduler_conf: { warmup_steps: 4000 } })).toEqual([]);
    // Without ESPnet's optimizer pair a bare `scheduler` string is someone else's key.
    expect(schedulers({ optim: "adam", lr: 0.001, scheduler: "noamlr" })).toEqual([]);
  });

  it("builds nothing when DeepSpeed may supply the optimizer (use_deepspeed at the top or in FunASR's train_conf)", () => {
    const pair = { optim: "adam", optim_conf: { lr: 0.001, weight_decay: 0.000001 } };
    expect(recognize({ ...pair, use_deepspeed: true }).optimizers).toEqual([]);
    expect(recognize({ ...pair, train_conf: { use_deepspeed: true } }).optimizers).toEqual([]);
    expect(recognize({ ...pair, use_deepspeed: "${oc.env:DS}" }).optimizers).toEqual([]);
    expect(recognize({ ...pair, use_deepspeed: false, train_conf: { use_deepspeed: null } }).optimizers.map((s) => s.canonical)).toEqual(["torch.optim.Adam"]);
  });

  it("reports none of the pair's schedules when DeepSpeed may build the schedule instead", () => {
    const pair = { optim: "adam", optim_conf: { lr: 0.001 }, scheduler: "warmuplr", scheduler_conf: { warmup_steps: 25000 } };
    expect(recognize({ ...pair, use_deepspeed: true }).schedulers).toEqual([]);
    expect(recognize({ ...pair, train_conf: { use_deepspeed: "${oc.env:DS}" } }).schedulers).toEqual([]);
    expect(recognize({ ...pair, use_deepspeed: 0 }).schedulers.map((s) => [s.canonical, s.warmup])).toEqual([["espnet2.schedulers.warmuplr", true]]);
  });

  it("needs the _conf mapping and a name every ESPnet version maps the same way", () => {
    expect(recognize({ optim: "adam", lr: 0.001 }).optimizers).toEqual([]);
    expect(recognize({ optim: "radam", optim_conf: { lr: 0.001 } }).optimizers).toEqual([]);
    expect(recognize({ optim: "Adam", optim_conf: { lr: 0.001 } }).optimizers).toEqual([]);
  });
});

describe("GraphGym optim", () => {
  const graphGym = (optim: Plain) => recognize({ gnn: { layer_type: "gcnconv" }, optim });

  it("reads the builder's arguments, base_lr as the lr, and GraphGym's defaults for the keys left out", () => {
    const { optimizers, schedulers } = graphGym({ optimizer: "sgd", base_lr: 0.1, max_epoch: 100, dampening: 0.5 });
    const [site] = optimizers;
    expect([site.canonical, site.dialect, site.params.kind, num(site, "lr"), num(site, "momentum"), num(site, "weight_decay")]).toEqual(["torch.optim.SGD", "graphgym", "other", 0.1, 0.9, 5e-4]);
    // SGD is built without nesterov, and no key of the config reaches an argument the builder does not pass.
    expect(site.args.get("nesterov")?.value.value).toEqual({ kind: "bool", value: false });
    expect(site.args.has("dampening")).toBe(false);
    expect(site.argumentKeys?.lr).toBe("base_lr");
    expect(configSiteData(site)!.nameFor("torch.optim.AdamW")).toBeUndefined();
    expect(schedulers.map((s) => s.canonical)).toEqual(["torch.optim.lr_scheduler.CosineAnnealingLR"]);
  });

  it("passes Adam only the lr and weight decay; maps the scheduler names", () => {
    const { optimizers, schedulers } = graphGym({ optimizer: "adam", base_lr: 0.001, weight_decay: 0, betas: [0.5, 0.9], scheduler: "step" });
    expect(optimizers.map((s) => [s.canonical, num(s, "lr"), num(s, "weight_decay"), s.args.has("betas")])).toEqual([["torch.optim.Adam", 0.001, 0, false]]);
    expect(schedulers.map((s) => s.canonical)).toEqual(["torch.optim.lr_scheduler.MultiStepLR"]);
    expect(graphGym({ optimizer: "adam", scheduler: "none" }).schedulers).toEqual([]);
    expect(graphGym({ optimizer: "adam", scheduler: "cosine_with_warmup" }).schedulers.map((s) => s.canonical)).toEqual(["torch_geometric.graphgym.cosine_with_warmup"]);
  });

  it("needs the gnn section and a name GraphGym itself registers", () => {
    expect(recognize({ optim: { optimizer: "adam", base_lr: 0.01, weight_decay: 5e-4 } }).optimizers).toEqual([]);
    expect(graphGym({ optimizer: "adamW", base_lr: 0.001, weight_decay: 1e-5 }).optimizers).toEqual([]);
    expect(graphGym({ optimizer: "Adam", base_lr: 0.001 }).optimizers).toEqual([]);
  });
});

describe("solo-learn optimizer", () => {
  const solo = (optimizer: Plain, extra: Record<string, Plain> = {}) =>
    recognize({ method: "byol", backbone: { name: "resnet18" }, data: { dataset: "cifar10" }, optimizer: { batch_size: 256, ...(optimizer as object) }, ...extra });

  it("reads weight_decay beside the name and the kwargs as keywords; the lr, scaled by the batch size, is unknown", () => {
    const { optimizers, schedulers } = solo({ name: "adamw", lr: 2e-4, weight_decay: 0.05, classifier_lr: 0.1, momentum: 0.5, kwargs: { betas: [0.9, 0.95] } }, { scheduler: { name: "warmup_cosine" } });
    const [site] = optimizers;
    expect([site.canonical, site.dialect, site.args.get("lr")?.value.value.kind, num(site, "weight_decay"), asNumbers(site.args.get("betas")?.value)]).toEqual(["torch.optim.AdamW", "solo-learn", "unknown", 0.05, [0.9, 0.95]]);
    // A key of the optimizer mapping that is not lr or weight_decay is solo-learn's own, never a keyword.
    expect(site.args.has("momentum")).toBe(false);
    expect(site.params).toMatchObject({ kind: "managed", by: "solo-learn", excludesBiasAndNorm: false });
    expect(configSiteData(site)!.nameFor("torch.optim.AdamW")).toBe("adamw");
    expect(schedulers.map((s) => s.canonical)).toEqual(["solo.warmup_cosine"]);
    expect(solo({ name: "adamw", weight_decay: 0.05 }, { scheduler: { name: "none" } }).schedulers).toEqual([]);
  });

  it("gives sgd the momentum solo-learn fills in, unless kwargs set one", () => {
    expect(num(solo({ name: "sgd", lr: 0.3, weight_decay: 1e-4 }).optimizers[0], "momentum")).toBe(0.9);
    expect(num(solo({ name: "sgd", lr: 0.3, weight_decay: 1e-4, kwargs: { momentum: 0 } }).optimizers[0], "momentum")).toBe(0);
  });

  it("keeps biases and norms out of decay with exclude_bias_n_norm_wd or layer_decay, and leaves a linear evaluation unjudged", () => {
    expect(solo({ name: "adamw", weight_decay: 0.05, exclude_bias_n_norm_wd: true }).optimizers[0].params).toMatchObject({ kind: "managed", excludesBiasAndNorm: true });
    const finetune = { pretrain_method: "mae", finetune: true };
    const base = { backbone: { name: "vit_base" }, data: { dataset: "imagenet" }, optimizer: { name: "adamw", batch_size: 64, weight_decay: 0.05, layer_decay: 0.75 } };
    expect(recognize({ ...base, ...finetune }).optimizers[0].params).toMatchObject({ kind: "managed", excludesBiasAndNorm: true });
    expect(recognize({ ...base, optimizer: { ...base.optimizer, layer_decay: 0 }, ...finetune }).optimizers[0].params).toMatchObject({ kind: "managed", excludesBiasAndNorm: false });
    expect(recognize({ ...base, pretrain_method: "mae", optimizer: { ...base.optimizer, layer_decay: 0 } }).optimizers[0].params.kind).toBe("other");
  });

  it("sets lr and weight_decay beside the name and every other argument under kwargs", () => {
    const [site] = solo({ name: "sgd", weight_decay: 1e-4 }).optimizers;
    const data = configSiteData(site)!;
    expect(argumentMapping(data, "weight_decay")).toBe(data.args);
    expect(argumentMapping(data, "nesterov")).toEqual({ missing: "kwargs" });
    const [withKwargs] = solo({ name: "sgd", weight_decay: 1e-4, kwargs: { momentum: 0.9 } }).optimizers;
    const kwargsArgs = argumentMapping(configSiteData(withKwargs)!, "nesterov");
    expect("missing" in kwargsArgs ? kwargsArgs : kwargsArgs.value.kind === "mapping" && kwargsArgs.value.entries.map((e) => e.key)).toEqual(["momentum"]);
  });

  it("needs solo-learn's sections and a name its methods build (lars is its own)", () => {
    expect(solo({ name: "lars", lr: 0.3, weight_decay: 1e-4 }).optimizers).toEqual([]);
    expect(solo({ name: "AdamW", weight_decay: 0.05 }).optimizers).toEqual([]);
    expect(recognize({ method: "byol", data: {}, optimizer: { name: "adamw", batch_size: 256, weight_decay: 0.05 } }).optimizers).toEqual([]);
    expect(recognize({ method: "byol", backbone: { name: "resnet18" }, data: {}, optimizer: { name: "adamw", weight_decay: 0.05 } }).optimizers).toEqual([]);
  });
});

describe("RecBole learner", () => {
  it("reads learner (any case) with learning_rate as the lr and weight_decay, nothing else", () => {
    const { optimizers } = recognize({ stopping_step: 10, learner: "AdamW", learning_rate: 0.001, weight_decay: 0.01, eps: 1e-6 });
    const [site] = optimizers;
    expect([site.canonical, site.dialect, site.params.kind, num(site, "lr"), num(site, "weight_decay"), site.args.has("eps")]).toEqual(["torch.optim.AdamW", "recbole", "other", 0.001, 0.01, false]);
    expect(site.argumentKeys?.lr).toBe("learning_rate");
    expect(configSiteData(site)!.nameFor("torch.optim.Adam")).toBe("adam");
  });

  it("leaves an lr or weight decay the file does not set unknown (RecBole passes both, never the class default)", () => {
    const [site] = recognize({ eval_args: { mode: "full" }, learner: "sgd" }).optimizers;
    expect(site.canonical).toBe("torch.optim.SGD");
    expect(site.args.get("lr")?.value.value.kind).toBe("unknown");
    const [adamw] = recognize({ eval_args: { mode: "full" }, learner: "adamw", learning_rate: 0.001 }).optimizers;
    expect([num(adamw, "lr"), adamw.args.get("weight_decay")?.value.value.kind]).toEqual([0.001, "unknown"]);
  });

  it("needs RecBole's own keys beside learner, and a name its trainer builds", () => {
    expect(recognize({ learner: "adam", learning_rate: 0.001, weight_decay: 1e-4 }).optimizers).toEqual([]);
    // Batch sizes, eval_step and topk are other frameworks' keys too (DeepSpeed's and RLlib's train_batch_size).
    expect(recognize({ learner: "adam", learning_rate: 0.001, train_batch_size: 2048, eval_batch_size: 4096, eval_step: 1, topk: [10] }).optimizers).toEqual([]);
    expect(recognize({ stopping_step: 10, learner: "sparse_adam", learning_rate: 0.001 }).optimizers).toEqual([]);
    expect(recognize({ stopping_step: 10, learner: { type: "ppo" } }).optimizers).toEqual([]);
    // A TrainingArguments file that happens to hold RecBole's keys is read as the Trainer's arguments only.
    const hf = recognize({ learning_rate: 1e-4, per_device_train_batch_size: 8, learner: "adam", stopping_step: 10 }).optimizers;
    expect(hf.map((s) => s.dialect)).toEqual(["transformers"]);
  });
});

describe("NeMo optim", () => {
  const nemo = (optim: Plain, extra: Record<string, Plain> = {}) => recognize({ model: { optim }, exp_manager: { exp_dir: null }, ...extra });

  it("reads name, lr and the keywords beside them; sched is a schedule of unknown effect", () => {
    const { optimizers, schedulers } = nemo({ name: "adam", lr: 0.001, betas: [0.9, 0.98], weight_decay: 0.001, sched: { name: "NoamAnnealing", warmup_steps: 4000, d_model: 256 } });
    expect(optimizers.map((s) => [s.canonical, s.dialect, s.params.kind, num(s, "weight_decay"), asNumbers(s.args.get("betas")?.value)])).toEqual([["torch.optim.Adam", "nemo", "other", 0.001, [0.9, 0.98]]]);
    expect(configSiteData(optimizers[0])!.nameFor("torch.optim.AdamW")).toBe("adamw");
    expect(schedulers.map((s) => [s.canonical, s.warmup])).toEqual([["nemo.core.optim.lr_scheduler.NoamAnnealing", true]]);
  });

  it("maps fused_adam to apex FusedAdam and skips names NeMo's registry does not hold exactly", () => {
    expect(nemo({ name: "fused_adam", lr: 0.0002 }).optimizers.map((s) => s.canonical)).toEqual(["apex.optimizers.FusedAdam"]);
    expect(nemo({ name: "Adam", lr: 0.0002 }).optimizers).toEqual([]);
    expect(nemo({ name: "novograd", lr: 0.01 }).optimizers).toEqual([]);
  });

  it("needs NeMo's exp_manager, an lr, no args block and no defaults list", () => {
    expect(recognize({ model: { optim: { name: "adam", lr: 0.001 } } }).optimizers).toEqual([]);
    expect(nemo({ name: "adam", weight_decay: 0.001 }).optimizers).toEqual([]);
    expect(nemo({ name: "adam", lr: 0.001, args: { weight_decay: 0 } }).optimizers).toEqual([]);
    expect(nemo({ name: "adam", lr: 0.001 }, { defaults: ["_self_"] }).optimizers).toEqual([]);
  });

  it("leaves an optim block with a _target_ to the Hydra reader", () => {
    expect(nemo({ _target_: "torch.optim.SGD", name: "sgd", lr: 0.1 }).optimizers.map((s) => s.dialect)).toEqual(["hydra"]);
  });
});

describe("DeepSpeed and GPT-NeoX", () => {
  it("reads DeepSpeed's Adam with its AdamW-mode flag from params", () => {
    const { optimizers, tree } = recognize({ train_batch_size: 32, optimizer: { type: "Adam", params: { lr: 0.0003, weight_decay: 0.01, adam_w_mode: false } } });
    const [site] = optimizers;
    expect(site.canonical).toBe("deepspeed.config.Adam");
    expect(site.dialect).toBe("deepspeed");
    expect(site.args.get("adam_w_mode")?.value.value).toEqual({ kind: "bool", value: false });
    expect(tree.pathOf(site.args.get("lr")!.value.span)).toBe("optimizer.params.lr");
    expect(site.params.kind).toBe("other");
  });

  it("tells AdamW (always decoupled) from Adam and ignores unknown types", () => {
    expect(recognize({ optimizer: { type: "AdamW", params: { lr: 1e-4 } } }).optimizers[0].canonical).toBe("deepspeed.config.AdamW");
    expect(recognize({ optimizer: { type: "MyFancyOpt", params: { lr: 1e-4 } } }).optimizers).toEqual([]);
  });

  it("reads a WarmupLR scheduler as one the knowledge table does not list", () => {
    const { schedulers } = recognize({ optimizer: { type: "AdamW", params: { lr: 1e-4 } }, scheduler: { type: "WarmupLR", params: { warmup_max_lr: 1e-4 } } });
    expect(schedulers.map((s) => s.canonical)).toEqual(["deepspeed.runtime.lr_schedules.WarmupLR"]);
  });

  it("reads NeoX's top-level weight_decay and keeps biases and norms undecayed", () => {
    const { optimizers } = recognize({ "num-layers": 12, weight_decay: 0.1, optimizer: { type: "cpu_torch_adam", params: { lr: 0.0006, betas: [0.9, 0.95] } } });
    const [site] = optimizers;
    expect(site.canonical).toBe("torch.optim.Adam");
    expect(site.dialect).toBe("gpt-neox");
    expect(num(site, "weight_decay")).toBe(0.1);
    expect(asNumbers(site.args.get("betas")?.value)).toEqual([0.9, 0.95]);
    expect(site.params).toMatchObject({ kind: "managed", excludesBiasAndNorm: true });
  });
});

describe("fairseq", () => {
  it("reads optimizer: adam with a one-item lr list and betas written as a string", () => {
    const { optimizers } = recognize({ optimizer: "adam", lr: [0.0005], adam_betas: "(0.9, 0.98)", weight_decay: 0.0001 });
    const [site] = optimizers;
    expect(site.canonical).toBe("fairseq.optim.adam.FairseqAdam");
    expect(num(site, "lr")).toBe(0.0005);
    expect(asNumbers(site.args.get("betas")?.value)).toEqual([0.9, 0.98]);
    expect(num(site, "weight_decay")).toBe(0.0001);
  });

  it("reads the _name form with optimization.lr", () => {
    const { optimizers } = recognize({ optimizer: { _name: "adam", weight_decay: 0.01 }, optimization: { lr: [0.001] } });
    expect(optimizers.map((s) => [s.canonical, num(s, "lr")])).toEqual([["fairseq.optim.adam.FairseqAdam", 0.001]]);
  });

  it("needs the list-valued lr: optimizer: adam alone is someone else's key", () => {
    expect(recognize({ optimizer: "adam", lr: 0.001 }).optimizers).toEqual([]);
  });
});

describe("HF TrainingArguments and axolotl", () => {
  it("reads a TrainingArguments file by its keys, with the two betas as one argument", () => {
    const { optimizers, schedulers, tree } = recognize({
      output_dir: "out",
      learning_rate: 0.00002,
      weight_decay: 0.01,
      adam_beta1: 0.999,
      adam_beta2: 0.9,
      adam_epsilon: 1e-8,
      warmup_ratio: 0.1,
    });
    const [site] = optimizers;
    expect(site.canonical).toBe("torch.optim.AdamW");
    expect(site.dialect).toBe("transformers");
    expect(num(site, "lr")).toBe(0.00002);
    expect(num(site, "eps")).toBe(1e-8);
    const betas = site.args.get("betas")!.value;
    expect(asNumbers(betas)).toEqual([0.999, 0.9]);
    expect(betas.value.kind === "sequence" && betas.value.items.map((i) => tree.pathOf(i.span))).toEqual(["adam_beta1", "adam_beta2"]);
    expect(site.params).toMatchObject({ kind: "managed", excludesBiasAndNorm: true });
    expect(configSiteData(site)!.keyFor("lr")).toBe("learning_rate");
    expect(schedulers.map((s) => s.canonical)).toEqual(["transformers.get_linear_schedule_with_warmup"]);
  });

  it("counts the warm-up keys only for a schedule that reads them (constant and reduce_lr_on_plateau do not)", () => {
    const warmup = (extra: Plain) => recognize({ output_dir: "out", learning_rate: 1e-4, warmup_steps: 500, ...(extra as object) }).schedulers.map((s) => [s.canonical, s.warmup]);
    expect(warmup({ lr_scheduler_type: "constant" })).toEqual([["transformers.get_constant_schedule", false]]);
    expect(warmup({ lr_scheduler_type: "reduce_lr_on_plateau" })).toEqual([["transformers.get_reduce_on_plateau_schedule", false]]);
    expect(warmup({ lr_scheduler_type: "constant_with_warmup" })).toEqual([["transformers.get_constant_schedule_with_warmup", true]]);
    expect(warmup({ lr_scheduler_type: "cosine" })).toEqual([["transformers.get_cosine_schedule_with_warmup", true]]);
    // A name the table does not know may ignore the steps: unknown; with no steps there is no warm-up whatever the name.
    expect(warmup({ lr_scheduler_type: "some_new_schedule" })).toEqual([["transformers.SchedulerType.some_new_schedule", undefined]]);
    expect(warmup({ lr_scheduler_type: "some_new_schedule", warmup_steps: 0 })).toEqual([["transformers.SchedulerType.some_new_schedule", false]]);
  });

  it("resolves optim strings and skips the ones the table does not know", () => {
    const optim = (name: string) => recognize({ optim: name, per_device_train_batch_size: 8, learning_rate: 1e-4 }, undefined).optimizers.map((s) => s.canonical);
    expect(optim("adamw_bnb_8bit")).toEqual(["bitsandbytes.optim.AdamW8bit"]);
    expect(optim("sgd")).toEqual(["torch.optim.SGD"]);
    expect(optim("galore_adamw")).toEqual([]);
  });

  it("reads only lr and weight_decay for HF's sgd (momentum is not a TrainingArguments key)", () => {
    const [site] = recognize({ optim: "sgd", learning_rate: 0.1, momentum: 0.9 }, "hf").optimizers;
    expect([...site.args.keys()]).toEqual(["lr"]);
  });

  it("reads axolotl's optimizer key", () => {
    const [site] = recognize({ base_model: "meta-llama/Llama-2-7b-hf", optimizer: "adamw_bnb_8bit", learning_rate: 0.0002, lr_scheduler: "cosine" }).optimizers;
    expect([site.canonical, site.dialect]).toEqual(["bitsandbytes.optim.AdamW8bit", "axolotl"]);
  });

  it("never reads a package.json or tsconfig that happens to have an optimizer key", () => {
    expect(recognize({ name: "web", version: "1.0.0", optimizer: "terser", scripts: { build: "tsc" } }).optimizers).toEqual([]);
    expect(recognize({ compilerOptions: { target: "ES2022", module: "NodeNext" }, optimizer: { minify: true } }).optimizers).toEqual([]);
    expect(recognize({ build: { optimizer: { type: "esbuild", minify: true } } }).optimizers).toEqual([]);
  });
});

describe("timm create_optimizer_v2 keywords", () => {
  it("reads sgd as Nesterov SGD with momentum 0.9, implied at the name", () => {
    const [site] = recognize({ opt: "sgd", lr: 0.1 }, "timm").optimizers;
    expect(site.canonical).toBe("torch.optim.SGD");
    expect(site.args.get("nesterov")?.value.value).toEqual({ kind: "bool", value: true });
    expect(num(site, "momentum")).toBe(0.9);
    expect(site.args.get("nesterov")?.value.origin?.description).toBe("what timm passes for 'sgd'");
  });

  it("reads momentum as classical SGD, adam as torch's coupled Adam, and defaults to sgd", () => {
    expect(recognize({ opt: "momentum", momentum: 0.95 }, "timm").optimizers.map((s) => [s.args.get("nesterov")?.value.value, num(s, "momentum")])).toEqual([
      [{ kind: "bool", value: false }, 0.95],
    ]);
    const adam = recognize({ opt: "Lookahead_Adam", weight_decay: 0.05 }, "timm").optimizers[0];
    expect(adam.canonical).toBe("torch.optim.Adam");
    expect(configSiteData(adam)!.nameFor("torch.optim.AdamW")).toBe("Lookahead_adamw");
    expect(recognize({ lr: 0.1 }, "timm").optimizers[0].args.get("nesterov")?.value.value).toEqual({ kind: "bool", value: true });
  });

  it("keeps biases and norms undecayed unless filter_bias_and_bn is False", () => {
    expect(recognize({ opt: "adamw", weight_decay: 0.05 }, "timm").optimizers[0].params).toMatchObject({ kind: "managed", excludesBiasAndNorm: true });
    expect(recognize({ opt: "adamw", weight_decay: 0.05, filter_bias_and_bn: false }, "timm").optimizers[0].params.kind).toBe("other");
  });
});
