import { BadRequestException, Injectable, PipeTransform } from "@nestjs/common";
import { parseItemKey } from "../../../lib/item-key";

@Injectable()
export class ParseItemKeyPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const key = parseItemKey(value);
    if (key === undefined) throw new BadRequestException("The key must be a UUID v4");
    return key;
  }
}

export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
/** 1 to 255 visible ASCII characters; a repeated header arrives joined by ", " and fails it. */
export const IDEMPOTENCY_KEY_PATTERN = "^[\\x21-\\x7e]{1,255}$";
const IDEMPOTENCY_KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined || IDEMPOTENCY_KEY.test(value)) return value;
  throw new BadRequestException(
    "Idempotency-Key must be 1 to 255 visible ASCII characters, given once",
  );
}
