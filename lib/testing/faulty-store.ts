import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A DynamoDB endpoint on 127.0.0.1 that misbehaves on purpose, for fault tests. */
export interface FaultyStore {
  /** The endpoint to pass as DYNAMODB_ENDPOINT. */
  readonly endpoint: string;
  /** How many requests it has received. */
  calls(): number;
  /** Stops it, cutting any connection still open. */
  close(): Promise<void>;
}

/** A DynamoDB error as the JSON protocol sends it, e.g. `ProvisionedThroughputExceededException`. */
export interface StoreError {
  type: string;
  message: string;
}

/**
 * Answers every call with `error` (status 400, DynamoDB's error document), or, without one,
 * accepts connections and never answers.
 */
export async function startFaultyStore(error?: StoreError): Promise<FaultyStore> {
  let calls = 0;
  const server = createServer((req, res) => {
    calls++;
    if (error === undefined) return;
    req.resume();
    res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
    res.end(
      JSON.stringify({
        __type: `com.amazonaws.dynamodb.v20120810#${error.type}`,
        message: error.message,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls: () => calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
