import { createFileRoute, redirect } from "@tanstack/react-router";

// Links sent before the token moved to the fragment: move it there before anything reads it, so the page
// posts it instead of keeping it in the address. (The first load of such a link did carry it in its path;
// static pages are served without the Worker, so our logs never saw it.)
export const Route = createFileRoute("/marketing/$token")({
  beforeLoad: ({ params }) => {
    throw redirect({ to: "/marketing", hash: params.token, replace: true });
  },
});
