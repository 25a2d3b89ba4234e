import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import request from "supertest";

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: {
    schemas: Record<string, Record<string, unknown>>;
    securitySchemes?: Record<string, unknown>;
  };
}

interface ResponseObject {
  headers?: Record<string, unknown>;
  content?: {
    "application/json"?: { schema: Record<string, unknown> };
    /** Only on answers the load balancer writes itself (its HTML error pages). */
    "text/html"?: { schema: Record<string, unknown> };
  };
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

/** Checks real responses against the document a running service serves at /openapi.json. */
export class OpenApiConformance {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    const components = JSON.parse(
      JSON.stringify(strictComponents(document)).replaceAll(
        '"#/components/',
        '"openapi#/components/',
      ),
    ) as Record<string, unknown>;
    this.ajv.addSchema({ $id: "openapi", components });
  }

  static async fetch(baseUrl: string): Promise<OpenApiConformance> {
    const response = await request(baseUrl).get("/openapi.json").expect(200);
    return new OpenApiConformance(response.body as OpenApiDocument);
  }

  /** The schema validator of one declared response, or null when it declares no JSON body. */
  validatorFor(method: string, path: string, status: number): ValidateFunction | null {
    const template = pathTemplateOf(this.document, path);
    const operation = this.document.paths[template]?.[method];
    if (operation === undefined) throw new Error(`${method} ${template} is not in the document`);
    const declared = operation.responses[String(status)];
    if (declared === undefined) throw new Error(`${method} ${template} does not declare ${status}`);
    const schema = declared.content?.["application/json"]?.schema;
    if (schema === undefined) return null;
    const id = `${method} ${template} ${status}`;
    let validate = this.validators.get(id);
    if (validate === undefined) {
      const text = JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/');
      validate = this.ajv.compile(JSON.parse(text) as Record<string, unknown>);
      this.validators.set(id, validate);
    }
    return validate;
  }

  expectConforms(method: string, path: string, response: request.Response): void {
    const template = pathTemplateOf(this.document, path);
    const declared = this.document.paths[template]?.[method]?.responses[String(response.status)];
    expect(declared).toBeDefined();
    if (declared?.content?.["text/html"] !== undefined) {
      // The load balancer's own page: no picus code runs, so neither the body nor the id is ours.
      expect(declared.headers?.["x-request-id"]).toBeUndefined();
      expect(response.headers["content-type"]).toMatch(/^text\/html/);
      expect(response.headers["x-request-id"]).toBeUndefined();
      return;
    }
    expect(declared?.headers?.["x-request-id"]).toBeDefined();
    expect(response.headers["x-request-id"]).toEqual(expect.any(String));
    const validate = this.validatorFor(method, path, response.status);
    if (validate === null) {
      expect(response.text).toBe("");
      return;
    }
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    const valid = validate(response.body);
    expect({ valid, errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
  }
}
