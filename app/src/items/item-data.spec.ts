import { ItemTooLargeError, UnstorableItemError } from "../../../lib/errors";
import {
  assertStorable,
  describeNonObject,
  isJsonObject,
  MAX_ITEM_SIZE_BYTES,
  MAX_NESTING_DEPTH,
  parseExactNumber,
  InexactNumber,
} from "./item-data";

describe("parseExactNumber", () => {
  it.each(["0", "-0", "1", "0.1", "1.50", "1E2", "-3e-7", "9007199254740991", "1e-130", "1e+21"])(
    "keeps %s as a number",
    (text) => expect(parseExactNumber(text)).toBe(Number(text)),
  );

  it.each(["1e-400", "1e400", "9007199254740993", "3.14159265358979323846264338327950"])(
    "marks %s as inexact",
    (text) => expect(parseExactNumber(text)).toEqual(new InexactNumber(text)),
  );
});

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < depth; level++) value = { a: value };
  return value;
}

describe("isJsonObject", () => {
  it.each([[{}], [{ a: 1 }]])("accepts %j", (value) => expect(isJsonObject(value)).toBe(true));
  it.each([[[]], [null], ["x"], [1], [true], [undefined]])("rejects %j", (value) =>
    expect(isJsonObject(value)).toBe(false),
  );
});

describe("describeNonObject", () => {
  it.each([
    [[1], "an array"],
    [null, "null"],
    ["x", "a string"],
    [2, "a number"],
    [false, "a boolean"],
  ])("names %j as %s", (value, name) => {
    expect(describeNonObject(value)).toBe(`The request body must be a JSON object, not ${name}`);
  });
});

describe("assertStorable", () => {
  it("accepts ordinary JSON", () => {
    expect(() =>
      assertStorable({ a: "text", b: [1, 2.5, -3e-7, null, true], c: { d: {} } }, 0),
    ).not.toThrow();
  });

  it(`accepts ${MAX_NESTING_DEPTH} levels and rejects one more, in objects and arrays`, () => {
    expect(() => assertStorable(nested(MAX_NESTING_DEPTH), 0)).not.toThrow();
    expect(() => assertStorable(nested(MAX_NESTING_DEPTH + 1), 0)).toThrow(UnstorableItemError);
    let list: unknown = [];
    for (let level = 2; level <= MAX_NESTING_DEPTH; level++) list = [list];
    expect(() => assertStorable({ list }, 0)).toThrow(/nested deeper than the 32 levels/);
  });

  it.each([
    [Number.MAX_SAFE_INTEGER, true],
    [-Number.MAX_SAFE_INTEGER, true],
    [Number.MAX_SAFE_INTEGER + 2, false],
    [1e300, false],
    [-1e20, false],
    [1e-130, true],
    [1e-131, false],
    [0, true],
    [-0, true],
  ])("the number %d is storable: %s", (value, storable) => {
    const check = () => assertStorable({ n: value }, 0);
    if (storable) expect(check).not.toThrow();
    else expect(check).toThrow(UnstorableItemError);
  });

  it("names where the problem is", () => {
    expect(() => assertStorable({ list: [0, { "odd key": 1e-200 }] }, 0)).toThrow(
      'body.list[1]["odd key"] is closer to zero than DynamoDB can store (1e-130)',
    );
  });

  it("rejects unpaired surrogates in values and keys, but not paired ones", () => {
    expect(() => assertStorable({ s: "🐦" }, 0)).not.toThrow();
    expect(() => assertStorable({ s: "\ud800" }, 0)).toThrow(/unpaired/);
    expect(() => assertStorable({ ["\udc00"]: 1 }, 0)).toThrow(/unpaired/);
  });

  it("rejects empty keys and the key __proto__, which the SDK's marshaller would drop", () => {
    const parsed = JSON.parse('{"a":[{"__proto__":{"x":1}}]}') as Record<string, unknown>;
    expect(() => assertStorable(parsed, 0)).toThrow('body.a[0] has the key "__proto__"');
    expect(() => assertStorable({ constructor: 1, toString: "x" }, 0)).not.toThrow();
    expect(() => assertStorable({ a: { "": 1 } }, 0)).toThrow('body.a has the key ""');
  });

  it("counts text in UTF-8 bytes against DynamoDB's 400 KB", () => {
    const overhead = 3 + 1 + 1;
    const fits = { s: "x".repeat(MAX_ITEM_SIZE_BYTES - overhead) };
    expect(() => assertStorable(fits, 0)).not.toThrow();
    expect(() => assertStorable(fits, 1)).toThrow(ItemTooLargeError);
    const multiByte = { s: "é".repeat(MAX_ITEM_SIZE_BYTES / 2) };
    expect(() => assertStorable(multiByte, 0)).toThrow(ItemTooLargeError);
  });

  it("counts DynamoDB's overhead per list element", () => {
    const elements = Math.floor(MAX_ITEM_SIZE_BYTES / 3);
    expect(() => assertStorable({ l: Array<number>(elements).fill(0) }, 0)).toThrow(
      /more than its limit of 409600/,
    );
  });
});
