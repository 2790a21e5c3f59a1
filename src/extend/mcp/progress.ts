import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";

/**
 * A tool call's progress and its deadline. Asking for progress (the SDK then sends a
 * progressToken) lets a long call say how far it is; each report restarts the call's timeout, so
 * a server that keeps reporting is not cut off, but never past MAX_CALL_MS in all. Aborting
 * `signal` (Esc, Ctrl-C) makes the SDK send notifications/cancelled for the request.
 */

/** However often a server reports progress, a call ends after this long (or its own timeout, if longer). */
export const MAX_CALL_MS = 30 * 60_000;

export interface ProgressReport {
  progress: number;
  total?: number;
  message?: string;
}

export function callOptions(signal: AbortSignal, timeoutMs: number, onProgress?: (report: ProgressReport) => void): RequestOptions {
  if (!onProgress) return { signal, timeout: timeoutMs };
  return { signal, timeout: timeoutMs, onprogress: onProgress, resetTimeoutOnProgress: true, maxTotalTimeout: Math.max(MAX_CALL_MS, timeoutMs) };
}

/** The report as the call's timer line shows it: "3/10 · indexing src". */
export function progressText({ progress, total, message }: ProgressReport): string {
  const amount = total ? `${progress}/${total}` : `${progress}`;
  return message ? `${amount} · ${message}` : amount;
}
