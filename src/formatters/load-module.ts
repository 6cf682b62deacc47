/**
 * Loading a module by URL with `import()`, kept in a module of its own: the CLI's lint bundle is compiled as a
 * script, where `import()` is not available, so its build puts the launcher's `import()` in this module's place.
 */
export function importModule(url: string): Promise<unknown> {
  return import(url);
}
