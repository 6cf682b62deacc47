/**
 * Globs in configuration files, relative to the file's folder. A pattern without a slash matches a name
 * at any depth (`*_test.py`, `legacy`); a pattern with one matches the path from the folder (`src/gen/**`).
 * A folder that matches covers everything inside it.
 */
import path from "node:path";
import picomatch from "picomatch";

/** Tests paths against a list of globs anchored at one folder. */
export type PathMatcher = (absolutePath: string) => boolean;

/** The path relative to a folder in POSIX form, or undefined when it lies outside. */
function relativeInside(dir: string, absolutePath: string): string | undefined {
  const rel = path.relative(dir, absolutePath);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join("/");
}

/** The path and each of its parent folders, innermost last: `a`, `a/b`, `a/b/c.py`. */
function prefixes(rel: string): string[] {
  const parts = rel.split("/");
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** A matcher for globs relative to `dir`. */
export function globMatcher(dir: string, patterns: readonly string[]): PathMatcher {
  const tests = patterns.map((raw) => {
    const pattern = raw.replace(/^\.\//, "").replace(/\/+$/, "");
    const match = picomatch(pattern, { dot: true });
    return pattern.includes("/") ? match : (rel: string) => match(rel.slice(rel.lastIndexOf("/") + 1));
  });
  return (absolutePath) => {
    if (tests.length === 0) return false;
    const rel = relativeInside(dir, absolutePath);
    if (rel === undefined) return false;
    return prefixes(rel).some((candidate) => tests.some((test) => test(candidate)));
  };
}
