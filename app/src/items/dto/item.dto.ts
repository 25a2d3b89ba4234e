import { ITEM_KEY_SCHEMA } from "../../../../lib/item-key";
import { ApiProperty } from "@nestjs/swagger";
import type { ItemData } from "../item-data";
import type { ItemListView, ItemView } from "../items.service";

export const ITEM_DATA_SCHEMA = {
  type: "object",
  additionalProperties: true,
  description: "Any JSON object DynamoDB can store: at most 400 KB, nested at most 32 levels",
  example: { name: "picus", tags: ["bird"], size: 3 },
} as const;

export class CreatedItemDto {
  @ApiProperty({ ...ITEM_KEY_SCHEMA, example: "0b6b6a4e-2d1e-4c4f-9a43-8f2f5e0f1c11" })
  key!: string;
}

export class ItemDto implements ItemView {
  @ApiProperty({ ...ITEM_KEY_SCHEMA, example: "0b6b6a4e-2d1e-4c4f-9a43-8f2f5e0f1c11" })
  key!: string;

  @ApiProperty(ITEM_DATA_SCHEMA)
  data!: ItemData;

  @ApiProperty({ format: "date-time", example: "2026-01-01T12:00:00.000Z" })
  createdAt!: string;
}

export class ItemListDto implements ItemListView {
  @ApiProperty({ type: [ItemDto] })
  items!: ItemDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: "Pass as `cursor` to get the next page; null when there are no more items",
  })
  nextCursor!: string | null;
}
