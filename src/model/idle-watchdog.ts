/**
 * A stream that stops sending content (keep-alive comments for ever, one endless line with no
 * newline, a proxy that holds the socket open) would hang the turn for ever. The watchdog aborts
 * it when nothing useful arrived for `idleMs`.
 */
export interface IdleWatchdog {
  /** Aborted when the caller's signal aborts, or when the stream went idle. */
  signal: AbortSignal;
  /** Something arrived: start the idle period again. */
  reset(): void;
  /** True once the watchdog, not the caller, aborted. */
  readonly fired: boolean;
  /** Clear the timer and unlink from the caller's signal. */
  stop(): void;
}

/** Contract: the timer runs only after the first reset(); stop() must be called when the stream ends. */
export function idleWatchdog(parent: AbortSignal, idleMs: number): IdleWatchdog {
  const controller = new AbortController();
  const forward = () => controller.abort(parent.reason);
  if (parent.aborted) forward();
  else parent.addEventListener("abort", forward, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  return {
    signal: controller.signal,
    reset() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        fired = true;
        controller.abort(new Error(`no data for ${idleMs} ms`));
      }, idleMs);
    },
    get fired() {
      return fired;
    },
    stop() {
      clearTimeout(timer);
      parent.removeEventListener("abort", forward);
    },
  };
}
