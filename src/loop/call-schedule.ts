/**
 * When the tool calls of one reply run. The loop still walks the calls one by one, in order, and
 * asks this schedule for each call's result; the schedule decides what may already be running.
 *
 * The rule: a run of consecutive read-only calls starts together, the moment the first of them
 * is asked for; any other call starts only when it is asked for, that is after every call before
 * it has finished. So a write never overlaps anything, and a read that follows a write in the same
 * reply waits for it. Results are still consumed, shown and appended in call order by the loop.
 */
export class CallSchedule<C, R> {
  private readonly started = new Map<number, Promise<R>>();

  /**
   * @param calls the reply's calls, in order
   * @param readOnly whether call `index` may run beside its read-only neighbours
   * @param run starts one call; its promise must not reject (the registry's run never throws)
   */
  constructor(
    private readonly calls: readonly C[],
    private readonly readOnly: (call: C, index: number) => boolean,
    private readonly run: (call: C, index: number) => Promise<R>,
  ) {}

  /**
   * The result of call `index`, starting it (and, for a read-only call, the read-only calls right
   * after it) if not started yet. Contract: the caller asks in call order and awaits each result
   * before asking for the next, which is what keeps non-read-only calls sequential.
   */
  result(index: number): Promise<R> {
    if (!this.started.has(index) && this.readOnly(this.calls[index], index)) {
      for (let next = index; next < this.calls.length && this.readOnly(this.calls[next], next); next++) {
        if (!this.started.has(next)) this.started.set(next, this.run(this.calls[next], next));
      }
    }
    return this.started.get(index) ?? this.run(this.calls[index], index);
  }
}
