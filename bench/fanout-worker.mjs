// The app's Worker for bench/fanout.mjs, with every invocation measured: D1 statements (each statement of a
// batch counts), D1 calls, rows written (D1's meta.rows_written; listing rows apart), outbound fetches and
// queue sends. The content and notification queues are counted but not delivered, so the bench measures
// the listing agent and not 200,000 drafts. /api/__bench/* answers the driver; everything else is the app.
import { AsyncLocalStorage } from "node:async_hooks";
import app from "../worker/src/index";
import { runScheduled } from "../worker/src/scheduled";

export * from "../worker/src/index";

const invocations = [];
const current = new AsyncLocalStorage();
const realFetch = globalThis.fetch;
globalThis.fetch = function countedFetch(...args) {
  const stats = current.getStore();
  if (stats) stats.fetches++;
  return realFetch.apply(this, args);
};

const LISTING_WRITE = /^\s*(insert into|update|delete from)\s+"rltr_mktg_listings"/i;

function addMeta(stats, sql, meta) {
  const written = meta?.rows_written ?? 0;
  stats.rowsWritten += written;
  if (LISTING_WRITE.test(sql)) stats.listingRowsWritten += written;
}

/** D1 with counted statements; statements stay the binding's own objects so batch() accepts them. */
function countingD1(db, stats) {
  const sqlOf = new WeakMap();
  const watch = (statement, sql) => {
    sqlOf.set(statement, sql);
    const bind = statement.bind.bind(statement);
    Object.defineProperty(statement, "bind", { value: (...values) => watch(bind(...values), sql) });
    for (const name of ["all", "run", "first", "raw"]) {
      const run = statement[name].bind(statement);
      Object.defineProperty(statement, name, {
        value: async (...args) => {
          stats.d1Calls++;
          stats.statements++;
          const result = await run(...args);
          if (name === "all" || name === "run") addMeta(stats, sql, result.meta);
          return result;
        },
      });
    }
    return statement;
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") return (sql) => watch(target.prepare(sql), sql);
      if (property === "batch") {
        return async (statements) => {
          stats.d1Calls++;
          stats.statements += statements.length;
          const results = await target.batch(statements);
          for (const [i, result] of results.entries()) {
            addMeta(stats, sqlOf.get(statements[i]) ?? "", result.meta);
          }
          return results;
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function countingQueue(queue, stats, deliver) {
  return {
    async send(body, options) {
      stats.queueSends++;
      stats.messages++;
      if (deliver) return queue.send(body, options);
    },
    async sendBatch(messages, options) {
      stats.queueSends++;
      stats.messages += messages.length;
      if (deliver) return queue.sendBatch(messages, options);
    },
  };
}

async function measured(meta, env, work) {
  const stats = {
    ...meta,
    startedAt: Date.now(),
    wallMs: 0,
    statements: 0,
    d1Calls: 0,
    rowsWritten: 0,
    listingRowsWritten: 0,
    fetches: 0,
    queueSends: 0,
    messages: 0,
    error: null,
  };
  const DB = countingD1(env.DB, stats);
  const queues = {
    INGESTION_QUEUE: countingQueue(env.INGESTION_QUEUE, stats, true),
    CONTENT_QUEUE: countingQueue(env.CONTENT_QUEUE, stats, false),
    NOTIFICATION_QUEUE: countingQueue(env.NOTIFICATION_QUEUE, stats, false),
  };
  const wrapped = new Proxy(env, {
    get: (target, property) => (property === "DB" ? DB : (queues[property] ?? Reflect.get(target, property))),
  });
  try {
    return await current.run(stats, () => work(wrapped));
  } catch (error) {
    stats.error = String(error);
    throw error;
  } finally {
    stats.wallMs = Date.now() - stats.startedAt;
    invocations.push(stats);
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/api/__bench/stats") return Response.json(invocations);
    if (url.pathname === "/api/__bench/reset") {
      invocations.length = 0;
      return Response.json({ ok: true });
    }
    if (url.pathname === "/api/__bench/tick") {
      // The 30-minute cron's own handler, as the scheduler would call it.
      const controller = { cron: "*/30 * * * *", scheduledTime: Date.now(), noRetry() {} };
      await measured({ kind: "cron" }, env, (wrapped) => runScheduled(controller, wrapped));
      return Response.json(invocations.at(-1));
    }
    if (url.pathname === "/api/__bench/runs") {
      const since = Number(url.searchParams.get("since") ?? 0);
      const { results } = await env.DB.prepare(
        `select id, source_id as sourceId, status, started_at as startedAt, finished_at as finishedAt,
          listings_found as found, listings_new as new, listings_changed as changed,
          listings_removed as removed, failure_reason as failureReason
         from rltr_mktg_ingestion_runs where started_at >= ?`,
      )
        .bind(since)
        .all();
      return Response.json(results);
    }
    if (url.pathname === "/api/__bench/counts") {
      const row = await env.DB.prepare(
        `select (select count(*) from rltr_mktg_listings) as listings,
          (select count(*) from rltr_mktg_listing_changes) as changes,
          (select count(*) from rltr_mktg_notifications) as notifications,
          (select count(*) from rltr_mktg_ingestion_scrape_parts) as keptParts,
          (select count(*) from rltr_mktg_ingestion_apply_groups) as keptGroups`,
      ).first();
      return Response.json(row);
    }
    return app.fetch(request, env, ctx);
  },
  scheduled(controller, env) {
    return measured({ kind: "cron" }, env, (wrapped) => runScheduled(controller, wrapped));
  },
  queue(batch, env, ctx) {
    const body = batch.messages[0]?.body ?? {};
    const kind = batch.queue === "rltr-mktg-ingestion" ? body.type : batch.queue;
    return measured(
      { kind, runId: body.runId, sourceId: body.sourceId, group: body.group, size: batch.messages.length },
      env,
      (wrapped) => app.queue(batch, wrapped, ctx),
    );
  },
};
