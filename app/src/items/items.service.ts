import { createHash, randomUUID } from "node:crypto";
import { Injectable } from "@nestjs/common";
import { IdempotencyKeyReusedError } from "../../../lib/errors";
import { currentRequestMetrics } from "../../../lib/metrics";
import { TABLE_HASH_KEY, type StoredItem } from "../../../lib/table";
import type { ItemDto, ItemListDto } from "./dto/item.dto";
import { assertStorable, type ItemData } from "./item-data";
import { decodeCursor, encodeCursor } from "./list-cursor";
import { ItemKeyConflictError, ItemsRepository } from "./items.repository";

/** A fresh key colliding with a stored one is astronomically unlikely; retrying once more is plenty. */
const CREATE_ATTEMPTS = 3;

function toView(item: StoredItem): ItemDto {
  return { key: item.id, data: item.data, createdAt: item.createdAt };
}

/** Bytes of the item's other attributes: names, the key, the timestamp and a request hash. */
const ITEM_OVERHEAD_BYTES =
  TABLE_HASH_KEY.length + 36 + "data".length + "createdAt".length + 24 + "requestHash".length + 64;

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/**
 * The item key a put with this Idempotency-Key stores under: a UUID v4 made from the key's
 * SHA-256, so every retry of the put aims at the same item and a conditional write tells them
 * apart, with no second store.
 */
export function itemKeyFor(idempotencyKey: string): string {
  const bytes = sha256(`picus/idempotency-key/${idempotencyKey}`).subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

@Injectable()
export class ItemsService {
  constructor(private readonly repository: ItemsRepository) {}

  /**
   * Stores `data` under a new key and returns the key. With an Idempotency-Key, a retry of the
   * same put returns the key of the item the first one stored; another body is a 409.
   */
  async create(data: ItemData, idempotencyKey?: string): Promise<string> {
    const itemBytes = assertStorable(data, ITEM_OVERHEAD_BYTES);
    const metrics = currentRequestMetrics();
    if (metrics !== undefined) metrics.itemBytes = itemBytes;
    if (idempotencyKey !== undefined) return this.createOnce(data, idempotencyKey);
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

  private async createOnce(data: ItemData, idempotencyKey: string): Promise<string> {
    const id = itemKeyFor(idempotencyKey);
    const requestHash = sha256(JSON.stringify(data)).toString("hex");
    try {
      await this.repository.create({ id, data, createdAt: new Date().toISOString(), requestHash });
      return id;
    } catch (error) {
      if (!(error instanceof ItemKeyConflictError)) throw error;
    }
    const stored = await this.repository.findById(id);
    if (stored?.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return id;
  }

  async get(key: string): Promise<ItemDto | undefined> {
    const item = await this.repository.findById(key);
    return item === undefined ? undefined : toView(item);
  }

  async list(limit: number, cursor?: string): Promise<ItemListDto> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const page = await this.repository.list(limit, after);
    return {
      items: page.items.map(toView),
      nextCursor: page.next === undefined ? null : encodeCursor(page.next),
    };
  }
}
