/**
 * Which shell commands are servers or watchers that never exit on their own, so exec starts them as
 * background jobs instead of waiting for them.
 */

// Word edges that also exclude "-", ":" before and "-" after, so `--save-dev` and `dev-branch` do not count.
const DAEMON_PATTERNS: RegExp[] = [
  /^(?:npm|pnpm|yarn|bun)\s+(?:-\S+(?:\s+[^-\s]\S*)?\s+)*(?:run\s+)?(?:dev|start|serve|watch|preview)(?![\w-])/,
  /^(?:make|just)\s+(?:dev|start|serve|watch|run-?server)(?![\w-])/,
  /^vite(?![\w-])(?!\s+(?:build|optimize)(?![\w-]))/,
  /^(?:next|nuxt|nuxi|astro|remix|ng|expo|gatsby)\s+(?:dev|start|serve|develop|preview)(?![\w-])/,
  /^webpack(?:-dev-server(?![\w-])|\s+(?:serve|watch)(?![\w-]))/,
  /^(?:nodemon|uvicorn|gunicorn|hypercorn|daphne|live-server|http-server|browser-sync|json-server|ts-node-dev|serve)(?![\w-])/,
  /^(?:tsx|node)\s+(?:--)?watch(?![\w-])/,
  /^(?:tsc\s+(?:.*\s)?-w|cargo\s+watch)(?![\w-])/,
  /^(?:flask|streamlit)\s+run(?![\w-])/,
  /^python[\d.]*\s+(?:-\S+\s+)*-m\s+(?:http\.server|uvicorn|gunicorn|flask\s+run|streamlit\s+run)(?![\w-])/,
  /^python[\d.]*\s+manage\.py\s+runserver(?![\w-])/,
  /^(?:rails|bin\/rails)\s+(?:s|server)(?![\w-])/,
  /^php\s+(?:-S(?![\w-])|artisan\s+serve(?![\w-]))/,
  /^(?:hugo|jekyll|mkdocs|docusaurus)\s+(?:server|serve|start)(?![\w-])/,
  /^jupyter\s+(?:notebook|lab)(?![\w-])/,
  /^docker[\s-]+compose\s+up(?![\w-])(?!.*\s(?:-d|--detach)(?![\w-]))/,
  /^(?:tail\s+(?:.*\s)?(?:-[a-zA-Z]*[fF][a-zA-Z]*|--follow)(?![\w-])|watch\s)/,
  /(?:^|\s)--watch(?:=true)?(?![\w=-])/,
];
const WRAPPERS =
  /^(?:(?:[A-Za-z_]\w*=\S*|sudo|exec|nohup|time|npx(?:\s+(?:-y|--yes))?|bunx|(?:pnpm|yarn)\s+(?:exec|dlx)|bundle\s+exec|(?:poetry|uv|pipenv)\s+run)\s+)+/;
/** $'…' (backslash escapes), '…' (none), "…" (backslash escapes), and a backslash-escaped character. */
const QUOTED = /\$'(?:[^'\\]|\\[^])*'?|'[^']*'?|"(?:[^"\\]|\\[^])*"?|\\[^]/g;
const SEPARATOR = /&&|\|\||[;&|\n]/g;
/** `sh -c` whose script (blanked, so trimmed away) followed. */
const SHELL_C = /^(?:\S*\/)?(?:ba|da|k|z)?sh(?:\s+-\w+)*\s+-c$/;

/**
 * Whether a command looks like a server or watcher that never exits on its own.
 *
 * Contract: checks each part of a command list or pipeline (`cd app && npm run dev`,
 * `tail -f log | grep x`); keywords count only as the script or subcommand of a known runner, so
 * `npm install --save-dev`, `git checkout dev-branch` and `npm run build` stay in the foreground.
 * Quoted text is only text (`git commit -m 'fix; npm run dev'`, `echo "npm start"`), except the
 * script of `sh -c '…'` / `bash -c "…"`, which is classified as the command it runs.
 */
export function looksLikeDaemon(command: string): boolean {
  // Blanking keeps every offset, so a part of the blanked text maps back to the original.
  const blank = command.replace(QUOTED, (quoted) => " ".repeat(quoted.length));
  const ends = [...blank.matchAll(SEPARATOR)].map((match) => [match.index, match.index + match[0].length]);
  let start = 0;
  for (const [end, next] of [...ends, [blank.length, blank.length]]) {
    const part = blank.slice(start, end).trimEnd();
    const words = part.trimStart().replace(WRAPPERS, "");
    if (DAEMON_PATTERNS.some((pattern) => pattern.test(words))) return true;
    const script = /^(['"])([^]*)\1$/.exec(command.slice(start + part.length, end).trim())?.[2];
    if (SHELL_C.test(words) && script !== undefined && looksLikeDaemon(script)) return true;
    start = next;
  }
  return false;
}
