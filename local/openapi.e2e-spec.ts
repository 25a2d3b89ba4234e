import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { OpenApiConformance } from "../app/test/openapi-conformance";
import { startLocalStack, type LocalStack } from "./local-stack";
import { ALL_SCOPES } from "./token-issuer";

const UNKNOWN_KEY = "3f1c2a0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

// The document describes the whole origin; DELETE is answered by the function, so its real
// responses are checked here, where the function sits behind the same routing as on the ALB.
describe("DELETE responses on the one origin", () => {
  let dataDir: string;
  let stack: LocalStack;
  let openApi: OpenApiConformance;
  let api: request.Agent;

  beforeAll(async () => {
    process.env.LOG_LEVEL = "silent";
    dataDir = await mkdtemp(join(tmpdir(), "picus-openapi-"));
    stack = await startLocalStack({ port: 0, dataDir });
    openApi = await OpenApiConformance.fetch(stack.url);
    api = request.agent(stack.url).set("authorization", `Bearer ${stack.issuer.sign(ALL_SCOPES)}`);
  });

  afterAll(async () => {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("match the OpenAPI document", async () => {
    const created = await api.post("/picus/put").send({ a: 1 }).expect(201);
    const key = (created.body as { key: string }).key;

    const cases: [string, request.Response][] = [
      [`/picus/${key}`, await api.delete(`/picus/${key}`)],
      [`/picus/${key}`, await api.delete(`/picus/${key}`)],
      [`/picus/${UNKNOWN_KEY}`, await api.delete(`/picus/${UNKNOWN_KEY}`)],
      ["/picus/not-a-key", await api.delete("/picus/not-a-key")],
    ];

    expect(cases.map(([, response]) => response.status)).toEqual([204, 404, 404, 400]);
    for (const [path, response] of cases) openApi.expectConforms("delete", path, response);
  });
});
