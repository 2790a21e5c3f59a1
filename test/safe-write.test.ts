import { fstatSync, lstatSync, openSync, closeSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendNoFollowSync, checkSameFile, replaceFile, replaceFileSync, SwappedPathError, tempNameBeside, writeNewFileSync } from "../src/safe-write.js";
import { writeFileAtomic } from "../src/tools/files.js";
import { tempWorkspace } from "./support/workspace.js";

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("writing a file where a command may have planted a symlink", () => {
  it("a new file is never opened through a symlink or over an existing file", () => {
    const ws = tempWorkspace();
    const secret = join(ws.outside, "authorized_keys");
    writeFileSync(secret, "the person's keys\n");
    symlinkSync(secret, join(ws.root, "out.txt"));
    expect(() => writeNewFileSync(join(ws.root, "out.txt"), "attacker's key\n")).toThrow(/EEXIST|ELOOP/);
    expect(readFileSync(secret, "utf8")).toBe("the person's keys\n");
    // A dangling link too: O_EXCL refuses it rather than creating its target.
    symlinkSync(join(ws.outside, "created-by-us"), join(ws.root, "dangling"));
    expect(() => writeNewFileSync(join(ws.root, "dangling"), "x")).toThrow(/EEXIST|ELOOP/);
    expect(readdirSync(ws.outside)).toEqual(["authorized_keys"]);
    writeNewFileSync(join(ws.root, "fresh.txt"), "ok\n");
    expect([readFileSync(join(ws.root, "fresh.txt"), "utf8"), mode(join(ws.root, "fresh.txt"))]).toEqual(["ok\n", "600"]);
  });

  it("a replacement replaces a symlink at the path itself, never its target, and takes the mode asked whatever the umask", async () => {
    const ws = tempWorkspace();
    const secret = join(ws.outside, "bashrc");
    writeFileSync(secret, "original\n");
    symlinkSync(secret, join(ws.root, "a.txt"));
    replaceFileSync(join(ws.root, "a.txt"), "restored\n", 0o640);
    expect(lstatSync(join(ws.root, "a.txt")).isSymbolicLink()).toBe(false);
    expect([readFileSync(join(ws.root, "a.txt"), "utf8"), mode(join(ws.root, "a.txt"))]).toEqual(["restored\n", "640"]);
    symlinkSync(secret, join(ws.root, "b.txt"));
    await writeFileAtomic(join(ws.root, "b.txt"), "written\n", 0o100755);
    expect([readFileSync(join(ws.root, "b.txt"), "utf8"), mode(join(ws.root, "b.txt"))]).toEqual(["written\n", "755"]);
    expect(readFileSync(secret, "utf8")).toBe("original\n");
    // No temp file is left beside them.
    expect(readdirSync(ws.root).sort()).toEqual(["a.txt", "b.txt"]);
  });

  it("temp names cannot be guessed, and a failed replacement leaves neither a temp file nor a change", async () => {
    const ws = tempWorkspace({ "keep.txt": "kept\n" });
    const names = new Set(Array.from({ length: 50 }, () => tempNameBeside(join(ws.root, "keep.txt"))));
    expect(names.size).toBe(50);
    for (const name of names) expect(name).toMatch(/\/\.keep\.txt\.[0-9a-f]{24}\.tmp$/);
    // Renaming a file over a folder fails: the folder and everything else stay as they were.
    const folder = ws.write("dir/inner.txt", "inner\n").replace(/\/inner\.txt$/, "");
    expect(() => replaceFileSync(folder, "x")).toThrow();
    await expect(replaceFile(folder, "x")).rejects.toThrow();
    expect(readdirSync(ws.root).sort()).toEqual(["dir", "keep.txt"]);
    expect(readFileSync(join(folder, "inner.txt"), "utf8")).toBe("inner\n");
  });

  it("after the write the path must hold the file written: a symlink swapped in meanwhile is reported, not trusted", () => {
    const ws = tempWorkspace();
    const path = join(ws.root, "out.txt");
    const fd = openSync(path, "wx", 0o600);
    const written = fstatSync(fd);
    closeSync(fd);
    checkSameFile(path, written);
    unlinkSync(path);
    symlinkSync(join(ws.outside, "elsewhere"), path);
    expect(() => checkSameFile(path, written)).toThrow(SwappedPathError);
    expect(() => checkSameFile(path, written)).toThrow(`${path} was replaced by something else while it was written, so it was left as it is`);
  });

  it("an append refuses a symlink at the path", () => {
    const ws = tempWorkspace();
    const target = join(ws.outside, "log");
    writeFileSync(target, "");
    symlinkSync(target, join(ws.root, "log"));
    expect(() => appendNoFollowSync(join(ws.root, "log"), "line\n")).toThrow(/ELOOP/);
    expect(readFileSync(target, "utf8")).toBe("");
    appendNoFollowSync(join(ws.root, "new.log"), "a\n");
    appendNoFollowSync(join(ws.root, "new.log"), "b\n");
    expect([readFileSync(join(ws.root, "new.log"), "utf8"), mode(join(ws.root, "new.log"))]).toEqual(["a\nb\n", "600"]);
  });
});
