/** The process exit codes, one meaning each, shared by --print, the REPL and the entry point. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;
