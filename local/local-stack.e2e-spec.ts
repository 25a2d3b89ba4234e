import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDynalite } from "../lib/dynalite";
import { ALL_SCOPES } from "./token-issuer";
import { startLocalStack, type LocalStack } from "./local-stack";

interface ItemView {
  key: string;
  data: Record<string, unknown>;
  createdAt: string;
}

/** A request with a token carrying all three scopes. */
function call(stack: LocalStack, path: string, init: RequestInit = {}) {
  const authorization = `Bearer ${stack.issuer.sign(ALL_SCOPES)}`;
  return fetch(`${stack.url}${path}`, { ...init, headers: { authorization, ...init.headers } });
}

async function put(stack: LocalStack, data: Record<string, unknown>): Promise<string> {
  const response = await call(stack, "/picus/put", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(data),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

function del(stack: LocalStack, path: string, headers: Record<string, string> = {}) {
  return call(stack, path, { method: "DELETE", headers });
}

describe("the local stack", () => {
  let dataDir: string;
  let stack: LocalStack | undefined;

  beforeAll(() => {
    process.env.LOG_LEVEL = "silent";
  });

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "picus-local-"));
  });

  afterEach(async () => {
    await stack?.close();
    stack = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it("serves put, get, list and the DELETE function on one origin", async () => {
    // Prepare
    stack = await startLocalStack({ port: 0, dataDir });
    const key = await put(stack, { name: "picus", tags: ["a", "b"] });

    // Act
    const health = await fetch(`${stack.url}/health`);
    const got = await call(stack, `/picus/get/${key}`);
    const list = await call(stack, `/picus/list`);
    const deleted = await del(stack, `/picus/${key}`, { "x-request-id": "local-e2e-1" });
    const gone = await call(stack, `/picus/get/${key}`);
    const deletedAgain = await del(stack, `/picus/${key}`);

    // Assess
    expect(stack.tableCreated).toBe(true);
    expect(health.status).toBe(200);
    expect(got.status).toBe(200);
    expect(((await got.json()) as ItemView).data).toEqual({ name: "picus", tags: ["a", "b"] });
    const { items } = (await list.json()) as { items: ItemView[] };
    expect(items.map((item) => item.key)).toContain(key);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get("x-request-id")).toBe("local-e2e-1");
    expect(await deleted.text()).toBe("");
    expect(gone.status).toBe(404);
    expect(deletedAgain.status).toBe(404);
  });

  it.each([
    ["an unknown key", `/picus/${randomUUID()}`, 404],
    ["a key that is not a UUID", "/picus/not-a-key", 400],
    ["a deeper path", `/picus/${randomUUID()}/more`, 400],
    ["an encoded slash", "/picus/a%2Fb", 400],
  ])("answers DELETE with %s in the error shape", async (_case, path, status) => {
    // Prepare
    stack = await startLocalStack({ port: 0, dataDir });

    // Act
    const response = await del(stack, path);

    // Assess
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("x-request-id")).toMatch(/^Root=1-/);
    expect(await response.json()).toEqual({
      statusCode: status,
      error: expect.any(String),
      message: expect.any(String),
    });
  });

  it("keeps the data across a restart on the same data directory", async () => {
    // Prepare
    stack = await startLocalStack({ port: 0, dataDir });
    const kept = await put(stack, { survives: true });
    const removed = await put(stack, { survives: false });
    expect((await del(stack, `/picus/${removed}`)).status).toBe(204);
    await stack.close();

    // Act
    stack = await startLocalStack({ port: 0, dataDir });
    const got = await call(stack, `/picus/get/${kept}`);
    const gone = await call(stack, `/picus/get/${removed}`);

    // Assess
    expect(stack.tableCreated).toBe(false);
    expect(got.status).toBe(200);
    expect(((await got.json()) as ItemView).data).toEqual({ survives: true });
    expect(gone.status).toBe(404);
  });

  it("uses an external store instead of dynalite when given its endpoint", async () => {
    // Prepare
    const external = await startDynalite();
    try {
      stack = await startLocalStack({ port: 0, dataDir, dynamoEndpoint: external.endpoint });

      // Act
      const key = await put(stack, { external: true });
      const deleted = await del(stack, `/picus/${key}`);

      // Assess
      expect(stack.dataDir).toBeUndefined();
      expect(stack.dynamoEndpoint).toBe(external.endpoint);
      expect(stack.tableCreated).toBe(true);
      expect(deleted.status).toBe(204);
    } finally {
      await stack?.close();
      stack = undefined;
      await external.close();
    }
  });

  it("fails clearly when DYNAMODB_ENDPOINT points at nothing", async () => {
    // Prepare
    const gone = await startDynalite();
    await gone.close();

    // Act
    const starting = startLocalStack({ port: 0, dataDir, dynamoEndpoint: gone.endpoint });

    // Assess
    await expect(starting).rejects.toThrow(
      `Could not create or find the table picus-local at ${gone.endpoint}`,
    );
  });

  it("releases the store when the port is taken, so a retry on the same data works", async () => {
    // Prepare
    stack = await startLocalStack({ port: 0, dataDir: join(dataDir, "other") });
    const takenPort = stack.port;

    // Act
    const starting = startLocalStack({ port: takenPort, dataDir });

    // Assess
    await expect(starting).rejects.toThrow(/EADDRINUSE/);
    const retried = await startLocalStack({ port: 0, dataDir });
    await retried.close();
  });

  it("refuses, with a clear message, a data directory another local stack is using", async () => {
    // Prepare
    stack = await startLocalStack({ port: 0, dataDir });

    // Act
    const second = startLocalStack({ port: 0, dataDir });

    // Assess
    await expect(second).rejects.toThrow(`${dataDir} is in use by another process`);
    expect((await fetch(`${stack.url}/health`)).status).toBe(200);
  });
});
