import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import { API_PREFIX, HEALTH_CHECK_PATH } from "../../lib/routes";

export interface SmokeOptions {
  /** Origin of the API, e.g. `http://picus-dev-123.eu-west-1.elb.amazonaws.com`. */
  baseUrl: string;
  /** A bearer token with every scope. */
  token: string;
  /** A token with `picus/read` only: when given, the smoke test checks that it cannot put. */
  readOnlyToken?: string;
  /** How long to wait for `/health` to answer `{"status":"ok"}` (a fresh ALB target takes a while). */
  readyTimeoutMs?: number;
  /** Tries per request: a network error or a 502/503/504 (a target being replaced) is retried. */
  attempts?: number;
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

/** A failed check; the message starts with the step that failed. */
export class SmokeFailure extends Error {}

type Body = Record<string, unknown>;

const TRANSIENT = [502, 503, 504];
const asBody = (value: unknown): Body =>
  typeof value === "object" && value !== null ? (value as Body) : {};
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Once `/health` is ready: put without a token → 401, put with the read-only token → 403, then
 * put → get (same data) → list (following cursors until the item shows up) → delete → get 404.
 * The item is deleted on a best-effort basis if a step after put fails.
 */
export async function runSmoke(options: SmokeOptions): Promise<{ key: string }> {
  const { readyTimeoutMs = 120_000, attempts = 4, requestTimeoutMs = 10_000 } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const base = options.baseUrl.replace(/\/+$/, "");

  async function send(method: string, path: string, body?: unknown, token?: string) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    return { status: response.status, text, body: asBody(parse(text)) };
  }

  async function expectStatus(
    step: string,
    status: number,
    method: string,
    path: string,
    body?: unknown,
    /** null: no Authorization header at all. */
    token: string | null = options.token,
  ) {
    let last = "";
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (attempt > 1) await sleep(500 * attempt);
      try {
        const answer = await send(method, path, body, token ?? undefined);
        if (answer.status === status) return answer.body;
        last = `${answer.status} ${answer.text.slice(0, 300)}`;
        if (!TRANSIENT.includes(answer.status)) break;
      } catch (error: unknown) {
        last = String(error);
      }
    }
    throw new SmokeFailure(`${step}: ${method} ${path} expected ${status}, got ${last}`);
  }

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const health = await send("GET", HEALTH_CHECK_PATH).catch((error: unknown) => String(error));
    if (typeof health !== "string" && health.body.status === "ok") break;
    if (Date.now() > deadline) {
      const last = typeof health === "string" ? health : `${health.status} ${health.text}`;
      throw new SmokeFailure(`health: not ready within ${readyTimeoutMs} ms (last: ${last})`);
    }
    await sleep(1_000);
  }
  log("ok   health");

  const data = { smoke: true, at: new Date().toISOString(), nested: [1, "two", { three: null }] };
  await expectStatus("put without a token", 401, "POST", `${API_PREFIX}/put`, data, null);
  log("ok   put without a token → 401");
  const stranger = `${API_PREFIX}/${randomUUID()}`;
  await expectStatus("delete without a token", 401, "DELETE", stranger, undefined, null);
  log("ok   delete without a token → 401");
  if (options.readOnlyToken !== undefined) {
    const { readOnlyToken } = options;
    await expectStatus("put, read-only", 403, "POST", `${API_PREFIX}/put`, data, readOnlyToken);
    log("ok   put with a read-only token → 403");
  }

  const { key } = await expectStatus("put", 201, "POST", `${API_PREFIX}/put`, data);
  if (typeof key !== "string") throw new SmokeFailure("put: the answer has no key");
  log(`ok   put ${key}`);

  try {
    const item = await expectStatus("get", 200, "GET", `${API_PREFIX}/get/${key}`);
    if (item.key !== key || !isDeepStrictEqual(item.data, data)) {
      throw new SmokeFailure(`get: ${JSON.stringify(item)} is not what was put`);
    }
    log("ok   get");

    let cursor: string | undefined;
    for (let page = 1; ; page += 1) {
      const query = cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`;
      const list = await expectStatus("list", 200, "GET", `${API_PREFIX}/list?limit=100${query}`);
      if (!Array.isArray(list.items)) throw new SmokeFailure("list: the answer has no items");
      if (list.items.some((listed) => asBody(listed).key === key)) break;
      if (typeof list.nextCursor !== "string" || list.nextCursor === cursor || page === 1_000) {
        throw new SmokeFailure(`list: item ${key} not found in ${page} page(s)`);
      }
      cursor = list.nextCursor;
    }
    log("ok   list");

    await expectStatus("delete", 204, "DELETE", `${API_PREFIX}/${key}`);
    log("ok   delete");
  } catch (error: unknown) {
    await send("DELETE", `${API_PREFIX}/${key}`, undefined, options.token).catch(() => undefined);
    throw error;
  }

  await expectStatus("get after delete", 404, "GET", `${API_PREFIX}/get/${key}`);
  log("ok   get after delete → 404");
  return { key };
}
