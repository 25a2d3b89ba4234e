import { randomUUID } from "node:crypto";
import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from "node:zlib";
import request from "supertest";
import { errorBody } from "../../lib/errors";
import { rawRequest } from "./raw-request";
import { ALL_SCOPES } from "../../lib/testing/issuer";
import { MAX_LIST_LIMIT } from "../src/items/list-cursor";
import { nestedObject, startStack, UNKNOWN_KEY, type TestApp } from "./test-app";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("items API against dynalite", () => {
  let stack: TestApp;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack.close();
  });

  const bearer = () => `Bearer ${stack.issuer.sign(ALL_SCOPES)}`;
  const put = (body: string, contentType = "application/json") =>
    stack.api.post("/picus/put").set("Content-Type", contentType).send(body);

  function expectError(response: request.Response, status: number, message?: RegExp): void {
    expect(response.status).toBe(status);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(Object.keys(response.body).sort()).toEqual(["error", "message", "statusCode"]);
    expect(response.body.statusCode).toBe(status);
    expect(typeof response.body.error).toBe("string");
    if (message) expect(response.body.message).toMatch(message);
  }

  describe("POST /picus/put then GET /picus/get/{key}", () => {
    it("stores an object and returns it exactly as put", async () => {
      const data = {
        text: "héllo 🐦",
        empty: "",
        number: -12.5,
        tiny: 1e-7,
        big: Number.MAX_SAFE_INTEGER,
        flag: false,
        nothing: null,
        list: [1, "two", [3], { four: 4 }],
        nested: { a: { b: { c: [] } } },
        "odd key": {},
        constructor: { toString: "x", hasOwnProperty: 1 },
      };
      const created = await put(JSON.stringify(data)).expect(201);
      expect(created.body).toEqual({ key: expect.stringMatching(UUID_V4) });
      expect(created.headers.location).toBe(`/picus/get/${created.body.key}`);

      const fetched = await stack.api.get(created.headers.location).expect(200);
      expect(fetched.body).toEqual({ key: created.body.key, data, createdAt: expect.any(String) });
      expect(new Date(fetched.body.createdAt).toISOString()).toBe(fetched.body.createdAt);
    });

    it("accepts application/*+json and an explicit UTF-8 charset", async () => {
      await put('{"a":1}', "application/merge-patch+json").expect(201);
      await put('{"a":1}', "application/json; charset=UTF-8").expect(201);
    });

    it("accepts a body that starts with a byte order mark", async () => {
      await put('\uFEFF{"a":1}').expect(201);
    });

    it("accepts the empty object", async () => {
      await put("{}").expect(201);
    });

    it("accepts 64 KiB of JSON and more", async () => {
      const body = JSON.stringify({ blob: "x".repeat(64 * 1024), more: "y".repeat(200 * 1024) });
      const created = await put(body).expect(201);
      const fetched = await stack.api.get(created.headers.location).expect(200);
      expect(JSON.stringify(fetched.body.data)).toBe(body);
    });

    it("accepts 32 levels of nesting", async () => {
      const data = nestedObject(32);
      const created = await put(JSON.stringify(data)).expect(201);
      const fetched = await stack.api.get(created.headers.location).expect(200);
      expect(fetched.body.data).toEqual(data);
    });

    it("matches keys case-insensitively", async () => {
      const created = await put('{"a":1}').expect(201);
      const upper = String(created.body.key).toUpperCase();
      const fetched = await stack.api.get(`/picus/get/${upper}`).expect(200);
      expect(fetched.body.key).toBe(created.body.key);
    });
  });

  describe("POST /picus/put rejects what it cannot store", () => {
    it.each([
      ["an array", "[1,2]", /not an array/],
      ["a string", '"text"', /not a string/],
      ["a number", "42", /not a number/],
      ["null", "null", /not null/],
      ["a boolean", "true", /not a boolean/],
      ["malformed JSON", '{"a":', /not valid JSON/],
      ["trailing garbage", '{"a":1} x', /not valid JSON/],
    ])("400 for %s", async (_name, body, message) => {
      expectError(await put(body), 400, message);
    });

    it("400 for an empty body", async () => {
      expectError(await put(""), 400, /empty/);
      const noBody = await stack.api.post("/picus/put");
      expectError(noBody, 400, /empty/);
    });

    it("400 for bytes that are not UTF-8", async () => {
      const body = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]);
      const response = await rawRequest(stack.url, "POST", "/picus/put", body, {
        authorization: bearer(),
        "Content-Type": "application/json",
      });
      expect(response.status).toBe(400);
      expect(response.json()).toEqual(errorBody(400, "The request body is not valid UTF-8"));
    });

    it.each([
      ["text/plain", "text/plain"],
      ["form data", "application/x-www-form-urlencoded"],
      ["XML", "application/xml"],
      ["JSON in UTF-16", "application/json; charset=utf-16"],
      ["JSON in Latin-1", "application/json; charset=iso-8859-1"],
    ])("415 for %s", async (_name, contentType) => {
      expectError(await put('{"a":1}', contentType), 415);
    });

    it.each([
      ["gzip", gzipSync],
      ["deflate", deflateSync],
      ["br", brotliCompressSync],
      ["zstd", zstdCompressSync],
    ])("inflates a %s body before parsing it", async (encoding, compress) => {
      const data = { text: "x".repeat(2000), n: 1 };
      const created = await rawRequest(
        stack.url,
        "POST",
        "/picus/put",
        compress(Buffer.from(JSON.stringify(data))),
        {
          authorization: bearer(),
          "Content-Type": "application/json",
          "Content-Encoding": encoding,
        },
      );
      expect(created.status).toBe(201);
      const { key } = created.json() as { key: string };
      const fetched = await stack.api.get(`/picus/get/${key}`).expect(200);
      expect(fetched.body.data).toEqual(data);
    });

    it("413 when a compressed body inflates beyond the 1 MiB read limit", async () => {
      const bomb = gzipSync(Buffer.from(JSON.stringify({ blob: "x".repeat(2 * 1024 * 1024) })));
      expect(bomb.length).toBeLessThan(10_000);
      const response = await rawRequest(stack.url, "POST", "/picus/put", bomb, {
        authorization: bearer(),
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
      });
      expect(response.status).toBe(413);
    });

    it.each([
      ["gzip", "{}", 400, /^The request body does not decompress as its Content-Encoding says/],
      ["zstd", "{}", 400, /^The request body does not decompress as its Content-Encoding says/],
      ["br", "{}", 400, /^The request body does not decompress as its Content-Encoding says/],
      ["gzip", "", 400, /^The request body does not decompress as its Content-Encoding says/],
      ["compress", "{}", 415, /^The Content-Encoding "compress" is not supported; send the body/],
    ])("Content-Encoding %s with the body %j: %i", async (encoding, body, status, message) => {
      const response = await rawRequest(stack.url, "POST", "/picus/put", Buffer.from(body), {
        authorization: bearer(),
        "Content-Type": "application/json",
        "Content-Encoding": encoding,
      });
      expect(response.status).toBe(status);
      expect(response.json()).toEqual({
        statusCode: status,
        error: expect.any(String),
        message: expect.stringMatching(message),
      });
    });

    it("415 when a body has no content type", async () => {
      const response = await rawRequest(stack.url, "POST", "/picus/put", Buffer.from('{"a":1}'), {
        authorization: bearer(),
      });
      expect(response.status).toBe(415);
      expect(response.json()).toEqual(errorBody(415, "The request body must be application/json"));
    });

    it("413 for an object larger than one DynamoDB item", async () => {
      const body = JSON.stringify({ blob: "x".repeat(401 * 1024) });
      expectError(await put(body), 413, /limit/);
    });

    it("413 from its own count for many negative numbers, which take a byte more each", async () => {
      const body = JSON.stringify({ a: new Array<number>(81_904).fill(-0.012) });
      expectError(await put(body), 413, /limit/);
    });

    it("413 for a body beyond the 1 MiB read limit", async () => {
      const body = JSON.stringify({ blob: "x".repeat(1024 * 1024 + 1) });
      expectError(await put(body), 413, /larger than/);
    });

    it("413 when DynamoDB's per-element overhead pushes a small body over the limit", async () => {
      const body = JSON.stringify(Object.fromEntries([["list", Array(110_000).fill(0)]]));
      expect(body.length).toBeLessThan(400 * 1024);
      expectError(await put(body), 413);
    });

    it("422 for nesting deeper than 32 levels", async () => {
      expectError(await put(JSON.stringify(nestedObject(33))), 422, /nested deeper than the 32/);
      const deepArray = "[".repeat(40) + "]".repeat(40);
      expectError(await put(`{"a":${deepArray}}`), 422, /nested deeper/);
    });

    it.each([
      ["an unsafe integer", '{"n":9007199254740993}', /range/],
      ["a number beyond DynamoDB's range", '{"n":1e200}', /range/],
      ["a number nearer zero than DynamoDB stores", '{"n":1e-200}', /1e-130/],
      [
        "a number nearer zero than a double",
        '{"a":{"n":1e-400}}',
        /^body\.a\.n is 1e-400, which cannot be stored exactly/,
      ],
      [
        "more digits than a double keeps",
        '{"pi":3.14159265358979323846264338327950}',
        /^body\.pi is 3\.14159265358979323846264338327950, which cannot/,
      ],
      ["an unpaired surrogate", '{"s":"\\ud800"}', /surrogate/],
      ["an unpaired surrogate in a key", '{"\\udc00":1}', /surrogate/],
      ["the key __proto__", '{"a":{"__proto__":{"x":1}}}', /__proto__/],
      ["an empty key", '{"a":[{"":1}]}', /key ""/],
    ])("422 for %s", async (_name, body, message) => {
      expectError(await put(body), 422, message);
    });
  });

  describe("POST /picus/put keeps data exactly as sent", () => {
    it("400 naming a member given twice with different values", async () => {
      expectError(
        await put('{"a":{"b":1,"b":2}}'),
        400,
        /^The member "b" appears twice in one object$/,
      );
    });

    it.each([
      ["0.1", 0.1],
      ["-12.5", -12.5],
      ["1E2", 100],
      ["1.50", 1.5],
      ["1e-7", 1e-7],
      ["123456789012345", 123456789012345],
      ["-0", 0],
    ])("stores %s and returns the same number", async (text, value) => {
      const created = await put(`{"n":${text}}`).expect(201);
      const fetched = await stack.api.get(created.headers.location).expect(200);
      expect(fetched.body.data).toEqual({ n: value });
    });
  });

  describe("GET /picus/get/{key}", () => {
    it("404 for an unknown key", async () => {
      expectError(await stack.api.get(`/picus/get/${UNKNOWN_KEY}`), 404, /No item/);
    });

    it.each(["not-a-uuid", "12345", "3f1c2a0e-5b6d-1e7f-8a9b-0c1d2e3f4a5b", "%FF", "%E2%82"])(
      "400 for the key %s",
      async (key) => {
        expectError(await stack.api.get(`/picus/get/${key}`), 400);
      },
    );
  });

  it.each([
    ["POST", "/picus/put?x=1"],
    ["GET", `/picus/get/${UNKNOWN_KEY}?x=1`],
    ["GET", `/picus/get/${UNKNOWN_KEY}?__proto__=1`],
  ])("400 for a query parameter %s %s does not take", async (method, path) => {
    const response = await stack.api[method === "POST" ? "post" : "get"](path).send({ a: 1 });
    expectError(response, 400, /^property (x|__proto__) should not exist$/);
  });

  describe("POST /picus/put with an Idempotency-Key", () => {
    const putWithKey = (idempotencyKey: string, body: object) =>
      stack.api.post("/picus/put").set("Idempotency-Key", idempotencyKey).send(body);

    it("stores once and answers every retry with the first put's key and Location", async () => {
      const idempotencyKey = randomUUID();
      const first = await putWithKey(idempotencyKey, { order: 1 }).expect(201);
      const retries = await Promise.all(
        [1, 2, 3].map(() => putWithKey(idempotencyKey, { order: 1 })),
      );

      for (const retry of retries) {
        expect(retry.status).toBe(201);
        expect(retry.body).toEqual(first.body);
        expect(retry.headers.location).toBe(first.headers.location);
      }
      const stored = await stack.api.get(first.headers.location).expect(200);
      expect(stored.body.data).toEqual({ order: 1 });
    });

    it("answers several puts racing with the same key with one item", async () => {
      const idempotencyKey = randomUUID();
      const racing = await Promise.all(
        [1, 2, 3, 4].map(() => putWithKey(idempotencyKey, { race: true })),
      );
      expect(racing.map((response) => response.status)).toEqual([201, 201, 201, 201]);
      expect(new Set(racing.map((response) => String(response.body.key))).size).toBe(1);
    });

    it("409 for the same key with another body, and the first item stays", async () => {
      const idempotencyKey = randomUUID();
      const first = await putWithKey(idempotencyKey, { v: 1 }).expect(201);
      expectError(await putWithKey(idempotencyKey, { v: 2 }), 409, /Idempotency-Key was used/);
      const stored = await stack.api.get(first.headers.location).expect(200);
      expect(stored.body.data).toEqual({ v: 1 });
    });

    it("gives different keys different items", async () => {
      const [a, b] = await Promise.all([
        putWithKey(randomUUID(), { x: 1 }),
        putWithKey(randomUUID(), { x: 1 }),
      ]);
      expect(a.body.key).not.toBe(b.body.key);
    });

    it.each([["x".repeat(256)], ["has space"], ["tab\there"]])(
      "400 for the key %j",
      async (idempotencyKey) => {
        expectError(await putWithKey(idempotencyKey, { x: 1 }), 400, /Idempotency-Key must be/);
      },
    );
  });

  describe("GET /picus/list parameters", () => {
    it.each([
      "limit=0",
      "limit=-1",
      `limit=${MAX_LIST_LIMIT + 1}`,
      "limit=1.5",
      "limit=abc",
      "limit=10abc",
      "limit=",
      "limit=1&limit=2",
      "cursor=",
      "cursor=not*base64",
      "cursor=e30",
      `cursor=${Buffer.from('{"id":"x"}').toString("base64url")}`,
      `cursor=${Buffer.from(`{"id":"${UNKNOWN_KEY}","extra":1}`).toString("base64url")}`,
      `cursor=${"A".repeat(300)}`,
      "cursor=a&cursor=b",
      "unexpected=1",
      "__proto__=1",
      "__proto__[limit]=1",
      "constructor=1",
      "limit=2&__proto__=1",
    ])("400 for ?%s", async (query) => {
      expectError(await stack.api.get(`/picus/list?${query}`), 400);
    });

    it.each([
      ["limit=0", `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`],
      ["limit=-1", `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`],
      ["limit=1.5", `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`],
      ["limit=abc", `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`],
      [`limit=${MAX_LIST_LIMIT + 1}`, `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`],
      ["limit=1&limit=2", "limit must be given once"],
      ["cursor=a&cursor=b", "cursor must be given once"],
    ])("says exactly what is wrong with ?%s", async (query, message) => {
      const response = await stack.api.get(`/picus/list?${query}`);
      expectError(response, 400, new RegExp(`^${message}$`));
    });

    it("names a parameter without a name as such", async () => {
      const response = await stack.api.get("/picus/list?=1");
      expectError(response, 400, /^property without a name should not exist$/);
    });

    it.each(["unexpected", "__proto__", "constructor"])(
      "names the unknown parameter %s",
      async (name) => {
        const response = await stack.api.get(`/picus/list?limit=2&${name}=1`);
        expectError(response, 400, new RegExp(`^property ${name} should not exist$`));
      },
    );

    it("accepts a well-formed cursor for a key that no longer exists", async () => {
      const cursor = Buffer.from(JSON.stringify({ id: UNKNOWN_KEY })).toString("base64url");
      const response = await stack.api.get(`/picus/list?cursor=${cursor}`).expect(200);
      expect(Array.isArray(response.body.items)).toBe(true);
    });
  });

  describe("concurrent puts", () => {
    it("never lose or overwrite an item", async () => {
      const count = 150;
      const responses = await Promise.all(
        Array.from({ length: count }, (_, index) => put(JSON.stringify({ concurrent: index }))),
      );
      expect(responses.every((response) => response.status === 201)).toBe(true);
      const keys = new Set(responses.map((response) => String(response.body.key)));
      expect(keys.size).toBe(count);

      const stored = new Map<string, unknown>();
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? "" : `&cursor=${cursor}`;
        const page = await stack.api.get(`/picus/list?limit=${MAX_LIST_LIMIT}${query}`);
        expect(page.status).toBe(200);
        for (const item of page.body.items) stored.set(item.key, item.data);
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      responses.forEach((response, index) => {
        expect(stored.get(response.body.key)).toEqual({ concurrent: index });
      });
    });
  });
});
