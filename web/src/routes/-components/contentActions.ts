import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterInputs } from "@trpc/server";
import type { AppRouter } from "worker/router";
import { type ContentKind, type ContentStatus, isOpenStatus, type OpenPiece } from "../../lib/content";
import { trpc } from "../../trpc";

type Inputs = inferRouterInputs<AppRouter>["content"];
export type ActionInput = Inputs["action"];

/** Where an action takes a piece, shown before the server answers. */
function expectedStatus(input: ActionInput, kind: ContentKind): ContentStatus {
  switch (input.action) {
    case "approve_and_post":
      return kind !== "flyer_text" &&
        input.scheduledAt !== undefined &&
        input.scheduledAt > Date.now() + 60_000
        ? "scheduled"
        : "approved";
    case "reject_discard":
      return "rejected";
    case "request_revisions":
      return "revision_requested";
    case "send_to_marketing":
      return "sent_to_marketing";
    case "record_marketing_response":
      return "pending_approval";
    case "retry":
      return "superseded";
  }
}

/**
 * `content.action` with an optimistic status: the piece and every list it is in change at once, and go back
 * to what they were if the server refuses (the caller shows its message).
 */
export function useContentAction(kind: ContentKind) {
  const queryClient = useQueryClient();
  return useMutation(
    trpc.content.action.mutationOptions({
      onMutate: async (input) => {
        const detailKey = trpc.content.get.queryKey({ id: input.id });
        const lists = trpc.content.pendingApprovals.queryFilter();
        await Promise.all([
          queryClient.cancelQueries({ queryKey: detailKey }),
          queryClient.cancelQueries(lists),
        ]);
        const before = {
          detail: queryClient.getQueryData(detailKey),
          lists: queryClient.getQueriesData(lists),
        };
        const status = expectedStatus(input, kind);
        queryClient.setQueryData(
          detailKey,
          (piece) =>
            piece && {
              ...piece,
              status,
              versions: piece.versions.map((version) =>
                version.id === input.id ? { ...version, status } : version,
              ),
            },
        );
        queryClient.setQueriesData<OpenPiece[]>(lists, (pieces) =>
          pieces?.flatMap((piece) => {
            if (piece.id !== input.id) return [piece];
            return isOpenStatus(status) ? [{ ...piece, status }] : [];
          }),
        );
        return before;
      },
      onError: (_error, input, before) => {
        if (!before) return;
        queryClient.setQueryData(trpc.content.get.queryKey({ id: input.id }), before.detail);
        for (const [key, data] of before.lists) queryClient.setQueryData(key, data);
      },
      onSettled: () => invalidateContent(queryClient),
    }),
  );
}

/** After a write: every content list and the dashboard's figures are read again. */
export async function invalidateContent(queryClient: ReturnType<typeof useQueryClient>) {
  // A first read still in flight began before the write; invalidating would join it and keep its old answer.
  await queryClient.cancelQueries(trpc.content.pathFilter());
  await Promise.all([
    queryClient.invalidateQueries(trpc.content.pathFilter()),
    queryClient.invalidateQueries(trpc.dashboard.pathFilter()),
  ]);
}
