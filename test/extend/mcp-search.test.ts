import { describe, expect, it, onTestFinished } from "vitest";
import type { ServerConfig } from "../../src/extend/mcp/config.js";
import { searchTools, stem, stems } from "../../src/extend/mcp/search.js";
import { McpServer } from "../../src/extend/mcp/server.js";
import { realServers } from "../support/real-mcp-servers.js";
import { tempWorkspace } from "../support/workspace.js";

describe("the gateway's search", () => {
  it("stems plain words the same way on both sides, and splits tool names into words", () => {
    expect(["entities", "entity"].map(stem)).toEqual(["entity", "entity"]);
    expect(["files", "file", "reading", "read", "created", "creates", "create", "directories", "running", "added"].map(stem)).toEqual([
      "fil", "fil", "read", "read", "creat", "creat", "creat", "directory", "run", "add",
    ]);
    expect(stems("list_directory_with_sizes getFileInfo gzip-file-as-resource")).toEqual(["list", "directory", "siz", "get", "fil", "info", "gzip", "fil", "resourc"]);
  });

  it("matches words, never text inside a name: `in` finds nothing in print_info or login", () => {
    const tools = [
      { server: "a", name: "print_info", description: "Prints the info" },
      { server: "a", name: "login", description: "Signs the user on" },
    ];
    expect(searchTools(tools, "in")).toEqual([]);
    expect(searchTools(tools, "sign in").map((t) => t.name)).toEqual(["login"]);
  });

  it("over the real server-everything, server-memory and server-filesystem, each plain query's top hit is the right tool", async () => {
    const ws = tempWorkspace();
    const servers = Object.entries(realServers(ws.root, ws.outside)).map(([name, entry]) => {
      const config: ServerConfig = { name, origin: "user", file: "test", startupTimeoutMs: 20_000, toolTimeoutMs: 20_000, transport: "stdio", env: {}, cwd: ws.root, ...entry };
      return new McpServer(config, () => undefined);
    });
    onTestFinished(async () => void (await Promise.all(servers.map((server) => server.close()))));
    await Promise.all(servers.map((server) => server.start()));
    expect(servers.map((server) => `${server.name}: ${server.state} ${server.lastError ?? ""}`)).toEqual(["everything: ready ", "memory: ready ", "files: ready "]);
    const tools = servers.flatMap((server) => server.tools.map((tool) => ({ server: server.name, name: tool.name, description: tool.description })));
    const queries: [string, string][] = [
      ["add two numbers", "everything/get-sum"],
      ["echo my message back", "everything/echo"],
      ["show a tiny image", "everything/get-tiny-image"],
      ["compress a file with gzip", "everything/gzip-file-as-resource"],
      ["print the environment variables", "everything/get-env"],
      ["a long running operation with progress", "everything/trigger-long-running-operation"],
      ["create new entities in the knowledge graph", "memory/create_entities"],
      ["add observations to an entity", "memory/add_observations"],
      ["delete a relation", "memory/delete_relations"],
      ["read the whole knowledge graph", "memory/read_graph"],
      ["search for nodes matching a query", "memory/search_nodes"],
      ["list files in a directory", "files/list_directory"],
      ["read a text file", "files/read_text_file"],
      ["reading multiple files at once", "files/read_multiple_files"],
      ["write a new file", "files/write_file"],
      ["edit lines in a file", "files/edit_file"],
      ["move or rename a file", "files/move_file"],
      ["make a new directory", "files/create_directory"],
      ["recursive tree of directories", "files/directory_tree"],
      ["get metadata of a file: size and modification time", "files/get_file_info"],
      ["which directories am I allowed to access", "files/list_allowed_directories"],
      ["read an image or audio file", "files/read_media_file"],
    ];
    const top = queries.map(([query]) => {
      const [best] = searchTools(tools, query);
      return [query, best ? `${best.server}/${best.name}` : "(none)"];
    });
    expect(top).toEqual(queries);
  }, 60_000);
});
