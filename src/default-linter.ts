/**
 * The standard wiring: every language adapter and project joiner optim-lint ships, registered with the
 * core linter. The CLI, the public API and the editor integrations all lint through this instance.
 */
import { Linter, type LintProjectOptions, type LintInput, type LintTextOptions } from "./core/linter.js";
import type { FileResult } from "./core/results.js";
import type { LanguageAdapter, ProjectJoiner } from "./core/types.js";
import { baseConfigJoiner } from "./configs/bases.js";
import { hydraJoiner } from "./configs/hydra.js";
import { deepSpeedFileJoiner } from "./configs/deepspeed-files.js";
import { knowledge } from "./knowledge/index.js";
import { notebookAdapter } from "./notebook/adapter.js";
import { pythonAdapter } from "./python/adapter.js";
import { pythonCallJoiner } from "./python/calls.js";
import { hydraInstantiateJoiner } from "./python/instantiate.js";
import { pythonInheritedJoiner } from "./python/inherited.js";
import { trainerClassJoiner } from "./python/trainer-classes.js";
import { jsonAdapter } from "./json/adapter.js";
import { yamlAdapter } from "./yaml/adapter.js";

/** The language adapters, in the order they are asked whether they handle a path. */
export const ADAPTERS: readonly LanguageAdapter[] = [pythonAdapter, notebookAdapter, yamlAdapter, jsonAdapter];

/** The project joiners, run in this order after every file is analyzed. */
export const JOINERS: readonly ProjectJoiner[] = [baseConfigJoiner, hydraJoiner, deepSpeedFileJoiner, pythonCallJoiner, pythonInheritedJoiner, trainerClassJoiner, hydraInstantiateJoiner];

export const linter = new Linter({ adapters: ADAPTERS, joiners: JOINERS, knowledge });

/** Lints one text with the standard adapters. */
export function lintText(text: string, options: LintTextOptions): FileResult {
  return linter.lintText(text, options);
}

/** Lints files together with the standard adapters and joiners. */
export function lintProject(inputs: readonly LintInput[], options?: LintProjectOptions): FileResult[] {
  return linter.lintProject(inputs, options);
}

/** The adapter that handles a path, if any. */
export function adapterFor(filePath: string): LanguageAdapter | undefined {
  return linter.adapterFor(filePath);
}
