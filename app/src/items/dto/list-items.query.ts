import { ApiPropertyOptional } from "@nestjs/swagger";
import { Transform } from "class-transformer";
import { IsOptional, IsString, MaxLength, ValidateBy } from "class-validator";
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from "../items.service";

/** Far above any cursor the service issues (base64url of a 36-character key in JSON). */
const MAX_CURSOR_LENGTH = 256;

/** One rule and one message, whatever is wrong with the value (text, a fraction, out of range). */
const IsListLimit = () =>
  ValidateBy({
    name: "isListLimit",
    validator: {
      validate: (value: unknown) =>
        Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_LIST_LIMIT,
      defaultMessage: () => `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`,
    },
  });

export class ListItemsQuery {
  @ApiPropertyOptional({
    type: "integer",
    minimum: 1,
    maximum: MAX_LIST_LIMIT,
    default: DEFAULT_LIST_LIMIT,
    description: "Items per page",
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === "string" && /^\d{1,6}$/.test(value) ? Number(value) : value,
  )
  @IsListLimit()
  limit?: number;

  @ApiPropertyOptional({
    description: "The nextCursor of the previous page, unchanged",
    maxLength: MAX_CURSOR_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CURSOR_LENGTH)
  cursor?: string;
}

/** Every query parameter the list route takes; anything else is a 400. */
export const LIST_QUERY_PARAMETERS = [
  "limit",
  "cursor",
] as const satisfies readonly (keyof ListItemsQuery)[];
