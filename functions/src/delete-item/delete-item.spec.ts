import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { deleteItem } from "./delete-item";
import { ItemNotFound, StoreUnavailable } from "./errors";

const KEY = "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b";
const metadata = { $metadata: {} };

describe("deleteItem", () => {
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
  const dynamo = mockClient(documentClient);

  beforeEach(() => dynamo.reset());

  it("deletes only an existing item", async () => {
    // Prepare
    dynamo.on(DeleteCommand).resolves(metadata);

    // Act
    await deleteItem(documentClient, "picus-test", KEY);

    // Assess
    expect(dynamo).toHaveReceivedCommandWith(DeleteCommand, {
      TableName: "picus-test",
      Key: { id: KEY },
      ConditionExpression: "attribute_exists(#key)",
      ExpressionAttributeNames: { "#key": "id" },
    });
  });

  it("turns a failed condition into ItemNotFound", async () => {
    // Prepare
    dynamo
      .on(DeleteCommand)
      .rejects(new ConditionalCheckFailedException({ message: "failed", ...metadata }));

    // Act & Assess
    await expect(deleteItem(documentClient, "picus-test", KEY)).rejects.toThrow(ItemNotFound);
  });

  it("turns throttling into StoreUnavailable", async () => {
    // Prepare
    dynamo
      .on(DeleteCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: "slow down", ...metadata }));

    // Act & Assess
    await expect(deleteItem(documentClient, "picus-test", KEY)).rejects.toThrow(StoreUnavailable);
  });

  it("turns a missing table into StoreUnavailable", async () => {
    // Prepare
    dynamo
      .on(DeleteCommand)
      .rejects(new ResourceNotFoundException({ message: "no table", ...metadata }));

    // Act & Assess
    await expect(deleteItem(documentClient, "picus-test", KEY)).rejects.toThrow(StoreUnavailable);
  });

  it("passes other failures through", async () => {
    // Prepare
    const invalid = new DynamoDBServiceException({
      name: "ValidationException",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
      message: "bad",
    });
    dynamo.on(DeleteCommand).rejects(invalid);

    // Act & Assess
    await expect(deleteItem(documentClient, "picus-test", KEY)).rejects.toBe(invalid);
  });
});
