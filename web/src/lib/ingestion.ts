// Apart from components/RunIngestion so the runs page's loader, which is in the entry, does not pull the
// button and its hooks in with it.

/** How often a running ingestion run is polled for its progress; polling stops when it ends. */
export const PROGRESS_POLL_MS = 1_000;
