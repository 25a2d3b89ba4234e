import { BadRequestException, Injectable, PipeTransform } from "@nestjs/common";
import { describeNonObject, isJsonObject, type ItemData } from "./item-data";

/** Stateless between whole-buffer decodes, so one instance serves every request. */
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Turns the raw request body into the client's JSON object, or a 400 saying what is wrong. */
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
      value = JSON.parse(text);
    } catch (error) {
      throw new BadRequestException(
        `The request body is not valid JSON: ${(error as Error).message}`,
      );
    }
    if (!isJsonObject(value)) throw new BadRequestException(describeNonObject(value));
    return value;
  }
}
