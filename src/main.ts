import { UsageError, type ParsedArgs } from "./config/args.js";
import { loadConfig } from "./config/config.js";
import { Conversation } from "./loop/conversation.js";
import { resolveEndpoint } from "./config/endpoint.js";
import { EXIT } from "./exit-codes.js";
import { setUpHooks } from "./extend/hooks/setup.js";
import { loadMcpConfig, namedFileProblem } from "./extend/mcp/config.js";
import { regimeLine } from "./approval/decide.js";
import { setUpApprovals } from "./approval/setup.js";
import { JobManager } from "./processes/jobs.js";
import { killAll } from "./processes/children.js";
import { configureSandbox, stopSandboxEngine } from "./processes/sandbox.js";
import { openTranscript } from "./session/resume.js";
import { showControls } from "./sanitize.js";
import { forgetKeysFromEnvironment, setSecrets } from "./secrets.js";
import { setPassedVariables } from "./processes/command-env.js";
import { RewindRecorder } from "./session/rewind/recorder.js";
import { usesClaudePermissions } from "./config/claude-flags.js";
import { killChildrenOnExit } from "./terminal/input/signals.js";
import { listSessions } from "./session/transcript.js";
import type { JsonPrintOptions } from "./terminal/json-print.js";
/**
 * Wiring only: config, endpoint, transcript, background jobs and the conversation, then the REPL
 * or --print (each imported when chosen, so one mode never pays to compile the other). Every policy lives with its owner; this file decides nothing.
 */
export async function main(args: ParsedArgs, version: string): Promise<number> {
  const config = await loadConfig(args);
  if (config.ignoredFlags.length) process.stderr.write(`mini-claude: ignored (no meaning here): ${showControls(config.ignoredFlags.join(", "))}\n`);
  // The unused provider's key is the person's secret too.
  setSecrets([config.apiKey, process.env.OPENAI_API_KEY, process.env.DEEPSEEK_API_KEY]);
  forgetKeysFromEnvironment();
  setPassedVariables(config.passEnv);
  if (config.resume === "") {
    const sessions = process.stdin.isTTY && process.stdout.isTTY && !config.print ? listSessions(config.dataDir, config.workspace) : [];
    const picked = sessions.length ? await (await import("./terminal/commands/session-picker.js")).pickSession(sessions) : undefined;
    if (!picked) {
      if (!sessions.length) (await import("./terminal/commands/session-list.js")).printSessionList(config);
      return EXIT.ok;
    }
    config.resume = picked;
  }
  if (config.rewindLast) return (await import("./terminal/commands/rewind.js")).rewindLastRun(config, (line) => process.stdout.write(`${line}\n`));
  const endpointNote = await resolveEndpoint(config);
  const warn = (line: string) => process.stderr.write(`mini-claude: ${showControls(line)}\n`);
  const transcript = openTranscript(config, warn);
  const approvals = setUpApprovals(config);
  for (const problem of approvals.permissions.problems) warn(problem);
  // The settings' defaultMode may set the starting mode: hooks, the JSON init line and Claude's layer see it as the flag's.
  if (config.claude) config.claude.permissionMode = approvals.permissionMode;
  const hooks = setUpHooks(config, transcript, warn);
  // SessionEnd however the process ends; a normal return runs it below, awaited.
  if (hooks) process.once("exit", () => hooks.hooks.endSync("other"));
  const sandbox = configureSandbox({
    mode: config.sandbox,
    root: config.workspace,
    allowNet: config.allowNet,
    allowedDomains: approvals.allowedDomains(),
    privatePaths: [config.configDir, config.dataDir, ...config.keyFiles],
    jobsOutliveUs: config.print && config.keepBackground,
  });
  // Never a silent fallback: --print says it on stderr, the REPL under its banner.
  if (config.print && sandbox.problem) warn(`${sandbox.problem}.`);
  const jobs = new JobManager();
  killChildrenOnExit({ keepJobs: config.print && config.keepBackground });
  const sdkMode = config.inputFormat === "stream-json";
  // The Agent SDK's initialize may carry MCP servers to start with the others: read before they start.
  const sdk = sdkMode ? await (await import("./sdk/sdk-mode.js")).openSdkChannel(config) : undefined;
  const mcpConfig = loadMcpConfig({ workspace: config.workspace, configDir: config.configDir, extraFiles: [...config.mcpConfigFiles, ...(sdk?.mcpFiles ?? [])] });
  const broken = namedFileProblem(mcpConfig, config.mcpConfigFiles);
  if (broken) throw new UsageError(`--mcp-config: ${broken}`);
  // Most sessions have no MCP server: they never load the SDK's side of the code.
  const mcp = mcpConfig.servers.length || mcpConfig.problems.length || mcpConfig.warnings?.length ? new (await import("./extend/mcp/hub.js")).McpHub(mcpConfig, config) : undefined;
  const permissions = usesClaudePermissions(config.claude, sdkMode) ? new (await import("./sdk/permissions.js")).ClaudePermissions(config.claude) : undefined;
  const conversation = new Conversation({
    config,
    jobs,
    resumed: transcript,
    hooks: hooks?.hooks,
    mcp,
    readDenied: approvals.readDenied,
    planning: () => approvals.permissionMode === "plan",
    recorder: new RewindRecorder({ root: config.workspace, dataDir: config.dataDir, maxBytes: config.rewindMaxBytes, session: transcript.id }),
    wrapTools: permissions && ((tools) => permissions.wrap(tools)),
  });
  for (const problem of conversation.agents.problems) warn(problem);
  // The transcript hears every message once, from the conversation's one event sink.
  conversation.subscribe(transcript.record);
  const mode = { config, conversation, jobs, hooks, approvals };
  const notes = [endpointNote, transcript.note, regimeLine(sandbox, config.yes)].filter((note) => note !== undefined);
  try {
    // Each mode loads only its own half of the terminal layer: --print never compiles the REPL.
    if (sdk && permissions) {
      const { runSdkMode } = await import("./sdk/sdk-mode.js");
      return await runSdkMode({ ...mode, channel: sdk.channel, initializeServers: sdk.servers, permissions, version, sessionId: () => transcript.sessionId });
    }
    if (config.print) {
      const claudePrinter =
        config.jsonDialect === "claude"
          ? async (options: JsonPrintOptions) => new (await import("./sdk/claude-print.js")).ClaudePrint({ ...options, version, permissions })
          : undefined;
      return await (await import("./terminal/print.js")).runPrintMode({ ...mode, sessionId: () => transcript.sessionId, claudePrinter });
    }
    return await (await import("./terminal/repl.js")).runReplMode({ ...mode, version, notes });
  } finally {
    await hooks?.hooks.end(config.print ? "other" : "prompt_input_exit");
    // Their pipes would keep the process alive; process.on("exit") kills whatever this misses.
    conversation.close();
    await mcp?.closeAll();
    await stopSandboxEngine();
    // Jobs (unless --keep-background handed them off) and anything else still ours, gracefully;
    // the exit handler would only SIGKILL them.
    await killAll();
  }
}
