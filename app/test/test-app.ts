import type { AddressInfo } from "node:net";
import type { NestExpressApplication } from "@nestjs/platform-express";
import request from "supertest";
import { ALL_SCOPES, LOCAL_CLIENT_ID, testIssuer } from "../../lib/testing/issuer";
import type { LocalIssuer } from "../../local/token-issuer";
import { createApp } from "../src/app.factory";
import {
  createLocalDynamoClient,
  ensureTable,
  startDynalite,
  type DynaliteServer,
} from "../../lib/dynalite";

export const TEST_TABLE = "picus-e2e";

export interface TestApp {
  app: NestExpressApplication;
  /** The base URL the app listens on, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** supertest against `url`, every request with a token carrying all three scopes. */
  api: request.Agent;
  issuer: LocalIssuer;
  close(): Promise<void>;
}

/** Sets the service's environment for one test file; jest gives each file its own process.env. */
export async function useServiceEnv(
  endpoint: string,
  overrides: Record<string, string> = {},
): Promise<void> {
  const issuer = await testIssuer();
  Object.assign(process.env, {
    AUTH_ISSUER: issuer.issuer,
    AUTH_CLIENT_IDS: LOCAL_CLIENT_ID,
    TABLE_NAME: TEST_TABLE,
    AWS_REGION: "us-east-1",
    DYNAMODB_ENDPOINT: endpoint,
    LOG_LEVEL: "silent",
    DYNAMODB_REQUEST_TIMEOUT_MS: "1000",
    DYNAMODB_MAX_ATTEMPTS: "3",
    ...overrides,
  });
}

/** Boots the real app through createApp(), listening on a free loopback port. */
export async function startApp(): Promise<TestApp> {
  const app = await createApp();
  await app.listen(0, "127.0.0.1");
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const issuer = await testIssuer();
  const api = request.agent(url).set("authorization", `Bearer ${issuer.sign(ALL_SCOPES)}`);
  return { app, url, api, issuer, close: () => app.close() };
}

/** A dynalite with the picus table, and the app in front of it. */
export async function startStack(
  overrides: Record<string, string> = {},
): Promise<TestApp & { store: DynaliteServer }> {
  const store = await startDynalite();
  const client = createLocalDynamoClient(store.endpoint);
  await ensureTable(client, TEST_TABLE);
  client.destroy();
  await useServiceEnv(store.endpoint, overrides);
  const testApp = await startApp();
  return {
    ...testApp,
    store,
    close: async () => {
      await testApp.close();
      await store.close();
    },
  };
}

/** A key that is a well-formed UUID v4 but was never issued. */
export const UNKNOWN_KEY = "3f1c2a0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

export function nestedObject(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 1; level < depth; level++) value = { child: value };
  return value;
}
