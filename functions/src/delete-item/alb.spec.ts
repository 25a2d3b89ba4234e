import { InvalidItemKeyError } from "../../../lib/errors";
import { createTestALBEvent } from "../../test/alb-event";
import { albResult, bodyBytes, itemKeyFromPath } from "./alb";

const KEY = "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b";

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
    expect(() => itemKeyFromPath(path)).toThrow(InvalidItemKeyError);
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
  it("answers in single-value headers with ALB's status description", () => {
    // Act
    const result = albResult(204, { "x-request-id": "abc" });

    // Assess
    expect(result).toEqual({
      statusCode: 204,
      statusDescription: "204 No Content",
      headers: { "x-request-id": "abc" },
      body: "",
      isBase64Encoded: false,
    });
  });
});
