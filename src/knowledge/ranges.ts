/**
 * Typical learning-rate ranges per optimizer family, with the reason for each bound.
 * A rule reports a learning rate only when it lies beyond a bound by the configured factor (10 by default).
 */
import type { Family } from "./optimizers.js";

export interface LrRange {
  /** Lowest learning rate commonly used in practice. */
  low: number;
  /** Highest learning rate commonly used in practice. */
  high: number;
  /** A sound starting value to suggest. */
  suggested: number;
  rationale: string;
}

export const LR_RANGES: Partial<Record<Family, LrRange>> = {
  adam: {
    low: 1e-6,
    high: 3e-3,
    suggested: 1e-3,
    rationale:
      "Adaptive methods normalize each step by the gradient's running scale, so lr is close to the step size itself: 1e-4 to 3e-3 from scratch, down to about 1e-6 when fine-tuning pretrained models.",
  },
  sgd: {
    low: 1e-3,
    high: 10,
    suggested: 0.1,
    rationale:
      "Plain and momentum SGD steps are proportional to the raw gradient: 0.01 to 0.1 at ordinary batch sizes, down to 1e-3 for small batches, and up to roughly 1 when the batch is scaled linearly into the thousands. The upper bound is set at 10 for recurrent language models: with gradient-norm clipping bounding each step, plain SGD is tuned at 20 to 40 there (the PyTorch word-language-model example, AWD-LSTM), which the reporting factor still admits.",
  },
  rmsprop: {
    low: 1e-6,
    high: 3e-2,
    suggested: 1e-3,
    rationale:
      "RMSprop divides by the running RMS of the gradient like Adam, without bias correction: 1e-4 to 1e-2 (torch's default) is usual from scratch, fine-tuning a pretrained model (preference tuning of language models, for one) goes down to about 1e-6 as with Adam, and TensorFlow-style image-classification recipes scale it up to a few hundredths with the batch.",
  },
  adagrad: {
    low: 1e-3,
    high: 1e-1,
    suggested: 1e-2,
    rationale: "Adagrad's accumulated denominator only grows, so it starts from a larger lr than Adam: 1e-3 to 1e-1, default 1e-2.",
  },
  adadelta: {
    low: 1e-1,
    high: 1.0,
    suggested: 1.0,
    rationale: "Adadelta computes its own step scale; lr is a multiplier around 1.0 (its default).",
  },
  lamb: {
    low: 1e-4,
    high: 1e-2,
    suggested: 1e-3,
    rationale: "LAMB scales each layer's Adam step by a trust ratio; large-batch pretraining uses about 1e-3 to 1e-2.",
  },
  lars: {
    low: 1e-3,
    high: 10,
    suggested: 1.0,
    rationale: "LARS multiplies a global lr by per-layer trust ratios; very large batches use global rates of several units.",
  },
};
