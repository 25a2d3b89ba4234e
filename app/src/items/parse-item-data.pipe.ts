import { BadRequestException, Injectable, PipeTransform } from "@nestjs/common";
import { describeNonObject, isJsonObject, type ItemData } from "./item-data";
import { parseJsonBody } from "./json-body.middleware";

/** Turns the raw request body into the client's JSON object, or a 400 saying what is wrong. */
@Injectable()
export class ParseItemDataPipe implements PipeTransform<unknown, ItemData> {
  transform(raw: unknown): ItemData {
    const value = parseJsonBody(raw);
    if (!isJsonObject(value)) throw new BadRequestException(describeNonObject(value));
    return value;
  }
}
