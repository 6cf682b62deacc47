/** The built-in formatters by name, and loading of ESLint formatter modules by path or package name. */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError, didYouMean } from "../config/errors.js";
import { compact } from "./compact.js";
import { github } from "./github.js";
import { sarif } from "./sarif.js";
import { json, jsonWithMetadata } from "./json.js";
import { stylish } from "./stylish.js";
import type { Formatter } from "./types.js";
import { importModule } from "./load-module.js";

export const FORMATTERS: Record<string, Formatter> = {
  stylish,
  compact,
  json,
  "json-with-metadata": jsonWithMetadata,
  github,
  sarif,
};

/** Whether a format name is a file path rather than a built-in or package name. */
function looksLikePath(name: string): boolean {
  return name.includes("/") || name.includes("\\") || /\.[cm]?js$/.test(name);
}

/** The module file for `--format <name>` outside the built-ins: a path, or an `eslint-formatter-*` package. */
function externalFormatterFile(name: string, cwd: string): string | undefined {
  if (looksLikePath(name)) return path.resolve(cwd, name);
  const require = createRequire(path.join(cwd, "package.json"));
  const packageName = name.startsWith("eslint-formatter-") || name.startsWith("@") ? name : `eslint-formatter-${name}`;
  try {
    return require.resolve(packageName);
  } catch {
    return undefined;
  }
}

/** The formatter for `--format`: a built-in, then a local module path, then an `eslint-formatter-*` package. */
export async function loadFormatter(name: string, cwd: string): Promise<Formatter> {
  const builtin = FORMATTERS[name];
  if (builtin) return builtin;
  const file = externalFormatterFile(name, cwd);
  if (!file) {
    throw new UsageError(`Unknown format "${name}" (built-in formats: ${Object.keys(FORMATTERS).join(", ")})${didYouMean(name, Object.keys(FORMATTERS))}`);
  }
  let loaded: { default?: unknown };
  try {
    loaded = (await importModule(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new UsageError(`Cannot load formatter "${name}" from ${file}: ${(error as Error).message}`);
  }
  const formatter = typeof loaded.default === "function" ? loaded.default : loaded;
  if (typeof formatter !== "function") throw new UsageError(`Formatter module ${file} does not export a function`);
  return formatter as Formatter;
}

export type { Formatter, FormatterContext, EslintRuleMeta } from "./types.js";
