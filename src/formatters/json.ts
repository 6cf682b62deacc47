/** ESLint's machine formats: the results as JSON, optionally with the rules' metadata. */
import type { Formatter } from "./types.js";

export const json: Formatter = (results) => JSON.stringify(results);

export const jsonWithMetadata: Formatter = (results, context) => {
  const metadata: Record<string, unknown> = { cwd: context.cwd, rulesMeta: context.rulesMeta };
  if (context.maxWarningsExceeded) metadata.maxWarningsExceeded = context.maxWarningsExceeded;
  if (context.testCode) metadata.testCode = context.testCode;
  return JSON.stringify({ results, metadata });
};
