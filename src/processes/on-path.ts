import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Whether `name` is an executable in one of `path`'s folders (PATH's form; an empty entry is the current folder). */
export function onPath(name: string, path: string): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || ".", name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
