/**
 * Many calls of one tool in a row (a model reading twenty files at once) shown as one line rather
 * than forty: the first call is shown as usual, and each later call of the same tool that ends
 * plainly (ok, no diff, no detail lines) is only counted, then summarised as
 * "+ 19 more read_file calls: b.ts, c.ts, …" when the run ends. A call that fails or has something
 * to show ends the run and is shown whole, its label included. A run never spans two replies:
 * the caller closes it at anything else, the next model request included.
 */
export class ToolGroup {
  private name?: string;
  /** Labels of the calls counted into the run, without the tool's name. */
  private labels: string[] = [];
  /** The label of a started call that may join the run; shown if it does not. */
  private held?: string;

  /** A call starts. `show`: show its label now (else it is held until it ends), after `summary` if any. */
  start(name: string, label: string): { show: boolean; summary?: string } {
    if (this.name === name) {
      this.held = label;
      return { show: false };
    }
    return { show: true, summary: this.close().summary };
  }

  /**
   * A call ends. "counted": it joined the run, show nothing. Otherwise show the run's summary (if
   * it just ended), then `label` (when it was held; "" when already shown), then the outcome.
   */
  end(name: string, plain: boolean): "counted" | { label: string; summary?: string } {
    const held = this.held;
    this.held = undefined;
    if (held !== undefined && plain) {
      this.labels.push(held.startsWith(`${name} `) ? held.slice(name.length + 1) : held);
      return "counted";
    }
    const summary = held !== undefined ? this.close().summary : undefined;
    this.name = plain && held === undefined ? name : undefined;
    return { label: held ?? "", summary };
  }

  /** The run is over (other output follows): its summary line, or undefined. Shows a held label too. */
  close(): { summary?: string; held?: string } {
    const { name, labels, held } = this;
    this.name = undefined;
    this.labels = [];
    this.held = undefined;
    const summary = name && labels.length ? `+ ${labels.length} more ${name} call${labels.length === 1 ? "" : "s"}: ${labels.join(", ")}` : undefined;
    return { summary, held };
  }

  /** Whether a run (or a held label) is open, to be closed before other output or the next reply. */
  get open(): boolean {
    return this.name !== undefined || this.held !== undefined;
  }
}
