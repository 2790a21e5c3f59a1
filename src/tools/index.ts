import { z } from "zod";
import { zodToJsonSchema } from "zod-to-json-schema";
import { redactSecrets } from "../secrets.js";
import { capAndSpill } from "./spill.js";
import { ToolError, ToolInterrupted, type FileDiff, type Tool, type ToolContext } from "./define.js";
import { editFileTool } from "./edit-file.js";
import { execTool } from "./exec.js";
import { exitPlanModeTool } from "./exit-plan-mode.js";
import { offeredInMode } from "./plan-tools.js";
import { grepTool } from "./grep.js";
import { listFilesTool } from "./list-files.js";
import { readFileTool } from "./read-file.js";
import { writeFileTool } from "./write-file.js";
import { webFetchTool } from "./web-fetch.js";
import { firstLine } from "../text.js";
import type { ContentPart } from "../images.js";

export { defineTool, ToolError, ToolInterrupted } from "./define.js";
export type { Approval, ApprovalRequest, Tool, ToolContext, ToolOutput, FileDiff, PlanVerdict } from "./define.js";

/** The tools the model gets, in the order it sees them. */
export const tools: Tool[] = [readFileTool, writeFileTool, editFileTool, listFilesTool, grepTool, execTool, webFetchTool] as unknown as Tool[];

/** `list` as the current mode offers it, read at every request: plan mode's has no write tools and adds exit_plan_mode (plan-tools.ts). */
export function toolsForMode(list: Tool[] | (() => Tool[]), planning: () => boolean): () => Tool[] {
  return offeredInMode(list, planning, [exitPlanModeTool as unknown as Tool]);
}

export interface ToolCallRequest {
  /** The model's id for the call (hooks see it as tool_use_id). */
  id?: string;
  name: string;
  /** The raw JSON text the model produced. */
  arguments: string;
}

/**
 * A call the registry checked once (see `prepareCall`): everything after it (the schedule, the
 * person's label, hooks, the approval question, the run) reads these fields and parses nothing.
 */
export interface PreparedCall extends ToolCallRequest {
  tool: Tool;
  /** The arguments as the tool's schema made them. */
  args: Record<string, unknown>;
  /** The arguments as sent, parsed (before the schema): what hooks and Claude-format consumers see. */
  input: unknown;
  /** The call in one line for the person, e.g. "read_file src/app.ts". */
  label: string;
  /** Whether it may run beside other read-only calls (see Tool.readOnly). */
  readOnly: boolean;
}

/** A call that cannot run (unknown tool, arguments that are not JSON or break the schema): `error` is the model's observation. */
export interface RejectedCall extends ToolCallRequest {
  error: string;
  /** The arguments as sent, parsed, when they are JSON. */
  input?: unknown;
  label: string;
}

export type Prepared = PreparedCall | RejectedCall;

/** How many lines of a multi-line error the person sees under its first line. */
const ERROR_LINES_SHOWN = 4;

export interface ToolResult {
  /** The observation for the model (already capped); "" when `interrupted`. */
  output: string;
  ok: boolean;
  /** The call in one line for the person, e.g. "read_file src/app.ts". */
  label: string;
  /** The outcome in one line for the person: the tool's own words, or else its output's first line and the time it took. */
  display: string;
  /** A few lines for the person under `display`: the tool's own, or the rest of a multi-line error. */
  details?: string;
  diff?: FileDiff;
  /** A foreground command's exit code, when it ran to its end. */
  exitCode?: number;
  /** The person stopped the call before it ran; the loop words the observation. */
  interrupted?: true;
  /** The turn ends once this reply's calls are answered (see ToolOutput.endsTurn). */
  endsTurn?: { answer?: string };
  /** Images the tool gives the model (read_file of an image); see ToolOutput.images. */
  images?: ContentPart[];
}

/**
 * What the loop needs of a set of tools: their schemas, and each call prepared once, then run.
 * Layers (hooks, Claude's tool layer, subfolder instructions) wrap `prepare` and `run`.
 */
export interface ToolRegistry {
  specs(): unknown[];
  /** Contract: never throws; a call that cannot run comes back as a RejectedCall. */
  prepare(call: ToolCallRequest): Prepared;
  /** Contract: never throws (see runTool). */
  run(call: PreparedCall, ctx: ToolContext): Promise<ToolResult>;
}

/**
 * A registry over `list`; its specs are computed once per list. A function gives a list that may
 * change between requests (MCP servers join, leave, or change their tools).
 */
export function createRegistry(list: Tool[] | (() => Tool[]) = tools): ToolRegistry {
  const current = typeof list === "function" ? list : () => list;
  let specs: { list: Tool[]; specs: unknown[] } | undefined;
  return {
    specs: () => {
      const now = current();
      if (specs?.list !== now) specs = { list: now, specs: toolSpecs(now) };
      return specs.specs;
    },
    prepare: (call) => prepareCall(call, current()),
    run: runPrepared,
  };
}

/** The `tools` array for the chat-completions request, without keys the API does not need. */
export function toolSpecs(list: Tool[] = tools): unknown[] {
  return list.map((tool) => ({
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema ?? jsonSchema(tool.params) },
  }));
}

function jsonSchema(params: z.AnyZodObject): unknown {
  const schema = zodToJsonSchema(params, { $refStrategy: "none" }) as Record<string, unknown>;
  delete schema.$schema;
  delete schema.additionalProperties;
  return schema;
}

/**
 * Check one call from the model, once: its tool, its JSON, its schema; then its label and whether
 * it only reads. Contract: never throws; what cannot run is a RejectedCall whose `error` tells the
 * model what went wrong and what to send instead (the person's API key redacted).
 */
export function prepareCall(call: ToolCallRequest, list: Tool[] = tools): Prepared {
  const tool = list.find((t) => t.name === call.name);
  const json = parseJson(call.arguments);
  const reject = (error: string): RejectedCall => ({ ...call, ...("input" in json ? { input: json.input } : {}), label: tool?.name ?? call.name, error: redactSecrets(error) });
  if (!tool) return reject(`Error: unknown tool "${call.name}". Available tools: ${list.map((t) => t.name).join(", ")}.`);
  if ("tooDeep" in json) {
    return reject(`Error: the arguments for ${tool.name} are nested more than ${MAX_ARGUMENT_DEPTH} levels deep. Send one flat JSON object with the fields the tool describes.`);
  }
  if (!("input" in json)) return reject(`Error: the arguments for ${tool.name} are not valid JSON. Received: ${quote(call.arguments, 200)}. Send one JSON object.`);
  let parsed;
  try {
    parsed = tool.params.safeParse(json.input);
  } catch (error) {
    // Only a bug in a schema's own code gets here (zod reports what it checks as issues).
    return reject(`Error: ${tool.name} failed unexpectedly while checking its arguments: ${(error as Error)?.message ?? String(error)}`);
  }
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(arguments)"}: ${issue.message}`);
    return reject(`Error: invalid arguments for ${tool.name}:\n${problems.join("\n")}\nReceived: ${quote(JSON.stringify(json.input) ?? String(json.input), 300)}`);
  }
  const args = parsed.data as Record<string, unknown>;
  return { ...call, tool, args, input: json.input, label: safeSummary(tool, args), readOnly: readOnly(tool, args) };
}

/** The answer to a call that could not run, as the person and the model see it. */
export function rejection(call: RejectedCall): ToolResult {
  return { ...failure(call.error), label: call.label };
}

/**
 * Run one tool call from the model: prepare it, then run it.
 *
 * Contract: never throws. Unknown tools, arguments that are not JSON, schema violations and
 * failures inside the tool all come back as an observation starting with "Error:", written so the
 * model can correct itself. Every result has a one-line `display` for the person, and every
 * observation has the person's API key redacted (secrets.ts).
 */
export function runTool(call: ToolCallRequest, ctx: ToolContext, list: Tool[] = tools): Promise<ToolResult> {
  const prepared = prepareCall(call, list);
  return "error" in prepared ? Promise.resolve(rejection(prepared)) : runPrepared(prepared, ctx);
}

/** Run a prepared call. Contract: never throws, as runTool. */
export async function runPrepared(call: PreparedCall, ctx: ToolContext): Promise<ToolResult> {
  let result: ToolResult;
  try {
    result = await runUnredacted(call, ctx);
  } catch (error) {
    // Only a bug gets here (runUnredacted catches what it expects); the model still gets an answer.
    result = { ...failure(`Error: ${call.name} failed unexpectedly: ${(error as Error)?.message ?? String(error)}`), label: call.label };
  }
  const details = result.details === undefined ? undefined : redactSecrets(result.details);
  const endsTurn = result.endsTurn?.answer === undefined ? result.endsTurn : { answer: redactSecrets(result.endsTurn.answer) };
  return { ...result, output: redactSecrets(result.output), display: redactSecrets(result.display), details, ...(endsTurn ? { endsTurn } : {}) };
}

async function runUnredacted({ tool, args, label }: PreparedCall, ctx: ToolContext): Promise<ToolResult> {
  const started = performance.now();
  try {
    const run = () => tool.run(args, ctx);
    let changed: string[] = [];
    const result = await (tool.changesFiles && ctx.recorder ? ctx.recorder.around(tool.name, run, (paths) => (changed = paths)) : run());
    const { output, diff, display, details: tail, exitCode, endsTurn, images } = typeof result === "string" ? { output: result } : result;
    // A command's file changes, for the person, under its outcome (a file tool shows its diff instead).
    const details = diff || !changed.length ? tail : [tail, `changed: ${changed.slice(0, 5).join(", ")}${changed.length > 5 ? ` and ${changed.length - 5} more` : ""}`].filter(Boolean).join("\n");
    const capped = capAndSpill(output, ctx.spillDir, tool.name);
    const done: ToolResult = { output: capped, ok: true, label, diff, details, display: display ?? `${firstLine(capped, 161)} · ${seconds(started)}`, ...(endsTurn ? { endsTurn } : {}), ...(images?.length ? { images } : {}) };
    return exitCode === undefined ? done : { ...done, exitCode };
  } catch (error) {
    if (error instanceof ToolInterrupted) return { output: "", ok: false, label, display: "interrupted", interrupted: true };
    const message = error instanceof Error ? error.message : String(error);
    const text = capAndSpill(message.startsWith("Error:") ? message : `Error: ${message}`, ctx.spillDir, tool.name);
    const display = error instanceof ToolError && error.display ? firstLine(error.display, 161) : firstLine(text, 161);
    return { output: text, ok: false, label, display, details: moreLines(text) };
  }
}

/**
 * The arguments the history keeps: as sent when a provider can parse them back (empty, or JSON
 * nested at most MAX_ARGUMENT_DEPTH deep), else "{}", so a malformed call costs one observation,
 * not the session.
 */
export function storableArguments(call: Prepared): string {
  return call.arguments.trim() === "" || call.input !== undefined ? call.arguments : "{}";
}

/** The arguments text parsed; "" is `{}`. Too deep is not parsed at all (JSON.stringify and zod would overflow the stack). */
function parseJson(text: string): { input: unknown } | { tooDeep: true } | { invalid: true } {
  if (text.trim() === "") return { input: {} };
  if (nestingDepth(text, MAX_ARGUMENT_DEPTH) > MAX_ARGUMENT_DEPTH) return { tooDeep: true };
  try {
    return { input: JSON.parse(text) as unknown };
  } catch {
    return { invalid: true };
  }
}

/** A tool that says it only reads, judged on these arguments; anything in doubt is not. */
function readOnly(tool: Tool, args: Record<string, unknown>): boolean {
  if (typeof tool.readOnly !== "function") return tool.readOnly === true;
  try {
    return tool.readOnly(args);
  } catch {
    return false;
  }
}

function failure(output: string): Omit<ToolResult, "label"> {
  return { output, ok: false, display: firstLine(output, 161), details: moreLines(output) };
}

/** An error's lines after the first, so the person sees it whole (up to a few lines), as the model does. */
function moreLines(text: string): string | undefined {
  const rest = text.split("\n").slice(1).filter((line) => line.trim());
  if (!rest.length) return undefined;
  const shown = rest.slice(0, ERROR_LINES_SHOWN);
  if (rest.length > shown.length) shown.push(`… ${rest.length - shown.length} more lines (/expand shows all)`);
  return shown.join("\n");
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

function safeSummary(tool: Tool, args: unknown): string {
  try {
    return tool.summary ? tool.summary(args as never) : tool.name;
  } catch {
    return tool.name;
  }
}

function quote(text: string, max: number): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** No tool takes more than a few levels; deeper JSON would overflow the stack in JSON.stringify or zod. */
export const MAX_ARGUMENT_DEPTH = 64;

/**
 * How deeply `text` nests brackets outside strings, counted without recursion and without parsing,
 * stopping once it passes `limit`.
 */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
