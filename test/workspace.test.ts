import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { displayPath, resolveInWorkspace } from "../src/workspace.js";
import { tempWorkspace } from "./support/workspace.js";

describe("resolveInWorkspace", () => {
  it("accepts relative, nested, not-yet-existing and absolute paths inside the root", () => {
    const ws = tempWorkspace({ "src/app.ts": "x" });
    expect(resolveInWorkspace(ws.root, "src/app.ts")).toBe(join(ws.root, "src/app.ts"));
    expect(resolveInWorkspace(ws.root, "new/dir/file.txt")).toBe(join(ws.root, "new/dir/file.txt"));
    expect(resolveInWorkspace(ws.root, join(ws.root, "src"))).toBe(join(ws.root, "src"));
    expect(resolveInWorkspace(ws.root, ".")).toBe(ws.root);
    expect(resolveInWorkspace(ws.root, "src/../src/app.ts")).toBe(join(ws.root, "src/app.ts"));
  });

  it("rejects .. escapes and absolute paths outside, naming the root", () => {
    const ws = tempWorkspace();
    expect(() => resolveInWorkspace(ws.root, "../outside/x")).toThrow(`Path ../outside/x resolves outside the workspace ${ws.root}`);
    expect(() => resolveInWorkspace(ws.root, "/etc/passwd")).toThrow(/outside the workspace/);
    expect(() => resolveInWorkspace(ws.root, "a/../../b")).toThrow(/outside the workspace/);
  });

  it("does not treat a sibling with the same prefix as inside", () => {
    const ws = tempWorkspace();
    const evil = `${ws.root}_evil`;
    mkdirSync(evil);
    expect(() => resolveInWorkspace(ws.root, `${evil}/secret`)).toThrow(/outside the workspace/);
  });

  it("follows symlinks: a link to a folder or file outside is refused", () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.outside, "secret.txt"), "secret");
    symlinkSync(ws.outside, join(ws.root, "linkdir"));
    symlinkSync(join(ws.outside, "secret.txt"), join(ws.root, "link.txt"));
    expect(() => resolveInWorkspace(ws.root, "linkdir/secret.txt")).toThrow(/outside the workspace/);
    expect(() => resolveInWorkspace(ws.root, "linkdir/new.txt")).toThrow(/outside the workspace/);
    expect(() => resolveInWorkspace(ws.root, "link.txt")).toThrow(/outside the workspace/);
  });

  it("follows dangling symlinks, so a write cannot create a file outside", () => {
    const ws = tempWorkspace();
    symlinkSync(join(ws.outside, "not-yet.txt"), join(ws.root, "dangling"));
    symlinkSync(join(ws.outside, "nodir", "deeper"), join(ws.root, "dangling-dir"));
    expect(() => resolveInWorkspace(ws.root, "dangling")).toThrow(/outside the workspace/);
    expect(() => resolveInWorkspace(ws.root, "dangling-dir/x.txt")).toThrow(/outside the workspace/);
  });

  it("allows symlinks that stay inside the workspace", () => {
    const ws = tempWorkspace({ "real/file.txt": "ok" });
    symlinkSync(join(ws.root, "real"), join(ws.root, "alias"));
    expect(resolveInWorkspace(ws.root, "alias/file.txt")).toBe(join(ws.root, "real/file.txt"));
    expect(displayPath(ws.root, join(ws.root, "real/file.txt"))).toBe("real/file.txt");
  });
});
