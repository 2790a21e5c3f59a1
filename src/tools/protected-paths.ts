import { relative } from "node:path";
import { protectedReason as reasonFor } from "../protected-paths.js";
import { approveProtectedCreation } from "../processes/protected-sweep.js";
import { requireApproval, type FileDiff, type ToolContext } from "./define.js";

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
 * Put a write to the approval decision: it asks for a protected path (with the diff) and applies
 * the person's Edit/Write rules; returns when the write may go ahead. Contract: throws
 * ToolInterrupted for Ctrl-C at the question, and a ToolError that tells the model why otherwise.
 */
export async function approveWrite(ctx: ToolContext, tool: string, absolute: string, requested: string, diff: FileDiff): Promise<void> {
  const reason = protectedReason(ctx.root, absolute, requested);
  await requireApproval(ctx, { kind: "write", tool, path: absolute, requested, ...(reason ? { reason } : {}), diff }, (because) =>
    reason
      ? `the user refused this write to ${diff.path}${because}. It is a protected path (${reason}), so every change ` +
        "to it needs the user's approval. Do not retry it unchanged; tell the user what you wanted to change and why."
      : `the user refused this write to ${diff.path}${because}. Do not retry it unchanged; ask the user.`,
  );
  // The person chose this file: the sandbox's sweep of protected paths a command created must leave it.
  if (reason) approveProtectedCreation(absolute);
}
