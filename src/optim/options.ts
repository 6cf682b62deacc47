/**
 * Checking option names as Python checks keyword arguments: a misspelled option (`momentom`) and a missing
 * required one (`T_max`) are a `TypeError`, as torch raises them, instead of being ignored or stepping to NaN.
 */
import { closest } from "fastest-levenshtein";
import { OptimTypeError } from "./errors.js";

/** torch's implementation switches (which kernel runs), accepted and ignored: they do not change the math. */
export const IMPLEMENTATION_OPTIONS: readonly string[] = ["foreach", "fused", "capturable", "differentiable"];

/**
 * Throws a TypeError for an option that is not one of `allowed` or for a `required` option that is missing
 * or undefined, worded as Python words `__init__() got an unexpected keyword argument`.
 */
export function checkOptionNames(owner: string, options: object | undefined, allowed: readonly string[], required: readonly string[] = []): void {
  const given = options ?? {};
  for (const name of Object.keys(given)) {
    if (allowed.includes(name) || IMPLEMENTATION_OPTIONS.includes(name)) continue;
    const near = allowed.length > 0 ? closest(name, [...allowed]) : undefined;
    throw new OptimTypeError(`${owner}.__init__() got an unexpected keyword argument '${name}'${near ? ` (did you mean '${near}'?)` : ""}`);
  }
  const missing = required.filter((name) => (given as Record<string, unknown>)[name] === undefined);
  if (missing.length > 0) {
    const names = missing.map((name) => `'${name}'`).join(" and ");
    throw new OptimTypeError(`${owner}.__init__() missing ${missing.length} required argument${missing.length === 1 ? "" : "s"}: ${names}`);
  }
}
