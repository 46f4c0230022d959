import type { SourceAdapter } from "./adapter";
import { holidayBuilders } from "./holidaybuilders";

export type { SourceAdapter } from "./adapter";

// A new builder is a new adapter file plus its line here.
const adapters: Record<string, SourceAdapter> = {
  [holidayBuilders.name]: holidayBuilders,
};

export function getAdapter(name: string): SourceAdapter | undefined {
  return Object.hasOwn(adapters, name) ? adapters[name] : undefined;
}

export function adapterNames(): string[] {
  return Object.keys(adapters);
}
