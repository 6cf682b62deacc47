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
