import { relative } from "node:path";
import { protectedReason as reasonFor } from "../protected-paths.js";
import { ToolError, ToolInterrupted, type FileDiff, type ToolContext } from "./define.js";

/**
 * Contract: why `absolute` (a path already resolved inside `root`, symlinks followed) is protected,
 * in a few words; undefined when writing it needs no question. `requested` is the path as the
 * model wrote it, checked too, so a symlink named innocently cannot hide where a write lands, and
 * a protected name cannot be reached through an innocent one.
 */
export function protectedReason(root: string, absolute: string, requested?: string): string | undefined {
  const real = relative(root, absolute);
  const asked = requested ? relative(root, requested) : real;
  const reason = reasonFor(real);
  if (reason && asked !== real) return `it leads to ${real}, and ${reason.replace(/^it /, "that ")}`;
  return reason ?? reasonFor(asked);
}

/**
 * Ask the person before a write to a protected path; returns when they approve (or the path is not
 * protected). Contract: throws ToolInterrupted for Ctrl-C at the question, and a ToolError that
 * tells the model the person refused (with their reason) and why the path is protected otherwise.
 */
export async function approveProtectedWrite(ctx: ToolContext, absolute: string, requested: string, diff: FileDiff): Promise<void> {
  const reason = protectedReason(ctx.root, absolute, requested);
  if (!reason) return;
  const decision = await ctx.approve({ kind: "write", path: diff.path, reason, diff }, ctx.signal);
  if (decision.approved) return;
  if (decision.interrupted || ctx.signal.aborted) throw new ToolInterrupted();
  const because = decision.reason ? `: ${decision.reason.trim().replace(/[.\s]+$/, "")}` : "";
  throw new ToolError(
    `the user refused this write to ${diff.path}${because}. It is a protected path (${reason}), so every change ` +
      "to it needs the user's approval. Do not retry it unchanged; tell the user what you wanted to change and why.",
  );
}
