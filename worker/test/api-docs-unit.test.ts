import { describe, expect, it } from "vitest";
import { API_ERRORS } from "../src/trpc/api-errors";
import { protectedProcedure, publicProcedure, router } from "../src/trpc/init";
import { appRouter } from "../src/trpc/router";
import { describeRouter, renderApiDocs } from "./helpers/api-docs";

// Every signed-in procedure is built on protectedProcedure, so it carries that builder's last middleware.
const signedIn = (protectedProcedure._def as { middlewares: unknown[] }).middlewares.at(-1);

/** The first line where the file and the generated text part, from the snapshot error's actual/expected. */
function firstDifference(error: unknown): string {
  const { actual, expected } = (error ?? {}) as { actual?: unknown; expected?: unknown };
  if (typeof actual !== "string" || typeof expected !== "string") return "";
  const generated = actual.split("\n");
  const file = expected.split("\n");
  const line = generated.findIndex((text, i) => text !== file[i]);
  const at = line === -1 ? generated.length : line;
  return `\nFirst difference at line ${at + 1}:\n  file:      ${file[at] ?? "(end)"}\n  generated: ${generated[at] ?? "(end)"}`;
}

describe("docs/api.md", () => {
  it("knows every procedure's type, access and input from the router", () => {
    const docs = describeRouter(appRouter, API_ERRORS, signedIn);
    const byPath = new Map(docs.map((doc) => [doc.path, doc]));
    expect(byPath.get("auth.login")).toMatchObject({ type: "mutation", signedIn: false });
    expect(byPath.get("auth.me")).toMatchObject({ type: "query", signedIn: true, input: null });
    expect(byPath.get("content.action")?.signedIn).toBe(true);
    expect(byPath.get("marketing.respond")?.signedIn).toBe(false);
    expect(byPath.get("listings.get")?.input).toMatchObject({
      type: "object",
      properties: { id: { type: "string", minLength: 1, maxLength: 64 } },
      required: ["id"],
    });
  });

  it("refuses a procedure without an errors entry and an entry without a procedure", () => {
    const small = router({
      ping: publicProcedure.query(() => "pong"),
      auth: router({ me: protectedProcedure.query(() => null) }),
    });
    expect(() =>
      describeRouter(
        small,
        { "auth.me": { summary: "", errors: [] }, pong: { summary: "", errors: [] } },
        signedIn,
      ),
    ).toThrow(/ping: no entry[\s\S]*pong: no such procedure/);
    const docs = describeRouter(
      small,
      { ping: { summary: "Pong.", errors: [] }, "auth.me": { summary: "Me.", errors: [] } },
      signedIn,
    );
    expect(docs.map((doc) => [doc.path, doc.signedIn])).toEqual([
      ["auth.me", true],
      ["ping", false],
    ]);
  });

  it("is up to date with the router (run `pnpm docs:api` after changing a procedure)", async () => {
    const markdown = renderApiDocs(describeRouter(appRouter, API_ERRORS, signedIn));
    try {
      await expect(markdown).toMatchFileSnapshot("../../docs/api.md");
    } catch (error) {
      throw new Error(
        `docs/api.md is out of date: run \`pnpm docs:api\` and commit the result.${firstDifference(error)}`,
      );
    }
  });
});
