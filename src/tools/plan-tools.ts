import type { Tool } from "./define.js";

/**
 * Which tools plan mode offers: no file tool that writes (they are not in the request at all, so
 * a call to one is an unknown tool, refused by the registry), and exit_plan_mode, which no other
 * mode offers (it costs nothing outside plan mode). exec stays: in plan mode it runs read-only
 * (exec.ts, approval/decide.ts).
 */

/** The tools plan mode leaves out of the request. */
const WRITING_TOOLS: readonly string[] = ["write_file", "edit_file"];

/**
 * The list for the current mode, read at every request (the mode may change between them).
 * `planOnly`: the tools only plan mode offers (exit_plan_mode; index.ts passes it, as no tool
 * module imports another). Contract: the same array comes back while neither the mode nor
 * `list`'s own array changes, so the registry computes each set of specs once.
 */
export function offeredInMode(list: Tool[] | (() => Tool[]), planning: () => boolean, planOnly: Tool[]): () => Tool[] {
  const current = typeof list === "function" ? list : () => list;
  let last: { base: Tool[]; planning: boolean; offered: Tool[] } | undefined;
  return () => {
    const base = current();
    const now = planning();
    if (last?.base !== base || last.planning !== now) {
      const offered = now ? [...base.filter((tool) => !WRITING_TOOLS.includes(tool.name)), ...planOnly] : base;
      last = { base, planning: now, offered };
    }
    return last.offered;
  };
}
