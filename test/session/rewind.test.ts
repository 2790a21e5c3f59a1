import { chmodSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyRestore } from "../../src/session/rewind/restore.js";
import { BlobStore } from "../../src/session/rewind/snapshot.js";
import { tempWorkspace } from "../support/workspace.js";

describe("putting files back never writes through a symlink a command planted", () => {
  it("symlinks at the file and at its old guessable temp name: the files outside keep their content, the workspace gets the file", () => {
    const ws = tempWorkspace({ "src/app.ts": "changed by the agent\n" });
    const store = new BlobStore(join(ws.home, "blobs"));
    const before = store.put(Buffer.from("the original\n"));
    const absolute = join(ws.root, "src/app.ts");
    const profile = join(ws.outside, ".profile");
    const keys = join(ws.outside, "authorized_keys");
    writeFileSync(profile, "the person's profile\n");
    writeFileSync(keys, "the person's keys\n");
    // The name rewind used to write to before renaming, and a link where the file was.
    symlinkSync(profile, `${absolute}.mini-claude-rewind.${process.pid}`);
    rmSync(absolute);
    symlinkSync(keys, absolute);

    const failed = applyRestore([{ path: "src/app.ts", target: before }], ws.root, store);

    expect(failed).toEqual([]);
    expect(readFileSync(profile, "utf8")).toBe("the person's profile\n");
    expect(readFileSync(keys, "utf8")).toBe("the person's keys\n");
    expect(lstatSync(absolute).isSymbolicLink()).toBe(false);
    expect(readFileSync(absolute, "utf8")).toBe("the original\n");
    // A restored file is an ordinary project file, and no temp file is left beside it.
    expect(statSync(absolute).mode & 0o777).toBe(0o666 & ~process.umask());
    expect(readdirSync(join(ws.root, "src")).sort()).toEqual(["app.ts", `app.ts.mini-claude-rewind.${process.pid}`]);
  });

  it("a regular file keeps its mode; a folder that now leads outside is refused with a clear line", () => {
    const ws = tempWorkspace({ "run.sh": "echo changed\n" });
    const store = new BlobStore(join(ws.home, "blobs"));
    const before = store.put(Buffer.from("echo original\n"));
    chmodSync(join(ws.root, "run.sh"), 0o750);
    mkdirSync(join(ws.outside, "target"));
    symlinkSync(join(ws.outside, "target"), join(ws.root, "lib"));
    const failed = applyRestore(
      [
        { path: "run.sh", target: before },
        { path: "lib/util.ts", target: before },
      ],
      ws.root,
      store,
    );
    expect(failed).toEqual(["lib/util.ts: its folder is outside the workspace"]);
    expect(readFileSync(join(ws.root, "run.sh"), "utf8")).toBe("echo original\n");
    expect(statSync(join(ws.root, "run.sh")).mode & 0o777).toBe(0o750);
    expect(readdirSync(join(ws.outside, "target"))).toEqual([]);
  });
});
