import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { Readable } from "node:stream";
import { z } from "zod";
import { defineTool, requireApproval, ToolError, type ToolContext } from "./define.js";
import { resolveHost } from "./web-address.js";

/**
 * The web_fetch tool: GET one URL under the same domain rules as commands (the approval decision:
 * a domain not allowed asks in the REPL and is refused in --print, saying how to allow it), each
 * redirect hop checked again, nothing secret sent (no cookies, no auth headers, no credentials in
 * the URL). HTML becomes Markdown (html-to-markdown.ts); text, JSON and Markdown pass through;
 * anything else is described, not dumped. The registry caps the observation and saves it whole.
 *
 * Private addresses (loopback, 10/8, 192.168/16, 169.254.169.254 …, or a name resolving to one)
 * are reached only when their host is allowed by name (--allow-domain 127.0.0.1:8080, settings'
 * allowedDomains, a WebFetch rule or the person's answer), never by --yes or --allow-net alone.
 */

const MAX_REDIRECTS = 5;
const TIMEOUT_MS = 30_000;
/** Bytes read of a body (after decompression); the rest is cut with a note. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export const webFetchTool = defineTool({
  name: "web_fetch",
  description: "GET a URL: HTML as Markdown (main content), text and JSON as is. A new domain needs the user's approval.",
  params: z.object({ url: z.string().describe("http(s) URL") }),
  summary: ({ url }) => `web_fetch ${url}`,
  run: async ({ url }, ctx) => fetchPage(url, ctx),
});

async function fetchPage(start: string, ctx: ToolContext) {
  let url = parseUrl(start);
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(TIMEOUT_MS)]);
  const hops: string[] = [];
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await get(url, hops, ctx, signal);
    const location = response.headers.location;
    if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
      response.destroy();
      hops.push(url.href);
      url = parseUrl(new URL(location, url).href, url.href);
      continue;
    }
    return describe(url, response, hops, signal, ctx.signal);
  }
  throw new ToolError(`${start} redirected more than ${MAX_REDIRECTS} times; not followed further.`);
}

/** One GET, after the decision allowed its domain, to the address that was checked. */
async function get(url: URL, hops: string[], ctx: ToolContext, signal: AbortSignal): Promise<IncomingMessage> {
  const host = await resolveHost(url.hostname, signal).catch((error: Error) => {
    throw new ToolError(error.message);
  });
  const port = url.port ? Number(url.port) : undefined;
  const from = hops.length ? ` (redirected from ${hops.at(-1)})` : "";
  await requireApproval(
    ctx,
    { kind: "network", host: url.hostname.replace(/^\[|\]$/g, ""), ...(port ? { port } : {}), command: `web_fetch ${url.href}${from}`, webFetch: true, ...(host.private ? { privateAddress: true } : {}) },
    (because) => `the user refused ${url.host}${because}.`,
  );
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = send(url, {
      method: "GET",
      signal,
      // Connect to the address checked above, not to a second DNS answer.
      lookup: (_name, options, callback) =>
        (options as { all?: boolean }).all ? (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: host.address, family: host.family }]) : callback(null, host.address, host.family),
      headers: {
        "user-agent": "mini-claude (web_fetch)",
        accept: "text/markdown, text/html;q=0.9, text/plain;q=0.8, application/json;q=0.8, */*;q=0.5",
        "accept-encoding": "gzip, deflate, br",
      },
    });
    request.on("response", resolve);
    request.on("error", (error) => reject(new ToolError(signal.aborted ? stopped(ctx.signal, url.href) : `${url.href}: ${error.message}`)));
    request.end();
  });
}

/** The observation: where it ended up, its type, and the content as the model can use it. */
async function describe(url: URL, response: IncomingMessage, hops: string[], signal: AbortSignal, userSignal: AbortSignal) {
  const type = (response.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  const status = response.statusCode ?? 0;
  const head = [`URL: ${url.href}${hops.length ? ` (after ${hops.length} redirect${hops.length === 1 ? "" : "s"})` : ""}`, `Status: ${status}`, `Content-Type: ${type || "(none)"}`];
  const display = `${status} ${type || "no type"}`;
  const textual = type === "" || type.startsWith("text/") || /^application\/(.+\+)?(json|xml|xhtml\+xml|javascript|x-ndjson)$/.test(type) || type === "application/xhtml+xml";
  if (!textual) {
    response.destroy();
    const length = Number(response.headers["content-length"]);
    const size = Number.isFinite(length) && length > 0 ? `${length} bytes` : "size not given";
    return { output: `${head.join("\n")}\n\n[${type} content (${size}) not shown: web_fetch shows HTML, text, JSON and Markdown.]`, display };
  }
  const body = await readBody(response, signal).catch((error: Error) => {
    throw new ToolError(signal.aborted ? stopped(userSignal, url.href) : `${url.href} could not be read: ${error.message}`);
  });
  if (!type && body.bytes.includes(0)) return { output: `${head.join("\n")}\n\n[binary content (${body.bytes.length} bytes) not shown.]`, display };
  const text = decode(body.bytes, response.headers["content-type"] ?? "");
  const cut = body.cut ? `\n\n[Body cut at ${MAX_BODY_BYTES / 1024 / 1024} MB.]` : "";
  if (type === "text/html" || type === "application/xhtml+xml" || (!type && /^\s*<(!doctype html|html)/i.test(text))) {
    const { htmlToMarkdown } = await import("./html-to-markdown.js");
    const markdown = await htmlToMarkdown(text, url.href);
    return { output: `${head.join("\n")}\n\n${markdown || "(the page has no text)"}${cut}`, display: `${display} → Markdown, ${markdown.length} chars` };
  }
  return { output: `${head.join("\n")}\n\n${text}${cut}`, display: `${display}, ${text.length} chars` };
}

async function readBody(response: IncomingMessage, signal: AbortSignal): Promise<{ bytes: Buffer; cut: boolean }> {
  const encoding = String(response.headers["content-encoding"] ?? "").toLowerCase();
  const stream: Readable =
    encoding === "gzip" ? response.pipe(createGunzip()) : encoding === "br" ? response.pipe(createBrotliDecompress()) : encoding === "deflate" ? response.pipe(createInflate()) : response;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      signal.throwIfAborted();
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= MAX_BODY_BYTES) {
        response.destroy();
        return { bytes: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES), cut: true };
      }
    }
  } catch (error) {
    response.destroy();
    throw error;
  }
  return { bytes: Buffer.concat(chunks), cut: false };
}

/** Why a fetch stopped: the person interrupted it, or the timeout. */
function stopped(userSignal: AbortSignal, href: string): string {
  return userSignal.aborted ? `${href}: interrupted by the user.` : `${href} did not finish within ${TIMEOUT_MS / 1000} s; try again later or another URL.`;
}

function decode(bytes: Buffer, contentType: string): string {
  const charset = /charset="?([\w-]+)/i.exec(contentType)?.[1] ?? "utf-8";
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString("utf8");
  }
}

/** http(s) only, and no credentials: a URL's user:password would be sent to the server. */
function parseUrl(text: string, redirectedFrom?: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ToolError(`${JSON.stringify(text)} is not a URL; send a full http:// or https:// address.`);
  }
  const from = redirectedFrom ? ` (a redirect from ${redirectedFrom})` : "";
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ToolError(`${url.protocol} URLs are not fetched${from}; web_fetch takes http:// and https:// only.`);
  if (url.username || url.password) throw new ToolError(`${url.host}: credentials in the URL are never sent${from}; fetch it without them.`);
  url.hash = "";
  return url;
}
