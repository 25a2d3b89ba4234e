import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "./dynamo-client";

describe("createDocumentClient", () => {
  it("gives up on a store that accepts connections but never answers", async () => {
    // Prepare
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    const client = createDocumentClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${port}`,
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
      silent.closeAllConnections();
      silent.close();
    }
  });
});
