/** Public API of optim-lint: lint text or whole projects with the built-in rules, and the contracts rules and adapters share. */
export { lintText, lintProject, adapterFor, linter, ADAPTERS, JOINERS } from "./default-linter.js";
export { Linter } from "./core/linter.js";
export type { LintTextOptions, LintInput, LintProjectOptions, LinterOptions } from "./core/linter.js";
export { fileErrorResult, docsUrl } from "./core/results.js";
export type { FileResult, LintMessage, RuleSetting, FixJson, RelatedLocation } from "./core/results.js";
export type * from "./core/types.js";
export type * from "./core/facts.js";
export { knowledge } from "./knowledge/index.js";
