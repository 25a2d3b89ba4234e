import { errorBody } from "../../lib/errors";
import { createLocalDynamoClient, ensureTable, startDynalite } from "../../lib/dynalite";
import { startFaultyStore } from "../../lib/testing/faulty-store";
import { freePort } from "../../lib/free-port";
import { startApp, TEST_TABLE, UNKNOWN_KEY, useServiceEnv, type TestApp } from "./test-app";

const UNAVAILABLE = errorBody(503, "The data store is unavailable; try again shortly");

async function timed<T>(action: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await action();
  return { result, ms: performance.now() - started };
}

describe("when DynamoDB fails", () => {
  let app: TestApp | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("answers 503 quickly while the store is unreachable, and serves again once it is back", async () => {
    const port = await freePort();
    await useServiceEnv(`http://127.0.0.1:${port}`);
    app = await startApp();
    const { api } = app;

    for (const send of [
      () => api.get(`/picus/get/${UNKNOWN_KEY}`),
      () => api.get("/picus/list"),
      () => api.post("/picus/put").send({ a: 1 }),
      () => api.get("/ready"),
    ]) {
      const { result, ms } = await timed(send);
      expect(result.status).toBe(503);
      expect(result.body).toEqual(UNAVAILABLE);
      expect(ms).toBeLessThan(2_000);
    }
    await api.get("/health").expect(200);

    const store = await startDynalite({ port });
    try {
      const client = createLocalDynamoClient(store.endpoint);
      await ensureTable(client, TEST_TABLE);
      client.destroy();
      await api.get("/ready").expect(200);
      const created = await api.post("/picus/put").send({ back: true }).expect(201);
      await api.get(created.headers.location).expect(200);
    } finally {
      await app.close();
      app = undefined;
      await store.close();
    }
  });

  it("answers 503 when the table does not exist", async () => {
    const store = await startDynalite();
    try {
      await useServiceEnv(store.endpoint);
      app = await startApp();
      const response = await app.api.get(`/picus/get/${UNKNOWN_KEY}`);
      expect(response.status).toBe(503);
      await app.api.get("/ready").expect(503);
    } finally {
      await app?.close();
      app = undefined;
      await store.close();
    }
  });

  it("gives up on a store that never answers after the configured timeout and attempts", async () => {
    const silent = await startFaultyStore();
    try {
      await useServiceEnv(silent.endpoint, {
        DYNAMODB_REQUEST_TIMEOUT_MS: "200",
        DYNAMODB_MAX_ATTEMPTS: "2",
      });
      app = await startApp();
      const { api } = app;
      const { result, ms } = await timed(() => api.get(`/picus/get/${UNKNOWN_KEY}`));
      expect(result.status).toBe(503);
      expect(result.body).toEqual(UNAVAILABLE);
      expect(ms).toBeGreaterThanOrEqual(400);
      expect(ms).toBeLessThan(2_000);
    } finally {
      await app?.close();
      app = undefined;
      await silent.close();
    }
  });

  it("answers 503 when DynamoDB throttles, after the configured attempts", async () => {
    const throttling = await startFaultyStore({
      type: "ProvisionedThroughputExceededException",
      message: "The level of configured provisioned throughput for the table was exceeded",
    });
    try {
      await useServiceEnv(throttling.endpoint, { DYNAMODB_MAX_ATTEMPTS: "2" });
      app = await startApp();
      const { api } = app;
      const { result, ms } = await timed(() => api.post("/picus/put").send({ a: 1 }));
      expect(result.status).toBe(503);
      expect(result.body).toEqual(UNAVAILABLE);
      expect(throttling.calls()).toBe(2);
      expect(ms).toBeLessThan(3_000);
    } finally {
      await app?.close();
      app = undefined;
      await throttling.close();
    }
  });
});
