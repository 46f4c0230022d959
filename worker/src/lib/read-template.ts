// Hot reads (the listings page asks for a page of cards on every scroll and filter) spend most of the
// Worker's own CPU in drizzle building the same SQL again and mapping rows through its generic mapper
// (`pnpm bench:api --profile`: 50-70% of what the Worker costs beyond a bare handler). A read template is
// built by drizzle once per shape, with every value a placeholder, and kept for the isolate's life; a call
// only binds the values on the request's D1 session and decodes the rows with the selected columns' own
// decoders, fixed in advance. Same SQL, same decoding as drizzle's; worker/test/read-template-integration.test.ts
// holds them side by side. `readBatch` sends several in one D1 batch (one round trip) and decodes each.
import { Column, is, noopDecoder, Placeholder, SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Db } from "./db";

type Decoder = { mapFromDriverValue(value: unknown): unknown };
type Built = { toSQL(): { sql: string; params: unknown[] } } & PromiseLike<unknown[]>;

/** Builds SQL only: nothing reaches a D1 binding from it (for parts of a template built ahead of it). */
export const sqlBuilder = drizzle({} as D1Database);

export type ReadTemplate<Row> = {
  readonly sql: string;
  /** The statement for `values` (one per placeholder name) on the request's D1 session, for a batch. */
  statement(db: Db, values: Record<string, unknown>): D1PreparedStatement;
  /** Rows as `.raw()` returns them (columns in selection order), decoded. */
  decode(rows: unknown[][]): Row[];
  /** Rows as a batch returns them (objects, columns in selection order), decoded. */
  decodeObjects(rows: Record<string, unknown>[]): Row[];
  /** Runs the statement and decodes its rows. */
  all(db: Db, values: Record<string, unknown>): Promise<Row[]>;
  /** The statement for `values` with its decoder, one read of a `readBatch`. */
  read(db: Db, values: Record<string, unknown>): BoundRead<Row>;
};

/** A statement ready to run and how its rows decode (`ReadTemplate.read`). */
export type BoundRead<Row> = {
  readonly statement: D1PreparedStatement;
  decodeObjects(rows: Record<string, unknown>[]): Row[];
};

/** The decoded rows of each read, in order. */
export type RowsOf<Reads extends readonly BoundRead<unknown>[]> = {
  -readonly [K in keyof Reads]: Reads[K] extends BoundRead<infer Row> ? Row[] : never;
};

/** Runs the reads in one D1 batch (one round trip) on the request's session; each one's rows decoded. */
export async function readBatch<const Reads extends readonly BoundRead<unknown>[]>(
  db: Db,
  reads: Reads,
): Promise<RowsOf<Reads>> {
  const results = await db.$client.batch<Record<string, unknown>>(reads.map((read) => read.statement));
  return reads.map((read, i) => read.decodeObjects(results[i]?.results ?? [])) as RowsOf<Reads>;
}

/**
 * `build` receives a drizzle instance that only builds SQL and `placeholder(name)` for every value that
 * varies; it must select exactly `fields` (flat: one key per column or `sql` expression). Values bound to a
 * placeholder are driver values (numbers for timestamps and booleans), as for drizzle's prepared queries.
 */
export function readTemplate<Fields extends Record<string, Column | SQL>, Q extends Built>(
  fields: Fields,
  build: (db: typeof sqlBuilder, placeholder: typeof sql.placeholder) => Q,
): ReadTemplate<Awaited<Q>[number]> {
  const query = build(sqlBuilder, sql.placeholder).toSQL();
  const decoders = Object.values(fields).map((field): Decoder | null => {
    // drizzle marks SQL's decoder internal; it is what its own row mapper uses for an expression.
    const decoder = is(field, Column)
      ? (field as unknown as Decoder)
      : is(field, SQL)
        ? (field as unknown as { decoder: Decoder }).decoder
        : null;
    if (!decoder) throw new Error("readTemplate: fields must be columns or sql expressions");
    // Most columns (text, plain integers) hand the driver's value back unchanged: null skips the call.
    const map = decoder.mapFromDriverValue;
    return map === Column.prototype.mapFromDriverValue || map === noopDecoder.mapFromDriverValue
      ? null
      : decoder;
  });
  const keys = Object.keys(fields);
  // Each parameter: a placeholder's name, or null for a value drizzle fixed when it built the SQL.
  const names = query.params.map((param) => (is(param, Placeholder) ? String(param.name) : null));
  const bind = (values: Record<string, unknown>) =>
    query.params.map((fixed, i) => {
      const name = names[i];
      if (name === null || name === undefined) return fixed;
      const value = values[name];
      if (value === undefined) throw new Error(`readTemplate: no value for placeholder "${name}"`);
      return value;
    });
  const decode = (rows: unknown[][]) =>
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const value = row[i];
        const decoder = decoders[i];
        out[keys[i] as string] =
          value === null || value === undefined ? null : decoder ? decoder.mapFromDriverValue(value) : value;
      }
      return out as Awaited<Q>[number];
    });
  const statement = (db: Db, values: Record<string, unknown>) =>
    db.$client.prepare(query.sql).bind(...bind(values));
  const decodeObjects = (rows: Record<string, unknown>[]) =>
    decode(
      rows.map((row) => {
        const values = Object.values(row);
        // Two result columns of one name come back as one key: the row cannot be read by position.
        if (values.length !== keys.length)
          throw new Error(`readTemplate: ${values.length} columns for ${keys.length} fields in ${query.sql}`);
        return values;
      }),
    );
  return {
    sql: query.sql,
    statement,
    decode,
    decodeObjects,
    all: async (db, values) => decode(await statement(db, values).raw()),
    read: (db, values) => ({ statement: statement(db, values), decodeObjects }),
  };
}

/**
 * A read whose SQL depends on which filters are given: one template per shape (the flags of `Shape`),
 * each built on first use and kept for the isolate's life. Shapes are few (flags, not values).
 */
export function templatesByShape<Shape extends Record<string, string | boolean>, T>(
  build: (shape: Shape) => T,
): (shape: Shape) => T {
  const built = new Map<string, T>();
  return (shape) => {
    const key = Object.values(shape).join("|");
    let template = built.get(key);
    if (!template) {
      template = build(shape);
      built.set(key, template);
    }
    return template;
  };
}
