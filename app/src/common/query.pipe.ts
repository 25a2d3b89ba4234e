import { BadRequestException, type PipeTransform } from "@nestjs/common";
import type { z } from "zod";

/**
 * Validates a route's query string against its schema: 400 for a parameter the route does not
 * take (`__proto__` and `constructor` included) or one given twice, else the schema's message.
 */
export class QueryPipe<T extends z.ZodObject> implements PipeTransform<Record<string, unknown>> {
  constructor(private readonly schema: T) {}

  transform(query: Record<string, unknown>): z.infer<T> {
    for (const name of Object.keys(query)) {
      if (!Object.hasOwn(this.schema.shape, name)) {
        throw new BadRequestException(`property ${name || "without a name"} should not exist`);
      }
      if (Array.isArray(query[name])) throw new BadRequestException(`${name} must be given once`);
    }
    const result = this.schema.safeParse(query);
    if (result.success) return result.data;
    throw new BadRequestException(result.error.issues.map((issue) => issue.message).join("; "));
  }
}
