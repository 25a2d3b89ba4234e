import { ITEM_KEY_SCHEMA } from "../../../../lib/item-key";
import { ApiProperty, PickType } from "@nestjs/swagger";
import type { ItemData } from "../item-data";

export const ITEM_DATA_SCHEMA = {
  type: "object",
  additionalProperties: true,
  description: "Any JSON object DynamoDB can store: at most 400 KB, nested at most 32 levels",
  example: { name: "picus", tags: ["bird"], size: 3 },
} as const;

export class ItemDto {
  @ApiProperty({ ...ITEM_KEY_SCHEMA, example: "0b6b6a4e-2d1e-4c4f-9a43-8f2f5e0f1c11" })
  key!: string;

  @ApiProperty(ITEM_DATA_SCHEMA)
  data!: ItemData;

  @ApiProperty({ format: "date-time", example: "2026-01-01T12:00:00.000Z" })
  createdAt!: string;
}

export class ItemListDto {
  @ApiProperty({ type: [ItemDto] })
  items!: ItemDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: "Pass as `cursor` to get the next page; null when there are no more items",
  })
  nextCursor!: string | null;
}

export class CreatedItemDto extends PickType(ItemDto, ["key"]) {}
