import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { identifyTaskDefinition, metricFields, RequestMetrics } from "./metrics";
import { emfMetrics, emfProblems } from "./testing/emf";

describe("metrics of the serving task definition", () => {
  let metadata: Server;
  let endpoint: string;

  beforeAll(async () => {
    // As ECS's task metadata endpoint (v4) answers `GET ${ECS_CONTAINER_METADATA_URI_V4}/task`.
    metadata = createServer((req, res) => {
      if (req.url !== "/v4/abc/task") return void res.writeHead(404).end();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ Cluster: "picus-dev", Family: "picus-dev-api", Revision: "42" }));
    });
    await new Promise<void>((resolve) => metadata.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/v4/abc`;
  });

  afterAll(async () => {
    await identifyTaskDefinition({});
    await new Promise((resolve) => metadata.close(resolve));
  });

  const outcome = () => ({
    service: "api" as const,
    route: "POST /picus/put",
    statusCode: 503,
    latencyMs: 12.5,
    metrics: new RequestMetrics(),
  });

  it("counts requests and latency by task definition too, in ECS", async () => {
    // Act
    const identified = await identifyTaskDefinition({ ECS_CONTAINER_METADATA_URI_V4: endpoint });
    const line = metricFields(outcome());

    // Assess
    expect(identified).toBe("picus-dev-api:42");
    expect(emfProblems(line)).toEqual([]);
    expect(line).toMatchObject({ TaskDefinition: "picus-dev-api:42", StatusClass: "5xx" });
    const sets = [
      ["Service", "Route", "StatusClass"],
      ["Service", "TaskDefinition"],
      ["Service", "TaskDefinition", "StatusClass"],
    ];
    expect(emfMetrics(line)).toEqual({ Requests: sets, Latency: sets });
  });

  it("has no task definition outside ECS", async () => {
    await identifyTaskDefinition({});
    const line = metricFields(outcome());
    expect(line).not.toHaveProperty("TaskDefinition");
    expect(emfMetrics(line).Requests).toEqual([["Service", "Route", "StatusClass"]]);
  });

  it("refuses to start when ECS's metadata endpoint fails", async () => {
    await expect(
      identifyTaskDefinition({ ECS_CONTAINER_METADATA_URI_V4: `${endpoint}/missing` }),
    ).rejects.toThrow("ECS task metadata answered 404");
  });
});
