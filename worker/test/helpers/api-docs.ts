import type { AnyRouter } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_MAX_BATCH } from "db/rules";
import * as z from "zod/mini";
import type { ApiEntry, ApiError } from "../../src/trpc/api-errors";

type ProcedureDef = {
  type: "query" | "mutation" | "subscription";
  inputs: unknown[];
  middlewares: unknown[];
};

/** One procedure as docs/api.md describes it. */
export type ProcedureDoc = {
  path: string;
  type: ProcedureDef["type"];
  signedIn: boolean;
  input: Record<string, unknown> | null;
  entry: ApiEntry;
};

/** The router's procedures joined with the errors table; throws when the two disagree. */
export function describeRouter(
  router: AnyRouter,
  table: Record<string, ApiEntry>,
  signedInMiddleware: unknown,
): ProcedureDoc[] {
  const procedures = router._def.procedures as Record<string, { _def: ProcedureDef }>;
  const paths = Object.keys(procedures).sort();
  const missing = paths.filter((path) => !(path in table));
  const unknown = Object.keys(table).filter((path) => !(path in procedures));
  if (missing.length || unknown.length) {
    throw new Error(
      [
        "worker/src/trpc/api-errors.ts does not match the router:",
        ...missing.map((path) => `  ${path}: no entry (add its summary and errors)`),
        ...unknown.map((path) => `  ${path}: no such procedure (remove or rename the entry)`),
      ].join("\n"),
    );
  }
  return paths.map((path) => {
    const def = (procedures[path] as { _def: ProcedureDef })._def;
    return {
      path,
      type: def.type,
      signedIn: def.middlewares.includes(signedInMiddleware),
      input: inputSchema(def.inputs),
      entry: table[path] as ApiEntry,
    };
  });
}

function inputSchema(inputs: unknown[]): Record<string, unknown> | null {
  const schemas = inputs.map((input) => {
    const { $schema: _, ...schema } = z.toJSONSchema(input as z.ZodMiniType, {
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>;
    return schema;
  });
  if (schemas.length === 0) return null;
  return schemas.length === 1 ? (schemas[0] as Record<string, unknown>) : { allOf: schemas };
}

const httpStatus = (code: ApiError["code"]) => getHTTPStatusCodeFromError(new TRPCError({ code }));
const anchor = (path: string) => path.toLowerCase().replace(/[^a-z0-9-]/g, "");

function errorsOf(doc: ProcedureDoc): ApiError[] {
  const implicit: ApiError[] = [];
  if (doc.input)
    implicit.push({
      code: "BAD_REQUEST",
      when: "the input does not match the schema; `data.fieldErrors` names each field",
    });
  if (doc.signedIn) implicit.push({ code: "UNAUTHORIZED", when: "no valid session cookie" });
  return [...implicit, ...doc.entry.errors];
}

function procedureSection(doc: ProcedureDoc): string[] {
  const call =
    doc.type === "query"
      ? `GET /api/trpc/${doc.path}${doc.input ? "?input=<JSON>" : ""}`
      : `POST /api/trpc/${doc.path}`;
  return [
    `### \`${doc.path}\``,
    "",
    `${doc.type} · ${doc.signedIn ? "signed-in" : "public"} · \`${call}\``,
    "",
    doc.entry.summary,
    "",
    ...(doc.input ? ["Input (JSON Schema):", "", "```json", formatJson(doc.input), "```"] : ["Input: none."]),
    "",
    "Errors:",
    "",
    ...errorsOf(doc).map((error) => `- \`${error.code}\` (${httpStatus(error.code)}): ${error.when}`),
    "",
  ];
}

const LINE_WIDTH = 110; // biome.json's formatter.lineWidth

/**
 * JSON laid out as Biome lays out a code block: objects one property a line, an array of plain values on one
 * line when it fits, else one value a line.
 */
function formatJson(value: unknown, indent = "", prefix = "", suffix = ""): string {
  const inner = `${indent}  `;
  if (Array.isArray(value) && value.length > 0) {
    const plain = value.every((item) => item === null || typeof item !== "object");
    const inline = `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
    if (plain && indent.length + prefix.length + inline.length + suffix.length <= LINE_WIDTH) return inline;
    const items = value.map(
      (item, i) => `${inner}${formatJson(item, inner, "", i < value.length - 1 ? "," : "")}`,
    );
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([key, item], i) => {
      const label = `${JSON.stringify(key)}: `;
      return `${inner}${label}${formatJson(item, inner, label, i < entries.length - 1 ? "," : "")}`;
    });
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A Markdown table padded the way Biome pads one. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

/** docs/api.md: deterministic, and already in the form Biome formats Markdown to. */
export function renderApiDocs(docs: ProcedureDoc[]): string {
  const groups = [...new Set(docs.map((doc) => doc.path.split(".")[0] as string))];
  const lines = [
    "# API",
    "",
    "<!-- Generated from the tRPC router and worker/src/trpc/api-errors.ts by `pnpm docs:api`. Do not edit. -->",
    "",
    "The Worker serves one tRPC router at `/api/trpc` on the app's own origin. Queries are",
    "`GET /api/trpc/<procedure>?input=<URL-encoded JSON>`, mutations `POST /api/trpc/<procedure>` with the",
    "input as a JSON body. Inputs are plain JSON (no transformer) and are described below as JSON Schema",
    "(draft 2020-12), generated from each procedure's zod schema; a property with a `default` may be left out.",
    "",
    "- **Access.** Public procedures need nothing; signed-in procedures need the `session` cookie that",
    "  `auth.register` and `auth.login` set, and answer only with the signed-in agent's own data.",
    "- **Cross-origin.** Every POST must come from the app's origin (`Origin` header): anything else gets",
    "  `FORBIDDEN` (403) before a procedure runs.",
    `- **Batching.** At most ${TRPC_MAX_BATCH} calls per batch (\`?batch=1\`), and \`auth.*\` calls are never`,
    "  batched: both get `BAD_REQUEST` (400) before any procedure runs.",
    "- **Errors** are tRPC errors: `error.message` is for people, `error.data.code` the code listed per",
    "  procedure, `error.data.httpStatus` its HTTP status, `error.data.fieldErrors` the invalid fields, and",
    "  `error.data.retryAfterSeconds` when to retry after `TOO_MANY_REQUESTS`. Any procedure can answer",
    "  `INTERNAL_SERVER_ERROR` (500) with a generic message; the cause is logged, never sent.",
    "",
    "## Procedures",
    "",
    ...table(
      ["procedure", "type", "access"],
      docs.map((doc) => [
        `[\`${doc.path}\`](#${anchor(doc.path)})`,
        doc.type,
        doc.signedIn ? "signed-in" : "public",
      ]),
    ),
    "",
  ];
  for (const group of groups) {
    lines.push(`## ${group}`, "");
    for (const doc of docs.filter((d) => d.path.startsWith(`${group}.`)))
      lines.push(...procedureSection(doc));
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
