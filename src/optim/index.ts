/**
 * `optim-lint/optim`: reference optimizers with `torch.optim` semantics (PyTorch 2.x), their LR schedulers,
 * and a factory keyed by torch short name.
 */
export * from "./errors.js";
export * from "./dtype.js";
export { checkOptionNames } from "./options.js";
export * from "./optimizer.js";
export * from "./sgd.js";
export * from "./adam.js";
export * from "./adamw.js";
export * from "./rmsprop.js";
export * from "./adagrad.js";
export * from "./adamax.js";
export * from "./nadam.js";
export * from "./radam.js";
export * from "./adadelta.js";
export * from "./lamb.js";
export * from "./lars.js";
export * from "./lookahead.js";
export * from "./factory.js";
export * from "./schedulers/index.js";
// The schedulers name their minimal view of a group `ParamGroup` too; the optimizer's, which has `params`, is the public one.
export type { ParamGroup } from "./optimizer.js";
// Float32 arrays in the kernels' memory, updated in place (see docs/optim.md, "Float32").
export { allocFloat32, float32Kernels, type Float32Kernels } from "./simd.js";
