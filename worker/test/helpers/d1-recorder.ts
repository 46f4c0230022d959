import { env } from "cloudflare:workers";

/** One SQL statement as D1 ran it, with its bound parameters. */
export type RecordedStatement = {
  sql: string;
  params: unknown[];
  via: "all" | "raw" | "run" | "first" | "batch";
};

/** What a D1 binding was asked to do: every statement, and the round trips (a batch is one). */
export type D1Recording = { statements: RecordedStatement[]; roundTrips: number };

const RUNNERS = ["all", "raw", "run", "first"] as const;

/**
 * Wraps a D1 binding (or a withSession() session) so that every statement it runs is recorded. The
 * statements stay the binding's own objects (only their methods are wrapped), so batch() accepts them.
 */
function recordingD1<T extends D1Database | D1DatabaseSession>(target: T, recording: D1Recording): T {
  const sqlOf = new WeakMap<object, { sql: string; params: unknown[] }>();

  const watch = (statement: D1PreparedStatement, sql: string, params: unknown[]) => {
    sqlOf.set(statement, { sql, params });
    const bind = statement.bind.bind(statement);
    Object.defineProperty(statement, "bind", {
      value: (...values: unknown[]) => watch(bind(...values), sql, values),
    });
    for (const name of RUNNERS) {
      const run = (statement[name] as (...args: unknown[]) => unknown).bind(statement);
      Object.defineProperty(statement, name, {
        value: (...args: unknown[]) => {
          recording.statements.push({ sql, params, via: name });
          recording.roundTrips++;
          return run(...args);
        },
      });
    }
    return statement;
  };

  return new Proxy(target, {
    get(inner, property) {
      if (property === "prepare") return (sql: string) => watch(inner.prepare(sql), sql, []);
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          for (const statement of statements) {
            const known = sqlOf.get(statement);
            recording.statements.push({
              sql: known?.sql ?? "<unknown>",
              params: known?.params ?? [],
              via: "batch",
            });
          }
          recording.roundTrips++;
          return inner.batch(statements);
        };
      }
      if (property === "exec") {
        return (sql: string) => {
          recording.statements.push({ sql, params: [], via: "run" });
          recording.roundTrips++;
          return (inner as D1Database).exec(sql);
        };
      }
      if (property === "withSession") {
        return (...args: Parameters<D1Database["withSession"]>) =>
          recordingD1((inner as D1Database).withSession(...args), recording);
      }
      const value = Reflect.get(inner, property);
      return typeof value === "function" ? value.bind(inner) : value;
    },
  });
}

/** The Worker's env with a D1 binding that records every statement it runs, with its parameters. */
export function recordingD1Env() {
  const recording: D1Recording = { statements: [], roundTrips: 0 };
  const DB = recordingD1(env.DB, recording);
  const recorded = new Proxy(env, {
    get: (target, property) => (property === "DB" ? DB : Reflect.get(target, property)),
  });
  return {
    env: recorded as Env,
    recording,
    reset() {
      recording.statements.length = 0;
      recording.roundTrips = 0;
    },
  };
}

/** Each step of `EXPLAIN QUERY PLAN` for a statement, with its own parameters, against the real D1. */
export async function queryPlan(statement: Pick<RecordedStatement, "sql" | "params">) {
  const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
    .bind(...statement.params)
    .all<{ detail: string }>();
  return plan.results.map((row) => row.detail);
}

/**
 * Plan steps that read a whole table: `SCAN <table>` with no index. `SCAN t USING [COVERING] INDEX`,
 * `SCAN CONSTANT ROW` and scans of a subquery's or CTE's own result (`SCAN (subquery-1)`, or `SCAN ranked`
 * after `CO-ROUTINE ranked` / `MATERIALIZE ranked`) are not: the tables inside those have steps of their own.
 */
export function tableScans(steps: readonly string[]) {
  const derived = new Set(
    steps.flatMap((step) => /^(?:CO-ROUTINE|MATERIALIZE) (\S+)/.exec(step)?.slice(1) ?? []),
  );
  return steps.filter((step) => {
    const match = /^SCAN (\S+)(.*)$/.exec(step);
    if (!match?.[1]) return false;
    if (/USING (COVERING )?INDEX/.test(match[2] ?? "")) return false;
    return !(match[1] === "CONSTANT" || match[1].startsWith("(subquery") || derived.has(match[1]));
  });
}
