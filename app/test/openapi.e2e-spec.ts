import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import request from "supertest";
import { OpenApiConformance, type OpenApiDocument } from "./openapi-conformance";
import { nestedObject, startStack, UNKNOWN_KEY, type TestApp } from "./test-app";

describe("the OpenAPI document", () => {
  let stack: TestApp;
  let openApi: OpenApiConformance;
  let document: OpenApiDocument;

  beforeAll(async () => {
    stack = await startStack();
    openApi = await OpenApiConformance.fetch(stack.url);
    document = openApi.document;
  });

  afterAll(async () => {
    await stack.close();
  });

  it("is a valid OpenAPI 3 document", async () => {
    expect(document.openapi).toMatch(/^3\./);
    const dir = await mkdtemp(join(tmpdir(), "picus-openapi-"));
    try {
      const file = join(dir, "openapi.json");
      await writeFile(file, JSON.stringify(document));
      const cli = require.resolve("@seriousme/openapi-schema-validator/bin/validate-api-cli.js");
      const { stdout } = await promisify(execFile)(process.execPath, [cli, file]);
      expect(JSON.parse(stdout)).toEqual({ valid: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("describes all four routes of the API, DELETE included, and the error shape", () => {
    expect(Object.keys(document.paths).sort()).toEqual(
      ["/health", "/picus/get/{key}", "/picus/list", "/picus/put", "/picus/{key}", "/ready"].sort(),
    );
    expect(Object.keys(document.paths["/picus/{key}"] ?? {})).toEqual(["delete"]);
    expect(Object.keys(document.paths["/picus/{key}"]?.delete?.responses ?? {}).sort()).toEqual([
      "204",
      "400",
      "401",
      "403",
      "404",
      "405",
      "408",
      "413",
      "431",
      "500",
      "502",
      "503",
    ]);
    expect(document.components.schemas.ErrorBodyDto?.required).toEqual([
      "statusCode",
      "error",
      "message",
    ]);
  });

  it("serves Swagger UI at /docs", async () => {
    const response = await stack.api.get("/docs").redirects(1).expect(200);
    expect(response.text).toMatch(/swagger-ui/i);
  });

  it("has validators that reject bodies straying from it", () => {
    const validate = openApi.validatorFor("get", `/picus/get/${UNKNOWN_KEY}`, 200);
    const item = { key: UNKNOWN_KEY, data: {}, createdAt: "2026-01-01T00:00:00.000Z" };
    expect(validate?.(item)).toBe(true);
    expect(validate?.({ ...item, extra: 1 })).toBe(false);
    expect(validate?.({ ...item, data: [] })).toBe(false);
    expect(validate?.({ ...item, createdAt: "yesterday" })).toBe(false);
    const error = openApi.validatorFor("get", `/picus/get/${UNKNOWN_KEY}`, 404);
    expect(error?.({ statusCode: 404, error: "Not Found" })).toBe(false);
  });

  it("declares the bearer scheme and each operation's scope, as lib/routes.ts requires them", () => {
    expect(document.components?.securitySchemes?.bearer).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    const scopes = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => [
        `${method.toUpperCase()} ${path}`,
        (operation as { "x-required-scope"?: string })["x-required-scope"],
      ]),
    );
    expect(Object.fromEntries(scopes)).toEqual({
      "GET /health": undefined,
      "GET /ready": undefined,
      "GET /picus/list": "picus/read",
      "POST /picus/put": "picus/write",
      "GET /picus/get/{key}": "picus/read",
      "DELETE /picus/{key}": "picus/delete",
    });
  });

  it("matches real responses of every route", async () => {
    const { api } = stack;
    const created = await api.post("/picus/put").send({ a: [1, { b: null }] });
    const location = String(created.headers.location);
    const cases: [string, string, request.Response][] = [
      ["post", "/picus/put", created],
      ["post", "/picus/put", await api.post("/picus/put").type("json").send("[]")],
      ["post", "/picus/put", await api.post("/picus/put").type("text").send("{}")],
      ["post", "/picus/put", await api.post("/picus/put").send({ blob: "x".repeat(410 * 1024) })],
      ["post", "/picus/put", await api.post("/picus/put").send(nestedObject(40))],
      ["get", location, await api.get(location)],
      ["get", `/picus/get/${UNKNOWN_KEY}`, await api.get(`/picus/get/${UNKNOWN_KEY}`)],
      ["get", "/picus/get/nope", await api.get("/picus/get/nope")],
      ["get", "/picus/list", await api.get("/picus/list?limit=1")],
      ["get", "/picus/list", await api.get("/picus/list")],
      ["get", "/picus/list", await api.get("/picus/list?limit=zero")],
      ["get", "/health", await api.get("/health")],
      ["get", "/ready", await api.get("/ready")],
      ["get", "/picus/list", await api.post("/picus/list")],
      ["get", "/picus/list", await api.get("/picus/list?x=1")],
    ];
    expect(cases.map(([, , response]) => response.status)).toEqual([
      201, 400, 415, 413, 422, 200, 404, 400, 200, 200, 400, 200, 200, 405, 400,
    ]);
    for (const [method, path, response] of cases) openApi.expectConforms(method, path, response);
  });
});
