import { compareNumber } from "lossless-json";
import { ItemTooLargeError, UnstorableItemError } from "../../../lib/errors";

/** DynamoDB's item size limit (400 KB, counted the way DynamoDB counts it). */
export const MAX_ITEM_SIZE_BYTES = 400 * 1024;

/** DynamoDB stores documents nested at most 32 levels deep; the body object itself is level 1. */
export const MAX_NESTING_DEPTH = 32;

/** DynamoDB numbers: 38 significant digits, magnitude between 1e-130 and 1e126 (exclusive). */
const MIN_NUMBER_MAGNITUDE = 1e-130;

const LONE_SURROGATE = /\p{Surrogate}/u;

export type ItemData = Record<string, unknown>;

/** A number in the body that would not come back as sent; assertStorable names where it is. */
export class InexactNumber {
  constructor(readonly text: string) {}
}

/**
 * The number parser for the request body: a JSON number becomes a JavaScript number when that
 * number is the same decimal value as the text, else an InexactNumber (`1e-400` would become 0,
 * `3.14159265358979323846` would lose digits).
 */
export function parseExactNumber(text: string): number | InexactNumber {
  const value = Number(text);
  const exact = Number.isFinite(value) && compareNumber(String(value), text) === 0;
  return exact ? value : new InexactNumber(text);
}

export function isJsonObject(value: unknown): value is ItemData {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function describeNonObject(value: unknown): string {
  const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
  return `The request body must be a JSON object, not ${kind}`;
}

/**
 * An upper bound of a number's stored size: one byte per two significant digits, one more for
 * the exponent and for digit alignment, and one more for a negative number's terminator.
 */
function numberSize(value: number): number {
  const digits = Math.abs(value).toExponential().replace(/e.*$/, "").replace(".", "").length;
  return Math.ceil(digits / 2) + 2 + (value < 0 ? 1 : 0);
}

/** Where a value sits in the body, e.g. `body.tags[2]`; built only when an error names it. */
type PathOf = () => string;

function checkString(text: string, path: PathOf): number {
  if (LONE_SURROGATE.test(text)) {
    throw new UnstorableItemError(`${path()} contains an unpaired UTF-16 surrogate`);
  }
  return Buffer.byteLength(text, "utf8");
}

function checkNumber(value: number, path: PathOf): number {
  if (!Number.isFinite(value)) {
    throw new UnstorableItemError(`${path()} is not a finite number`);
  }
  if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    throw new UnstorableItemError(
      `${path()} is outside the range of numbers stored exactly (±${Number.MAX_SAFE_INTEGER})`,
    );
  }
  if (value !== 0 && Math.abs(value) < MIN_NUMBER_MAGNITUDE) {
    throw new UnstorableItemError(`${path()} is closer to zero than DynamoDB can store (1e-130)`);
  }
  return numberSize(value);
}

function pathOf(parent: PathOf, key: string | number): PathOf {
  return () => {
    if (typeof key === "number") return `${parent()}[${key}]`;
    return /^[A-Za-z_$][\w$]*$/.test(key)
      ? `${parent()}.${key}`
      : `${parent()}[${JSON.stringify(key)}]`;
  };
}

/** Checks one JSON value and returns the bytes DynamoDB counts for it. */
function measureValue(value: unknown, path: PathOf, depth: number): number {
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "string") return checkString(value, path);
  if (typeof value === "number") return checkNumber(value, path);
  if (value instanceof InexactNumber) {
    throw new UnstorableItemError(
      `${path()} is ${value.text}, which cannot be stored exactly: numbers must be within the ` +
        "range and precision of a double (±(2^53−1), about 15 significant digits)",
    );
  }
  if (typeof value !== "object") {
    throw new UnstorableItemError(`${path()} is not a JSON value`);
  }
  if (depth > MAX_NESTING_DEPTH) {
    throw new UnstorableItemError(
      `${path()} is nested deeper than the ${MAX_NESTING_DEPTH} levels DynamoDB supports`,
    );
  }
  if (Array.isArray(value)) {
    let size = 3 + value.length;
    value.forEach((element, index) => {
      size += measureValue(element, pathOf(path, index), depth + 1);
    });
    return size;
  }
  const entries = Object.entries(value);
  let size = 3 + entries.length;
  for (const [key, element] of entries) {
    if (key === "" || key === "__proto__") {
      throw new UnstorableItemError(`${path()} has the key "${key}", which cannot be stored`);
    }
    size += checkString(key, () => `${path()} key ${JSON.stringify(key)}`);
    size += measureValue(element, pathOf(path, key), depth + 1);
  }
  return size;
}

/**
 * Checks that a JSON object can be stored in DynamoDB exactly as given (depth, numbers, text)
 * and that the item carrying it, with `overheadBytes` for the other attributes, fits one item.
 * Returns the item's size in bytes.
 */
export function assertStorable(data: ItemData, overheadBytes: number): number {
  const size = measureValue(data, () => "body", 1) + overheadBytes;
  if (size > MAX_ITEM_SIZE_BYTES) {
    throw new ItemTooLargeError(
      `The item would take ${size} bytes in DynamoDB, more than its limit of ${MAX_ITEM_SIZE_BYTES}`,
    );
  }
  return size;
}
