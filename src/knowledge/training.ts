/**
 * Thresholds of training length and batch size that rules compare facts against, each with the reason for it.
 * They are data so that the rules and their documentation quote the same numbers.
 */

/** A global batch from which layer-wise adaptive methods (LARS, LAMB) are the usual choice. */
export const LARGE_BATCH = {
  samples: 8192,
  rationale:
    "Past about 8k samples per step, plain SGD and Adam lose accuracy even with the linear lr scaling rule and a warm-up: the largest layers take steps far out of proportion to their weights. Layer-wise trust ratios (LARS for convolutional networks, LAMB for transformers) are what made ImageNet and BERT training work at 8k to 64k.",
};

/** A run long enough that a constant SGD learning rate leaves accuracy on the table. */
export const LONG_RUN = {
  epochs: 30,
  steps: 20000,
  rationale:
    "SGD at a fixed learning rate stops improving once the gradient noise at that rate dominates: the loss plateaus at a level set by the lr. Every standard SGD recipe (step decay at 30/60/90 of 90 epochs, cosine over 100 to 300) lowers the rate for the last part of training; runs of 30 epochs or 20k steps are long enough for the plateau to cost accuracy.",
};

/** Families whose typical lr ranges differ by this factor or more (between the ranges' geometric centres) need their own lr. */
export const LR_FAMILY_GAP = 10;

/**
 * A momentum below this averages almost nothing (each gradient's weight fades within a step or two): SGD with
 * it is plain SGD. Such values are usually a weight decay typed into the momentum slot (`momentum=5e-4`).
 */
export const NEGLIGIBLE_MOMENTUM = 0.01;

/**
 * Ray Train's data-parallel training: a `TorchTrainer` runs the training function on `ScalingConfig(num_workers=N)`
 * workers, and inside it `prepare_model` wraps the model in DistributedDataParallel (FSDP with
 * `parallel_strategy="fsdp"`, nothing with `None`) and `prepare_data_loader` adds a DistributedSampler (unless
 * `add_dist_sampler=False`), both only when more than one worker runs. So they are evidence of data parallelism only
 * beside a worker count known to be above 1; the argument that can turn each off, with the values that keep it on.
 */
export const RAY_TRAIN = {
  scalingConfigs: ["ray.train.ScalingConfig", "ray.air.ScalingConfig", "ray.air.config.ScalingConfig"],
  workers: "num_workers",
  prepares: new Map<string, { kind: "ddp" | "distributed-sampler"; does: string; switch: string; on: (string | boolean)[] }>([
    ["prepare_model", { kind: "ddp", does: "wraps the model in DistributedDataParallel", switch: "parallel_strategy", on: ["ddp", "fsdp"] }],
    ["prepare_data_loader", { kind: "distributed-sampler", does: "shards the data with a DistributedSampler", switch: "add_dist_sampler", on: [true] }],
  ]),
  /** Modules that export the two calls. */
  modules: ["ray.train.torch", "ray.train.torch.train_loop_utils"],
};
