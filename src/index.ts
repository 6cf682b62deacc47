/** Public API of optim-lint: lint text with the built-in rules, and the contracts rules and adapters share. */
export { lintText, fileErrorResult, adapterFor, docsUrl } from "./core/engine.js";
export type { FileResult, LintMessage, LintTextOptions, RuleSetting } from "./core/engine.js";
export type * from "./core/types.js";
export type * from "./core/facts.js";
export { knowledge } from "./knowledge/index.js";
