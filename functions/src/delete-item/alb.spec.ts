import { createTestALBEvent, createTestMultiValueALBEvent } from "../../test/alb-event";
import { albResult, bodyBytes, headerValue, itemKeyFromPath, requestIdOf } from "./alb";
import { InvalidItemKey } from "./errors";

const KEY = "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b";

describe("headerValue", () => {
  it("reads single-value headers case-insensitively", () => {
    // Prepare
    const event = createTestALBEvent({ headers: { "X-Request-Id": "abc" } });

    // Act & Assess
    expect(headerValue(event, "x-request-id")).toBe("abc");
  });

  it("reads the last of multi-value headers", () => {
    // Prepare
    const event = createTestMultiValueALBEvent({ headers: { "x-request-id": ["first", "last"] } });

    // Act & Assess
    expect(headerValue(event, "X-Request-Id")).toBe("last");
  });

  it("is undefined for absent headers", () => {
    expect(headerValue(createTestALBEvent(), "x-missing")).toBeUndefined();
    expect(headerValue(createTestMultiValueALBEvent(), "x-missing")).toBeUndefined();
  });
});

describe("requestIdOf", () => {
  it("prefers the caller's x-request-id", () => {
    // Prepare
    const event = createTestALBEvent({ headers: { "x-request-id": "req-1" } });

    // Act & Assess
    expect(requestIdOf(event)).toBe("req-1");
  });

  it("falls back to the ALB trace id", () => {
    // Prepare
    const event = createTestMultiValueALBEvent();

    // Act & Assess
    expect(requestIdOf(event)).toBe("Root=1-6745a3c1-0123456789abcdef01234567");
  });

  it("generates a UUID when neither header is usable", () => {
    // Prepare
    const event = createTestALBEvent({
      headers: { "x-request-id": "has spaces\r\nand breaks", "x-amzn-trace-id": "" },
    });

    // Act
    const requestId = requestIdOf(event);

    // Assess
    expect(requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe("bodyBytes", () => {
  it.each([
    [createTestALBEvent({ body: null }), 0],
    [createTestALBEvent({ body: "héllo" }), 6],
    [
      createTestALBEvent({
        body: Buffer.from([0, 255, 1]).toString("base64"),
        isBase64Encoded: true,
      }),
      3,
    ],
  ])("counts the decoded bytes (%#)", (event, expected) => {
    expect(bodyBytes(event)).toBe(expected);
  });
});

describe("itemKeyFromPath", () => {
  it("returns the key of /picus/{key}", () => {
    expect(itemKeyFromPath(`/picus/${KEY}`)).toBe(KEY);
  });

  it("canonicalises an upper-case key", () => {
    expect(itemKeyFromPath(`/picus/${KEY.toUpperCase()}`)).toBe(KEY);
  });

  it("decodes a percent-encoded key", () => {
    // Prepare
    const encoded = KEY.split("")
      .map((char) => `%${char.charCodeAt(0).toString(16)}`)
      .join("");

    // Act & Assess
    expect(itemKeyFromPath(`/picus/${encoded}`)).toBe(KEY);
  });

  it.each([
    ["not a UUID", "/picus/not-a-uuid"],
    ["deeper path", `/picus/${KEY}/extra`],
    ["encoded slash", `/picus/${KEY}%2Fextra`],
    ["trailing slash", `/picus/${KEY}/`],
    ["empty key", "/picus/"],
    ["a v1 UUID", "/picus/3f2b8c1e-9a4d-1e6f-8b2a-1c3d5e7f9a0b"],
    ["another prefix", `/other/${KEY}`],
  ])("rejects a %s", (_case, path) => {
    expect(() => itemKeyFromPath(path)).toThrow(InvalidItemKey);
  });

  it("rejects malformed percent-encoding with a clear message", () => {
    expect(() => itemKeyFromPath("/picus/%E0%A4%A")).toThrow(
      'The path "/picus/%E0%A4%A" is not valid percent-encoding',
    );
  });

  it("quotes at most 120 characters of a long path", () => {
    // Prepare
    const path = `/picus/${"x".repeat(5000)}`;

    // Act
    const error = (() => {
      try {
        itemKeyFromPath(path);
      } catch (thrown) {
        return thrown as Error;
      }
      throw new Error("expected a rejection");
    })();

    // Assess
    expect(error.message.length).toBeLessThan(200);
  });
});

describe("albResult", () => {
  it("answers single-value headers to a single-value event", () => {
    // Act
    const result = albResult(createTestALBEvent(), 204, { "x-request-id": "abc" });

    // Assess
    expect(result).toEqual({
      statusCode: 204,
      statusDescription: "204 No Content",
      headers: { "x-request-id": "abc" },
      body: "",
      isBase64Encoded: false,
    });
  });

  it("answers multi-value headers to a multi-value event", () => {
    // Act
    const result = albResult(createTestMultiValueALBEvent(), 404, { "x-request-id": "abc" }, "{}");

    // Assess
    expect(result).toEqual({
      statusCode: 404,
      statusDescription: "404 Not Found",
      multiValueHeaders: { "x-request-id": ["abc"] },
      body: "{}",
      isBase64Encoded: false,
    });
  });
});
