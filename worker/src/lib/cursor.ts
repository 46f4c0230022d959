// Keyset pagination cursors: the last row's sort value and id, opaque to the client. A cursor that was
// not made here is a 400 on the `cursor` field.
import { ServiceError } from "./errors";

export type Cursor = [number, string];

export const encodeCursor = (cursor: Cursor) => btoa(JSON.stringify(cursor));

export function decodeCursor(value: string): Cursor {
  try {
    const parsed = JSON.parse(atob(value));
    if (Array.isArray(parsed) && typeof parsed[0] === "number" && typeof parsed[1] === "string") {
      return parsed as Cursor;
    }
  } catch {}
  throw new ServiceError("BAD_REQUEST", "Invalid cursor", { field: "cursor" });
}
