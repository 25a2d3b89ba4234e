import { ApiPropertyOptional } from "@nestjs/swagger";
import { Transform } from "class-transformer";
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from "class-validator";
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from "../items.service";

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
  @IsInt({ message: "limit must be a whole number" })
  @Min(1)
  @Max(MAX_LIST_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: "The nextCursor of the previous page, unchanged" })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  cursor?: string;
}

/** Every query parameter the list route takes; anything else is a 400. */
export const LIST_QUERY_PARAMETERS = [
  "limit",
  "cursor",
] as const satisfies readonly (keyof ListItemsQuery)[];
