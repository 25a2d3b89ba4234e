import { createSocket } from "node:dgram";
import { builtinModules } from "node:module";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../lib/dynamo-client";
import {
  createLocalDynamoClient,
  ensureTable,
  startDynalite,
  type DynaliteServer,
} from "../lib/dynalite";
import { bundleDeleteFunction, DELETE_FUNCTION_HANDLER } from "./build";
import { ALL_SCOPES, testAuthSettings, testIssuer } from "../lib/testing/issuer";
import { createTestALBEvent } from "./test/alb-event";

const TABLE_NAME = "picus-bundle-test";

const RUNNER = `
const { handler } = require(process.argv[1]);
const events = JSON.parse(process.argv[2]);
(async () => {
  const results = [];
  for (const event of events) results.push(await handler(event, { awsRequestId: "bundle-test" }));
  process.stderr.write(JSON.stringify(results));
})();
`;

interface Invocation {
  results: ALBResult[];
  logLines: string[];
}

/** Runs the bundle in a fresh Node process, as the Lambda runtime would: require, then invoke. */
async function invokeBundle(
  directory: string,
  env: Record<string, string>,
  events: ALBEvent[],
): Promise<Invocation> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ["-e", RUNNER, join(directory, "index.js"), JSON.stringify(events)],
    { env: { PATH: process.env.PATH, ...env }, timeout: 10_000 },
  );
  return {
    results: JSON.parse(stderr) as ALBResult[],
    logLines: stdout.split("\n").filter((line) => line !== ""),
  };
}

/** An X-Ray segment document or subsegment, as the SDK sends them to the daemon. */
interface XRayDocument {
  name: string;
  id: string;
  trace_id?: string;
  parent_id?: string;
  annotations?: Record<string, unknown>;
  aws?: { operation?: string };
  subsegments?: XRayDocument[];
}

/** Listens as the X-Ray daemon does (UDP, one JSON header line then the document). */
async function startXRayDaemon() {
  const socket = createSocket("udp4");
  const documents: XRayDocument[] = [];
  const flatten = (document: XRayDocument, traceId?: string, parentId?: string): void => {
    const own = { ...document, trace_id: document.trace_id ?? traceId };
    documents.push({ ...own, parent_id: document.parent_id ?? parentId });
    for (const child of document.subsegments ?? []) flatten(child, own.trace_id, document.id);
  };
  socket.on("message", (message) => {
    flatten(JSON.parse(message.toString("utf8").split("\n")[1]) as XRayDocument);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    documents,
    close: () => new Promise<void>((resolve) => socket.close(resolve)),
  };
}

describe("bundleDeleteFunction", () => {
  let outdir: string;
  let dynalite: DynaliteServer;

  beforeAll(async () => {
    const parent = await mkdtemp(join(tmpdir(), "picus-bundle-"));
    outdir = await bundleDeleteFunction(join(parent, "delete-item"));
    dynalite = await startDynalite();
    const admin = createLocalDynamoClient(dynalite.endpoint);
    await ensureTable(admin, TABLE_NAME);
    admin.destroy();
  });

  afterAll(async () => {
    await dynalite.close();
    await rm(join(outdir, ".."), { recursive: true, force: true });
  });

  it("writes one self-contained index.js with a source map", async () => {
    // Act
    const code = await readFile(join(outdir, "index.js"), "utf8");
    const { size } = await stat(join(outdir, "index.js"));

    // Assess
    const packages = [...code.matchAll(/require\("([^"]+)"\)/g)]
      .map((match) => match[1])
      .filter((name) => !name.startsWith("node:") && !builtinModules.includes(name));
    // The SDK's optional CRT signer (SigV4a only) is probed inside a try/catch.
    expect(new Set(packages)).toEqual(new Set(["@aws-sdk/signature-v4-crt"]));
    expect(DELETE_FUNCTION_HANDLER).toBe("index.handler");
    expect(code.endsWith("//# sourceMappingURL=index.js.map\n")).toBe(true);
    expect(size).toBeLessThan(1024 * 1024);
    await expect(stat(join(outdir, "index.js.map"))).resolves.toBeDefined();
  });

  it("writes the same bytes into any directory, with sources named from the repository root", async () => {
    // Prepare
    const elsewhere = await mkdtemp(join(tmpdir(), "picus-bundle-elsewhere-"));

    try {
      // Act
      const second = await bundleDeleteFunction(join(elsewhere, "nested", "deeper"));

      // Assess
      for (const file of ["index.js", "index.js.map"]) {
        expect(
          (await readFile(join(second, file))).equals(await readFile(join(outdir, file))),
        ).toBe(true);
      }
      const { sources } = JSON.parse(await readFile(join(outdir, "index.js.map"), "utf8")) as {
        sources: string[];
      };
      expect(sources).toContain("functions/src/delete-item/index.ts");
      expect(sources.every((source) => !source.startsWith(".."))).toBe(true);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  /** Stores an item to delete and returns its key. */
  async function storedKey(): Promise<string> {
    const key = randomUUID();
    const store = createDocumentClient({
      region: "us-east-1",
      endpoint: dynalite.endpoint,
      connectTimeoutMs: 1000,
      requestTimeoutMs: 2000,
      maxAttempts: 1,
    });
    await store.send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: { id: key, data: {}, createdAt: new Date().toISOString() },
      }),
    );
    store.destroy();
    return key;
  }

  /** The function's environment in its stack: the table, the store, the token issuer. */
  async function functionEnvironment(): Promise<Record<string, string>> {
    const auth = await testAuthSettings();
    return {
      TABLE_NAME,
      DYNAMODB_ENDPOINT: dynalite.endpoint,
      AWS_REGION: "eu-west-1",
      AUTH_ISSUER: auth.issuer,
      AUTH_CLIENT_IDS: auth.clientIds.join(","),
    };
  }

  it("deletes through the bundled handler, then answers 404 and 400", async () => {
    // Prepare
    const key = await storedKey();

    // Act
    const authorization = `Bearer ${(await testIssuer()).sign(ALL_SCOPES)}`;
    const { results, logLines } = await invokeBundle(outdir, await functionEnvironment(), [
      createTestALBEvent({
        path: `/picus/${key}`,
        headers: { "x-request-id": "bundle-1", authorization },
      }),
      createTestALBEvent({ path: `/picus/${key}`, headers: { authorization } }),
      createTestALBEvent({ path: "/picus/nope", headers: { authorization } }),
    ]);

    // Assess
    expect(results.map((result) => result.statusCode)).toEqual([204, 404, 400]);
    expect(results[0]).toEqual({
      statusCode: 204,
      statusDescription: "204 No Content",
      headers: {
        "x-request-id": "bundle-1",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
      body: "",
      isBase64Encoded: false,
    });
    expect(results[1].headers?.["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(results[2].body ?? "")).toMatchObject({ statusCode: 400 });
    expect(logLines.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({
        reqId: "bundle-1",
        awsRequestId: "bundle-test",
        res: { statusCode: 204 },
      }),
      expect.objectContaining({ res: { statusCode: 404 } }),
      expect.objectContaining({ res: { statusCode: 400 } }),
    ]);
  });

  describe("in X-Ray", () => {
    const LOAD_BALANCER_ROOT = "1-6745a3c1-0123456789abcdef01234567";
    const LAMBDA_PARENT = "53995c3f42cd8ad8";

    /** One DELETE of a stored item, in a process that looks like Lambda with active tracing. */
    async function deleteInLambda(lambdaTraceHeader: string) {
      const key = await storedKey();
      const daemon = await startXRayDaemon();
      try {
        const { results, logLines } = await invokeBundle(
          outdir,
          {
            ...(await functionEnvironment()),
            AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
            AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
            LAMBDA_TASK_ROOT: outdir,
            AWS_XRAY_DAEMON_ADDRESS: daemon.address,
            _X_AMZN_TRACE_ID: lambdaTraceHeader,
          },
          [
            createTestALBEvent({
              path: `/picus/${key}`,
              headers: {
                authorization: `Bearer ${(await testIssuer()).sign(ALL_SCOPES)}`,
                "x-amzn-trace-id": `Root=${LOAD_BALANCER_ROOT}`,
              },
            }),
          ],
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        return {
          statusCode: results[0].statusCode,
          log: JSON.parse(logLines[0]) as Record<string, unknown>,
          documents: daemon.documents,
        };
      } finally {
        await daemon.close();
      }
    }

    const chainOf = (documents: XRayDocument[], name: string) => {
      const byId = new Map(documents.map((document) => [document.id, document]));
      const chain: XRayDocument[] = [];
      for (let at = documents.find((document) => document.name === name); at !== undefined;) {
        chain.push(at);
        at = at.parent_id === undefined ? undefined : byId.get(at.parent_id);
      }
      return chain;
    };

    it("records the DELETE in the load balancer's trace, DynamoDB's DeleteItem inside", async () => {
      // Act
      const lambdaRoot = "1-6745a3c2-fedcba9876543210fedcba98";
      const { statusCode, log, documents } = await deleteInLambda(
        `Root=${lambdaRoot};Parent=${LAMBDA_PARENT};Sampled=1`,
      );

      // Assess
      expect(statusCode).toBe(204);
      const chain = chainOf(documents, "DynamoDB");
      expect(chain.map((document) => document.name)).toEqual([
        "DynamoDB",
        "## index.handler",
        "picus-delete-function",
      ]);
      expect(chain[0].aws?.operation).toBe("DeleteItem");
      expect(chain.every((document) => document.trace_id === LOAD_BALANCER_ROOT)).toBe(true);
      expect(chain[2].parent_id).toBeUndefined();
      expect(chain[2].annotations).toMatchObject({ lambda_trace_id: lambdaRoot });
      expect(chain[1].annotations).toMatchObject({ ColdStart: true });
      expect(log.traceId).toBe(LOAD_BALANCER_ROOT);
    });

    it("records it under Lambda's segment when Lambda continued the load balancer's trace", async () => {
      // Act
      const { documents, log } = await deleteInLambda(
        `Root=${LOAD_BALANCER_ROOT};Parent=${LAMBDA_PARENT};Sampled=1`,
      );

      // Assess
      const chain = chainOf(documents, "DynamoDB");
      expect(chain.map((document) => document.name)).toEqual(["DynamoDB", "## index.handler"]);
      expect(chain[1]).toMatchObject({ trace_id: LOAD_BALANCER_ROOT, parent_id: LAMBDA_PARENT });
      expect(log.traceId).toBe(LOAD_BALANCER_ROOT);
    });

    it("sends nothing when Lambda did not sample the invocation", async () => {
      // Act
      const { statusCode, documents, log } = await deleteInLambda(
        `Root=1-6745a3c2-fedcba9876543210fedcba98;Parent=${LAMBDA_PARENT};Sampled=0`,
      );

      // Assess
      expect(statusCode).toBe(204);
      expect(documents).toEqual([]);
      expect(log).not.toHaveProperty("traceId");
    });
  });

  it("fails at cold start without TABLE_NAME", async () => {
    // Act
    const invocation = invokeBundle(outdir, {}, [createTestALBEvent()]);

    // Assess
    await expect(invocation).rejects.toThrow(/Invalid configuration:\n.*TABLE_NAME is not set/);
  });
});
