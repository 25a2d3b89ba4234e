import { randomUUID } from "node:crypto";
import { Injectable } from "@nestjs/common";
import { TABLE_HASH_KEY, type StoredItem } from "../../../lib/table";
import { assertStorable, type ItemData } from "./item-data";
import { decodeCursor, encodeCursor } from "./list-cursor";
import { ItemKeyConflictError, ItemsRepository } from "./items.repository";

/** A fresh key colliding with a stored one is astronomically unlikely; retrying once more is plenty. */
const CREATE_ATTEMPTS = 3;

export interface ItemView {
  key: string;
  data: ItemData;
  createdAt: string;
}

export interface ItemListView {
  items: ItemView[];
  nextCursor: string | null;
}

function toView(item: StoredItem): ItemView {
  return { key: item.id, data: item.data, createdAt: item.createdAt };
}

/** Bytes of the item's other attributes: names, a 36-character key and a 24-character timestamp. */
const ITEM_OVERHEAD_BYTES = TABLE_HASH_KEY.length + 36 + "data".length + "createdAt".length + 24;

@Injectable()
export class ItemsService {
  constructor(private readonly repository: ItemsRepository) {}

  async create(data: ItemData): Promise<string> {
    assertStorable(data, ITEM_OVERHEAD_BYTES);
    for (let attempt = 1; ; attempt++) {
      const item: StoredItem = { id: randomUUID(), data, createdAt: new Date().toISOString() };
      try {
        await this.repository.create(item);
        return item.id;
      } catch (error) {
        if (!(error instanceof ItemKeyConflictError) || attempt >= CREATE_ATTEMPTS) throw error;
      }
    }
  }

  async get(key: string): Promise<ItemView | undefined> {
    const item = await this.repository.findById(key);
    return item === undefined ? undefined : toView(item);
  }

  async list(limit: number, cursor?: string): Promise<ItemListView> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const page = await this.repository.list(limit, after);
    return {
      items: page.items.map(toView),
      nextCursor: page.next === undefined ? null : encodeCursor(page.next),
    };
  }
}
