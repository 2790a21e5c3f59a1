import { spillRootFor } from "./spill.js";

/**
 * The exceptions to the workspace guard for reading: the spill folder and the skill folders that
 * live outside the workspace. Returns the real folder to guard `path` against when it is an
 * absolute path inside one of them (symlinks out of it stay refused), else undefined. Only
 * read_file asks; every writing tool keeps the workspace as its one root.
 */
export function readOnlyRootFor(path: string, dirs: ReadonlyArray<string | undefined>): string | undefined {
  for (const dir of dirs) {
    const root = spillRootFor(path, dir);
    if (root) return root;
  }
  return undefined;
}
