import { createDocumentClient } from "../../lib/dynamo-client";
import {
  createLocalDynamoClient,
  ensureTable,
  startDynalite,
  type DynaliteServer,
} from "../../lib/dynalite";
import { ItemKeyConflictError } from "../src/items/items.repository";
import type { AppConfig } from "../src/config/app.config";
import { DynamoItemsRepository } from "../src/items/dynamo-items.repository";
import { TEST_TABLE } from "./test-app";

const ID = "3f1c2a0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

describe("DynamoItemsRepository against dynalite", () => {
  let store: DynaliteServer;
  let repository: DynamoItemsRepository;
  let destroy: () => void;

  beforeAll(async () => {
    store = await startDynalite();
    const admin = createLocalDynamoClient(store.endpoint);
    await ensureTable(admin, TEST_TABLE);
    admin.destroy();
    const settings = {
      region: "us-east-1",
      endpoint: store.endpoint,
      connectTimeoutMs: 1000,
      requestTimeoutMs: 1000,
      maxAttempts: 3,
    };
    const client = createDocumentClient(settings);
    destroy = () => client.destroy();
    const config = {
      port: 0,
      logLevel: "silent",
      tableName: TEST_TABLE,
      dynamodb: settings,
    } as AppConfig;
    repository = new DynamoItemsRepository(client, config);
  });

  afterAll(async () => {
    destroy();
    await store.close();
  });

  it("never replaces an item that already has the key", async () => {
    const first = { id: ID, data: { first: true }, createdAt: "2026-01-01T00:00:00.000Z" };
    await repository.create(first);
    await expect(
      repository.create({ id: ID, data: { second: true }, createdAt: "2026-01-02T00:00:00.000Z" }),
    ).rejects.toBeInstanceOf(ItemKeyConflictError);
    await expect(repository.findById(ID)).resolves.toEqual(first);
  });
});
