/**
 * Synchronous work (the walk's readdirSync, the main thread's file scan) that lets the event loop
 * run now and then, so Ctrl-C, a deadline and the workers' messages still get through.
 */
export class TimeSlice {
  private started = performance.now();

  constructor(private readonly ms = 10) {}

  /** The slice is used up: time to pause. */
  get due(): boolean {
    return performance.now() - this.started >= this.ms;
  }

  /** Give the event loop one turn, then start a new slice. */
  async pause(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.started = performance.now();
  }
}
