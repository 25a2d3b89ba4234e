import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "./dynamo-client";
import { startFaultyStore } from "./testing/faulty-store";

describe("createDocumentClient", () => {
  it("gives up on a store that accepts connections but never answers", async () => {
    // Prepare
    const silent = await startFaultyStore();
    const client = createDocumentClient({
      region: "us-east-1",
      endpoint: silent.endpoint,
      connectTimeoutMs: 200,
      requestTimeoutMs: 200,
      maxAttempts: 2,
    });
    const startedAt = Date.now();

    try {
      // Act
      const attempt = client.send(new GetCommand({ TableName: "picus", Key: { id: "x" } }));

      // Assess
      await expect(attempt).rejects.toMatchObject({ name: "TimeoutError" });
      expect(Date.now() - startedAt).toBeLessThan(2000);
    } finally {
      client.destroy();
      await silent.close();
    }
  });
});
