import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import request from "supertest";
import { nestedObject, startStack, UNKNOWN_KEY, type TestApp } from "./test-app";

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

interface ResponseObject {
  headers?: Record<string, unknown>;
  content?: { "application/json"?: { schema: Record<string, unknown> } };
}

/** Reads the document strictly: component objects may carry no properties beyond those declared. */
function strictComponents(document: OpenApiDocument): Record<string, unknown> {
  const schemas = structuredClone(document.components.schemas);
  for (const schema of Object.values(schemas)) {
    if (schema.type === "object" && schema.additionalProperties === undefined) {
      schema.additionalProperties = false;
    }
  }
  return { schemas };
}

function pathTemplateOf(document: OpenApiDocument, path: string): string {
  const literalFirst = Object.keys(document.paths).sort(
    (a, b) => Number(a.includes("{")) - Number(b.includes("{")),
  );
  const template = literalFirst.find((candidate) =>
    new RegExp(`^${candidate.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path),
  );
  if (template === undefined) throw new Error(`${path} is not in the document`);
  return template;
}

describe("the OpenAPI document", () => {
  let stack: TestApp;
  let document: OpenApiDocument;
  let ajv: Ajv;
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    stack = await startStack();
    const response = await request(stack.url).get("/openapi.json").expect(200);
    document = response.body as OpenApiDocument;
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const components = JSON.parse(
      JSON.stringify(strictComponents(document)).replaceAll(
        '"#/components/',
        '"openapi#/components/',
      ),
    ) as Record<string, unknown>;
    ajv.addSchema({ $id: "openapi", components });
  });

  afterAll(async () => {
    await stack.close();
  });

  function validatorFor(method: string, path: string, status: number): ValidateFunction | null {
    const template = pathTemplateOf(document, path);
    const operation = document.paths[template]?.[method];
    if (operation === undefined) throw new Error(`${method} ${template} is not in the document`);
    const declared = operation.responses[String(status)];
    if (declared === undefined) throw new Error(`${method} ${template} does not declare ${status}`);
    const schema = declared.content?.["application/json"]?.schema;
    if (schema === undefined) return null;
    const id = `${method} ${template} ${status}`;
    let validate = validators.get(id);
    if (validate === undefined) {
      const text = JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/');
      validate = ajv.compile(JSON.parse(text) as Record<string, unknown>);
      validators.set(id, validate);
    }
    return validate;
  }

  function expectConforms(method: string, path: string, response: request.Response): void {
    const template = pathTemplateOf(document, path);
    const declared = document.paths[template]?.[method]?.responses[String(response.status)];
    expect(declared?.headers?.["x-request-id"]).toBeDefined();
    expect(response.headers["x-request-id"]).toEqual(expect.any(String));
    const validate = validatorFor(method, path, response.status);
    if (validate === null) {
      expect(response.text).toBe("");
      return;
    }
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    const valid = validate(response.body);
    expect({ valid, errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
  }

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
      "404",
      "503",
    ]);
    expect(document.components.schemas.ErrorBodyDto?.required).toEqual([
      "statusCode",
      "error",
      "message",
    ]);
  });

  it("serves Swagger UI at /docs", async () => {
    const response = await request(stack.url).get("/docs").redirects(1).expect(200);
    expect(response.text).toMatch(/swagger-ui/i);
  });

  it("has validators that reject bodies straying from it", () => {
    const validate = validatorFor("get", `/picus/get/${UNKNOWN_KEY}`, 200);
    const item = { key: UNKNOWN_KEY, data: {}, createdAt: "2026-01-01T00:00:00.000Z" };
    expect(validate?.(item)).toBe(true);
    expect(validate?.({ ...item, extra: 1 })).toBe(false);
    expect(validate?.({ ...item, data: [] })).toBe(false);
    expect(validate?.({ ...item, createdAt: "yesterday" })).toBe(false);
    const error = validatorFor("get", `/picus/get/${UNKNOWN_KEY}`, 404);
    expect(error?.({ statusCode: 404, error: "Not Found" })).toBe(false);
  });

  it("matches real responses of every route", async () => {
    const url = stack.url;
    const created = await request(url)
      .post("/picus/put")
      .send({ a: [1, { b: null }] });
    const location = String(created.headers.location);
    const cases: [string, string, request.Response][] = [
      ["post", "/picus/put", created],
      ["post", "/picus/put", await request(url).post("/picus/put").type("json").send("[]")],
      ["post", "/picus/put", await request(url).post("/picus/put").type("text").send("{}")],
      [
        "post",
        "/picus/put",
        await request(url)
          .post("/picus/put")
          .send({ blob: "x".repeat(410 * 1024) }),
      ],
      ["post", "/picus/put", await request(url).post("/picus/put").send(nestedObject(40))],
      ["get", location, await request(url).get(location)],
      ["get", `/picus/get/${UNKNOWN_KEY}`, await request(url).get(`/picus/get/${UNKNOWN_KEY}`)],
      ["get", "/picus/get/nope", await request(url).get("/picus/get/nope")],
      ["get", "/picus/list", await request(url).get("/picus/list?limit=1")],
      ["get", "/picus/list", await request(url).get("/picus/list")],
      ["get", "/picus/list", await request(url).get("/picus/list?limit=zero")],
      ["get", "/health", await request(url).get("/health")],
      ["get", "/ready", await request(url).get("/ready")],
    ];
    expect(cases.map(([, , response]) => response.status)).toEqual([
      201, 400, 415, 413, 422, 200, 404, 400, 200, 200, 400, 200, 200,
    ]);
    for (const [method, path, response] of cases) expectConforms(method, path, response);
  });
});
