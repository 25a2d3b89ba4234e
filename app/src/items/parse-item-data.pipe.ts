import { BadRequestException, Injectable, PipeTransform } from "@nestjs/common";
import { parse } from "lossless-json";
import { UnstorableItemError } from "../../../lib/errors";
import {
  describeNonObject,
  isJsonObject,
  MAX_NESTING_DEPTH,
  parseExactNumber,
  type ItemData,
} from "./item-data";

/** Stateless between whole-buffer decodes, so one instance serves every request. */
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

const DUPLICATE_KEY = /^Duplicate key '(.*)' encountered/;

/**
 * Turns the raw request body into the client's JSON object, or a 400 saying what is wrong. The
 * parser keeps each number's text (see parseExactNumber) and refuses a member name given twice
 * in one object with different values (I-JSON), where JSON.parse would keep the last silently.
 */
@Injectable()
export class ParseItemDataPipe implements PipeTransform<unknown, ItemData> {
  transform(raw: unknown): ItemData {
    if (!Buffer.isBuffer(raw) || raw.length === 0) {
      throw new BadRequestException("The request body is empty: send a JSON object");
    }
    let text: string;
    try {
      text = STRICT_UTF8.decode(raw);
    } catch {
      throw new BadRequestException("The request body is not valid UTF-8");
    }
    let value: unknown;
    try {
      value = parse(text, null, parseExactNumber);
    } catch (error) {
      if (error instanceof RangeError) {
        throw new UnstorableItemError(
          `The body is nested deeper than the ${MAX_NESTING_DEPTH} levels DynamoDB supports`,
        );
      }
      const { message } = error as Error;
      const duplicate = DUPLICATE_KEY.exec(message)?.[1];
      if (duplicate !== undefined) {
        throw new BadRequestException(`The member "${duplicate}" appears twice in one object`);
      }
      throw new BadRequestException(`The request body is not valid JSON: ${message}`);
    }
    if (!isJsonObject(value)) throw new BadRequestException(describeNonObject(value));
    return value;
  }
}
