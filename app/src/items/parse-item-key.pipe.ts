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
