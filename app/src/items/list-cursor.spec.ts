import { InvalidCursorError } from "../../../lib/errors";
import { decodeCursor, encodeCursor } from "./list-cursor";

const ID = "3f1c2a0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
const encode = (text: string) => Buffer.from(text).toString("base64url");

describe("list cursors", () => {
  it("round-trip a position as URL-safe text", () => {
    const cursor = encodeCursor({ id: ID });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ id: ID });
  });

  it.each([
    ["empty", ""],
    ["not base64url", "a+b/c="],
    ["padded", `${encodeCursor({ id: ID })}=`],
    ["non-canonical base64url", `${encodeCursor({ id: ID }).slice(0, -1)}x`],
    ["not JSON", encode("id=1")],
    ["not UTF-8", Buffer.from([0xff, 0xfe]).toString("base64url")],
    ["JSON but not an object", encode(`["${ID}"]`)],
    ["null", encode("null")],
    ["missing id", encode("{}")],
    ["a non-string id", encode('{"id":1}')],
    ["a non-UUID id", encode('{"id":"abc"}')],
    ["an upper-case id", encode(`{"id":"${ID.toUpperCase()}"}`)],
    ["extra fields", encode(`{"id":"${ID}","x":1}`)],
    ["too long", "A".repeat(400)],
  ])("reject a cursor that is %s", (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
  });
});
