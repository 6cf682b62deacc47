/** Dotted import paths (`torch.optim.Adam`): their parts, and finding table entries by any path they go by. */

/** The last segment of a dotted path: `Adam` of `torch.optim.Adam`. */
export function lastSegment(dotted: string): string {
  return dotted.slice(dotted.lastIndexOf(".") + 1);
}

/** Each entry under its canonical name and every alias. */
export function indexByName<T extends { canonical: string; aliases: string[] }>(entries: readonly T[]): Map<string, T> {
  const byName = new Map<string, T>();
  for (const entry of entries) {
    byName.set(entry.canonical, entry);
    for (const alias of entry.aliases) byName.set(alias, entry);
  }
  return byName;
}
