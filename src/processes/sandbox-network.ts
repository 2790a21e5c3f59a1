/**
 * The sandbox's network questions: which sandboxed commands are running, and what the engine's
 * proxy is told when one of them reaches a domain no rule decided (allowed, refused, or put to the
 * person through the mode's asker, naming the command that most likely wants it).
 */

/** A question about a domain no rule decided, for the mode to put to the person. */
export interface NetworkQuestion {
  host: string;
  port?: number;
  /** The sandboxed commands running when it was asked (one of them wants it). */
  commands: string[];
}

/** "allow" (remembered for the session; the asker keeps "always for this project" itself), or a refusal with the reason the command sees. */
export type NetworkAnswer = "allow" | { refused: string };
export type NetworkAsker = (question: NetworkQuestion) => Promise<NetworkAnswer>;

/** What the engine's proxy gets back for a connection. */
export type DomainVerdict = boolean | { allow: false; reason: string };

/** The session's domain rules; answers the person gives are added to `allowedDomains`. */
export interface DomainRules {
  /** --allow-net: every domain is allowed without asking. */
  allowNet: boolean;
  allowedDomains: string[];
}

interface RunningCommand {
  label: string;
  /** A background job: a question names a foreground command first. */
  background: boolean;
  /** May not reach a new domain (the proxy cannot tell whose connection it is). */
  readOnly: boolean;
}

/** Sandboxed commands running now, by the id of their wrap. */
const running = new Map<string, RunningCommand>();
const pendingQuestions = new Map<string, Promise<DomainVerdict>>();
let asker: NetworkAsker | undefined;

/** Set by the mode that can put a question to the person; without one, new domains are refused. */
export function setNetworkAsker(ask: NetworkAsker | undefined): void {
  asker = ask;
}

export function commandStarted(id: string, command: RunningCommand): void {
  running.set(id, command);
}

export function commandEnded(id: string): void {
  running.delete(id);
}

/** How many sandboxed commands are running now. */
export function runningCommands(): number {
  return running.size;
}

/** The session is over: no command of it is running any more. */
export function forgetCommands(): void {
  running.clear();
}

/** What a command (and so the model) reads when a domain was refused without a question. */
export function refusalFor(domain: string): string {
  return `${domain} is not an allowed domain. Allow it with --allow-domain ${domain} or sandbox.network.allowedDomains in settings`;
}

/**
 * The proxy's answer for `host`:`port`. One question per domain at a time: a second connection
 * to it waits for the same answer.
 */
export async function askAboutDomain(rules: DomainRules, host: string, port: number | undefined): Promise<DomainVerdict> {
  if (rules.allowNet) return true;
  const key = port && port !== 443 && port !== 80 ? `${host}:${port}` : host;
  if (rules.allowedDomains.includes(host) || rules.allowedDomains.includes(key)) return true;
  const pending = pendingQuestions.get(key);
  if (pending) return pending;
  const question = (async () => {
    if (!asker) return deny(refusalFor(key));
    const commands = [...running.values()];
    // Only read-only commands running: the connection is one of theirs, and they never ask.
    if (commands.length && commands.every((command) => command.readOnly)) return deny(`${key}: a read-only command reaches no new domain`);
    // The proxy cannot tell which command asks: a foreground one is the likely one, so it is named alone.
    const foreground = commands.filter((command) => !command.background);
    const named = (foreground.length === 1 ? foreground : commands).map((command) => command.label);
    const answer = await asker({ host, ...(port ? { port } : {}), commands: named });
    if (typeof answer === "object") return deny(answer.refused);
    rules.allowedDomains.push(key);
    return true;
  })().finally(() => pendingQuestions.delete(key));
  pendingQuestions.set(key, question);
  return question;
}

function deny(reason: string): { allow: false; reason: string } {
  return { allow: false, reason };
}
