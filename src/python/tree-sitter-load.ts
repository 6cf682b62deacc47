/**
 * Loads tree-sitter and its Python grammar: native addons, each with a JavaScript wrapper. From the sources and the
 * library this requires the installed packages. The CLI's lint bundle replaces this module by one that runs copies of
 * the wrappers bundled (and code-cached) with the rest, loading only the addons from the installed packages
 * (`scripts/build.mjs`): compiling the wrappers and finding their files cost a pre-commit run more than the addons.
 */
import { createRequire } from "node:module";

export function requireTreeSitter(): { Parser: unknown; grammar: unknown } {
  const load = createRequire(import.meta.url);
  return { Parser: load("tree-sitter"), grammar: load("tree-sitter-python") };
}
