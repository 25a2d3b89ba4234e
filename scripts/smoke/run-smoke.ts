import { isDeepStrictEqual } from "node:util";
import { API_PREFIX, HEALTH_CHECK_PATH } from "../../lib/routes";
import { parseItemKey } from "../../lib/item-key";

export interface SmokeOptions {
  /** Origin of the API, e.g. `http://picus-dev-123.eu-west-1.elb.amazonaws.com`. */
  baseUrl: string;
  /** How long to wait for the first healthy `/health` (a fresh ALB target may take a while). */
  readyTimeoutMs?: number;
  /** Upper bound for one HTTP request. */
  requestTimeoutMs?: number;
  /** Attempts for one request when the answer is a network error or a 502/503/504. */
  attempts?: number;
  /** Pause between attempts; grows linearly. */
  retryDelayMs?: number;
  /** Pages of `/picus/list` to follow before giving up on finding the item. */
  maxListPages?: number;
  log?: (line: string) => void;
}

/** A smoke check failed: `step` names what was being checked, the message says what was wrong. */
export class SmokeFailure extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
    this.name = "SmokeFailure";
  }
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

const TRANSIENT_STATUSES = new Set([502, 503, 504]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describe(body: unknown, text: string): string {
  const shown = body === undefined ? text : JSON.stringify(body);
  return shown.length > 300 ? `${shown.slice(0, 300)}…` : shown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class SmokeClient {
  private readonly origin: URL;

  constructor(private readonly options: Required<SmokeOptions>) {
    this.origin = new URL(options.baseUrl);
    if (this.origin.protocol !== "http:" && this.origin.protocol !== "https:") {
      throw new SmokeFailure("arguments", `base URL must be http(s), got ${options.baseUrl}`);
    }
  }

  url(path: string): string {
    const base = this.origin.href.endsWith("/") ? this.origin.href.slice(0, -1) : this.origin.href;
    return `${base}${path}`;
  }

  async once(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(this.url(path), {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      redirect: "follow",
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  /** One request, retried on network errors and 502/503/504 up to `attempts` times. */
  async request(step: string, method: string, path: string, body?: unknown): Promise<Answer> {
    let lastProblem = "";
    for (let attempt = 1; attempt <= this.options.attempts; attempt += 1) {
      try {
        const answer = await this.once(method, path, body);
        if (!TRANSIENT_STATUSES.has(answer.status)) return answer;
        lastProblem = `HTTP ${answer.status} ${describe(answer.body, answer.text)}`;
      } catch (error: unknown) {
        lastProblem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (attempt < this.options.attempts) await sleep(this.options.retryDelayMs * attempt);
    }
    throw new SmokeFailure(
      step,
      `${method} ${path} failed after ${this.options.attempts} attempt(s): ${lastProblem}`,
    );
  }
}

function expectStatus(step: string, method: string, path: string, answer: Answer, status: number) {
  if (answer.status !== status) {
    throw new SmokeFailure(
      step,
      `${method} ${path} returned ${answer.status}, expected ${status}: ${describe(answer.body, answer.text)}`,
    );
  }
}

const DEFAULTS = {
  readyTimeoutMs: 120_000,
  requestTimeoutMs: 10_000,
  attempts: 4,
  retryDelayMs: 1_000,
  maxListPages: 1_000,
  log: (line: string) => console.log(line),
};

async function waitUntilHealthy(client: SmokeClient, options: Required<SmokeOptions>) {
  const deadline = Date.now() + options.readyTimeoutMs;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    try {
      const answer = await client.once("GET", HEALTH_CHECK_PATH);
      if (answer.status === 200 && isRecord(answer.body) && answer.body.status === "ok") return;
      lastProblem = `HTTP ${answer.status} ${describe(answer.body, answer.text)}`;
    } catch (error: unknown) {
      lastProblem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    await sleep(Math.min(options.retryDelayMs, Math.max(0, deadline - Date.now())));
  }
  throw new SmokeFailure(
    "health",
    `GET ${HEALTH_CHECK_PATH} was not {"status":"ok"} within ${options.readyTimeoutMs} ms (last: ${lastProblem})`,
  );
}

/**
 * Exercises a deployed (or local) picus end to end: health → put → get (same data) → list (following
 * cursors until the item shows up) → delete → get 404. Throws a SmokeFailure on the first mismatch;
 * the item it created is deleted on a best-effort basis if a later step fails.
 */
export async function runSmoke(input: SmokeOptions): Promise<{ key: string }> {
  const options: Required<SmokeOptions> = { ...DEFAULTS, ...input };
  const { log } = options;
  const client = new SmokeClient(options);

  await waitUntilHealthy(client, options);
  log(`ok   health`);

  const data = {
    smoke: true,
    runAt: new Date().toISOString(),
    nested: { list: [1, "two", { three: 3 }], flag: false, none: null },
    text: "picus ✓ ünïcode",
  };
  const putPath = `${API_PREFIX}/put`;
  const put = await client.request("put", "POST", putPath, data);
  expectStatus("put", "POST", putPath, put, 201);
  const key = isRecord(put.body) && typeof put.body.key === "string" ? put.body.key : undefined;
  if (key === undefined || parseItemKey(key) !== key) {
    throw new SmokeFailure(
      "put",
      `expected {"key": <uuid v4>}, got ${describe(put.body, put.text)}`,
    );
  }
  log(`ok   put ${key}`);

  try {
    await checkItem(client, key, data);
    log(`ok   get`);
    const pages = await findInList(client, key, options.maxListPages);
    log(`ok   list (found on page ${pages})`);
    const deletePath = `${API_PREFIX}/${key}`;
    const deleted = await client.request("delete", "DELETE", deletePath);
    expectStatus("delete", "DELETE", deletePath, deleted, 204);
    log(`ok   delete`);
  } catch (error: unknown) {
    await client.once("DELETE", `${API_PREFIX}/${key}`).catch(() => undefined);
    throw error;
  }

  const getPath = `${API_PREFIX}/get/${key}`;
  const gone = await client.request("get after delete", "GET", getPath);
  expectStatus("get after delete", "GET", getPath, gone, 404);
  if (!isRecord(gone.body) || gone.body.statusCode !== 404) {
    throw new SmokeFailure(
      "get after delete",
      `expected a JSON error body with statusCode 404, got ${describe(gone.body, gone.text)}`,
    );
  }
  log(`ok   get after delete → 404`);
  return { key };
}

async function checkItem(client: SmokeClient, key: string, data: Record<string, unknown>) {
  const path = `${API_PREFIX}/get/${key}`;
  const got = await client.request("get", "GET", path);
  expectStatus("get", "GET", path, got, 200);
  const body = isRecord(got.body) ? got.body : {};
  if (body.key !== key || !isDeepStrictEqual(body.data, data)) {
    throw new SmokeFailure(
      "get",
      `item does not match what was put: expected key ${key} and data ${JSON.stringify(data)}, got ${describe(got.body, got.text)}`,
    );
  }
  if (typeof body.createdAt !== "string" || Number.isNaN(Date.parse(body.createdAt))) {
    throw new SmokeFailure(
      "get",
      `createdAt is not an ISO-8601 timestamp: ${describe(got.body, got.text)}`,
    );
  }
}

/** The API's largest page, so that a big table takes as few requests as it can. */
const LIST_PAGE_SIZE = 100;

/** Follows `nextCursor` until the item appears; returns the page number it was found on. */
async function findInList(client: SmokeClient, key: string, maxPages: number): Promise<number> {
  let cursor: string | null = null;
  for (let page = 1; page <= maxPages; page += 1) {
    const path: string =
      cursor === null
        ? `${API_PREFIX}/list?limit=${LIST_PAGE_SIZE}`
        : `${API_PREFIX}/list?limit=${LIST_PAGE_SIZE}&cursor=${encodeURIComponent(cursor)}`;
    const answer = await client.request("list", "GET", path);
    expectStatus("list", "GET", path, answer, 200);
    const body = isRecord(answer.body) ? answer.body : {};
    const { items, nextCursor } = body;
    if (!Array.isArray(items) || (nextCursor !== null && typeof nextCursor !== "string")) {
      throw new SmokeFailure(
        "list",
        `expected {"items": [...], "nextCursor": string | null}, got ${describe(answer.body, answer.text)}`,
      );
    }
    if (items.some((item) => isRecord(item) && item.key === key)) return page;
    if (nextCursor === null) {
      throw new SmokeFailure(
        "list",
        `item ${key} not found after following ${page} page(s) to the end`,
      );
    }
    if (nextCursor === cursor) {
      throw new SmokeFailure("list", `nextCursor did not advance on page ${page}`);
    }
    cursor = nextCursor;
  }
  throw new SmokeFailure("list", `item ${key} not found within ${maxPages} page(s)`);
}
