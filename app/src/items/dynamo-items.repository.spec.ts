import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { createDocumentClient } from "../../../lib/dynamo-client";
import { StoreUnavailableError } from "../../../lib/errors";
import type { AppConfig } from "../config/app.config";
import { DynamoItemsRepository } from "./dynamo-items.repository";
import { ItemKeyConflictError } from "./items.repository";

const TABLE = "picus-unit";
const ids = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
const record = (id: string) => ({ id, data: { id }, createdAt: "2026-01-01T00:00:00.000Z" });

describe("DynamoItemsRepository", () => {
  const settings = {
    region: "us-east-1",
    endpoint: "http://127.0.0.1:1",
    connectTimeoutMs: 100,
    requestTimeoutMs: 100,
    maxAttempts: 1,
  };
  const client = createDocumentClient(settings);
  const dynamo = mockClient(client);
  const config = {
    port: 3000,
    logLevel: "info",
    tableName: TABLE,
    dynamodb: settings,
  } as AppConfig;
  const repository = new DynamoItemsRepository(client, config);

  beforeEach(() => dynamo.reset());
  afterAll(() => client.destroy());

  describe("create", () => {
    it("puts the item only if its key is new", async () => {
      dynamo.on(PutCommand).resolves({});
      await repository.create(record(ids[0] ?? ""));
      expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
        TableName: TABLE,
        Item: record(ids[0] ?? ""),
        ConditionExpression: "attribute_not_exists(#key)",
        ExpressionAttributeNames: { "#key": "id" },
      });
    });

    it.each([
      [
        new ConditionalCheckFailedException({ $metadata: {}, message: "exists" }),
        ItemKeyConflictError,
      ],
      [
        new ProvisionedThroughputExceededException({ $metadata: {}, message: "slow down" }),
        StoreUnavailableError,
      ],
    ])("maps %s", async (error, expected) => {
      dynamo.on(PutCommand).rejects(error);
      await expect(repository.create(record(ids[0] ?? ""))).rejects.toBeInstanceOf(expected);
    });
  });

  describe("findById", () => {
    it("returns the stored item or undefined", async () => {
      dynamo.on(GetCommand, { Key: { id: ids[0] } }).resolves({ Item: record(ids[0] ?? "") });
      dynamo.on(GetCommand, { Key: { id: ids[1] } }).resolves({});
      await expect(repository.findById(ids[0] ?? "")).resolves.toEqual(record(ids[0] ?? ""));
      await expect(repository.findById(ids[1] ?? "")).resolves.toBeUndefined();
    });
  });

  describe("list", () => {
    it("makes one Scan call, asking for one item more than the page", async () => {
      dynamo.on(ScanCommand).resolves({
        Items: [record(ids[0] ?? ""), record(ids[1] ?? ""), record(ids[2] ?? "")],
        LastEvaluatedKey: { id: ids[2] },
      });
      const page = await repository.list(2, { id: ids[5] ?? "" });
      expect(page).toEqual({
        items: [record(ids[0] ?? ""), record(ids[1] ?? "")],
        next: { id: ids[1] },
      });
      const calls = dynamo.commandCalls(ScanCommand).map((call) => call.args[0].input);
      expect(calls).toEqual([{ TableName: TABLE, Limit: 3, ExclusiveStartKey: { id: ids[5] } }]);
    });

    it("gives an exactly full last page no cursor", async () => {
      dynamo.on(ScanCommand).resolves({ Items: [record(ids[0] ?? ""), record(ids[1] ?? "")] });
      await expect(repository.list(2)).resolves.toEqual({
        items: [record(ids[0] ?? ""), record(ids[1] ?? "")],
      });
    });

    it("continues after the last item when DynamoDB stops the Scan at 1 MB", async () => {
      dynamo
        .on(ScanCommand)
        .resolves({ Items: [record(ids[0] ?? "")], LastEvaluatedKey: { id: ids[0] } });
      await expect(repository.list(10)).resolves.toEqual({
        items: [record(ids[0] ?? "")],
        next: { id: ids[0] },
      });
    });

    it("skips records that are not picus items", async () => {
      dynamo.on(ScanCommand).resolves({ Items: [{ id: "x", other: 1 }, record(ids[0] ?? "")] });
      await expect(repository.list(10)).resolves.toEqual({ items: [record(ids[0] ?? "")] });
    });
  });
});
