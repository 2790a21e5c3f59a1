// A "browser" for $BROWSER in tests and the conformance run: it follows the authorization URL with
// plain HTTP GETs, as a person clicking "Allow" would, so the OAuth flow completes unattended.
// Its log (one line per URL visited) goes to BROWSER_LOG when set.
//
//   BROWSER="node follow-browser.mjs"  → run as: node follow-browser.mjs <url>
import { appendFileSync } from "node:fs";

let url = process.argv[2];
for (let hop = 0; url && hop < 10; hop++) {
  if (process.env.BROWSER_LOG) appendFileSync(process.env.BROWSER_LOG, `${url}\n`);
  const response = await fetch(url, { redirect: "manual" });
  await response.body?.cancel();
  const next = response.headers.get("location");
  url = next ? new URL(next, url).href : undefined;
}
