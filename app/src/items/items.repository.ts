import type { StoredItem } from "../../../lib/table";
import type { ListPosition } from "./list-cursor";

export interface ItemsPage {
  items: StoredItem[];
  /** Where the next page starts; absent when the table has no more items. */
  next?: ListPosition;
}

/** A new item's key is taken already; the service draws another. */
export class ItemKeyConflictError extends Error {
  override readonly name = "ItemKeyConflictError";
}

/** The persistence port of the items feature; the service never sees the SDK. */
export abstract class ItemsRepository {
  /** Stores a new item; throws ItemKeyConflictError instead of replacing an existing one. */
  abstract create(item: StoredItem): Promise<void>;

  abstract findById(id: string): Promise<StoredItem | undefined>;

  abstract list(limit: number, after?: ListPosition): Promise<ItemsPage>;
}
