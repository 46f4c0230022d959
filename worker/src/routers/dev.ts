import { emailOutbox } from "db";
import { desc, eq } from "drizzle-orm";
import * as z from "zod/mini";
import { seedListings } from "../services/dev-seed";
import { carriesReviewLink, reissueReviewLink } from "../services/marketing";
import { devProcedure, router } from "../trpc/init";

/** Loopback hosts: only a local fake of the Graph API has a "what was published" page worth linking. */
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export const devRouter = router({
  /** What the development tools can link to: the Graph fake's page of published posts, when local. */
  tools: devProcedure.query(({ ctx }) => {
    let graphFakeUrl: string | null = null;
    try {
      const url = new URL(ctx.env.GRAPH_API_URL);
      if (LOCAL_HOSTS.has(url.hostname)) graphFakeUrl = `${url.origin}/`;
    } catch {}
    return { graphFakeUrl };
  }),
  /** The local email outbox: what would have been sent on this agent's behalf (secrets redacted). */
  outbox: devProcedure.query(async ({ ctx }) => {
    const rows = await ctx.db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.agentId, ctx.agent.id))
      .orderBy(desc(emailOutbox.createdAt))
      .limit(50);
    return rows.map(({ idempotencyKey, ...row }) => ({
      ...row,
      createdAt: row.createdAt.getTime(),
      // The stored copy has no working link: the page asks reviewLink for a fresh one.
      hasReviewLink: row.status === "stored" && carriesReviewLink(idempotencyKey),
    }));
  }),
  /** A working review link for a marketing email that stayed in the local outbox (replaces its token). */
  reviewLink: devProcedure
    .input(z.object({ emailId: z.string().check(z.minLength(1), z.maxLength(64)) }))
    .mutation(({ ctx, input }) => reissueReviewLink(ctx.db, ctx.agent.id, input.emailId)),
  /** A large book for trying the app at scale: `count` listings, each with three drafts awaiting approval. */
  seedListings: devProcedure
    .input(z.object({ count: z.int().check(z.minimum(1), z.maximum(1000)) }))
    .mutation(({ ctx, input }) => seedListings(ctx.db, ctx.agent.id, input.count)),
});
