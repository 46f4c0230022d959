import type { inferRouterOutputs } from "@trpc/server";
import {
  CONTENT_KINDS,
  type ContentKind,
  type ContentStatus,
  isActionAllowed,
  type MarketingResponse,
  OPEN_CONTENT_STATUSES,
  type PostType,
} from "db/rules";
import type { AppRouter } from "worker/router";

type Outputs = inferRouterOutputs<AppRouter>;
type OpenPieceOutput = Outputs["content"]["pendingApprovals"][number];
type PieceDetailOutput = Outputs["content"]["get"];
type OutboxEmailOutput = Outputs["dev"]["outbox"][number];

// Interfaces, not aliases, so web's declarations can name them without reaching into worker internals.
/** One piece as `content.pendingApprovals` lists it. */
export interface OpenPiece extends OpenPieceOutput {}
/** One piece with its versions, events, marketing requests and posts, as `content.get` returns it. */
export interface PieceDetail extends PieceDetailOutput {}
/** One stored email, as `dev.outbox` returns it. */
export interface OutboxEmail extends OutboxEmailOutput {}

export type {
  ContentAction,
  ContentKind,
  ContentStatus,
  MarketingResponse,
  PostType,
} from "db/rules";
export { CONTENT_KINDS, POST_TYPES } from "db/rules";
export type OpenStatus = (typeof OPEN_STATUSES)[number];
export type ComplianceFlag = OpenPiece["complianceFlags"][number];

/** The approvals list's status filter offers these. */
export const OPEN_STATUSES = OPEN_CONTENT_STATUSES;

export const KIND_LABELS: Record<ContentKind, string> = {
  facebook_post: "Facebook post",
  instagram_caption: "Instagram caption",
  flyer_text: "Flyer text",
};

export const POST_TYPE_LABELS: Record<PostType, string> = {
  new_listing: "New listing",
  price_improvement: "Price improvement",
  new_incentive: "New incentive",
  now_selling: "Now selling",
  sold_out: "Sold out",
};

export const STATUS_LABELS: Record<ContentStatus, string> = {
  generating: "Drafting…",
  pending_approval: "Waiting for approval",
  revision_requested: "Revising…",
  sent_to_marketing: "With marketing",
  approved: "Approved",
  scheduled: "Scheduled",
  posting: "Posting…",
  posted: "Posted",
  post_failed: "Posting failed",
  unconfirmed: "Check your Page",
  rejected: "Rejected",
  failed: "Failed",
  superseded: "Replaced",
};

export const RULE_LABELS: Record<ComplianceFlag["rule"], string> = {
  fair_housing: "Fair Housing Act",
  fl_61j2_10_025: "Florida rule 61J2-10.025 — brokerage name",
  fact_check: "Fact check",
};

export const RESPONSE_LABELS: Record<MarketingResponse, string> = {
  approved: "Approved",
  changes_requested: "Changes requested",
  rejected: "Rejected",
};

/** Whether the state machine lets `action` start from `status` (the worker checks the same table). */
export const isAllowed = isActionAllowed;

/** The content agent is still writing it: its text is not there yet. */
export function isDrafting(status: ContentStatus): boolean {
  return status === "generating" || status === "revision_requested";
}

export function isOpenStatus(status: ContentStatus): status is OpenStatus {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

/** Who wrote the text: "Offline writer", the model's name, "Langflow" or "Edited by you". */
export function writerLabel(piece: {
  generator: PieceDetail["generator"];
  model: string | null;
}): string | null {
  switch (piece.generator) {
    case "offline":
      return "Offline writer";
    case "langflow":
      return "Langflow";
    case "manual":
      return "Edited by you";
    case "llm":
      return piece.model ?? "AI writer";
    default:
      return null;
  }
}

/** The approvals list's filters as they sit in the URL; every key is present so nothing raw gets through. */
export type ApprovalsSearch = { kind?: ContentKind; listing?: string; status?: OpenStatus };

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((option) => option === value);
}

function idParam(value: unknown): string | undefined {
  return typeof value === "string" && /^[\w-]{1,64}$/.test(value) ? value : undefined;
}

export function parseApprovalsSearch(search: Record<string, unknown>): ApprovalsSearch {
  return {
    kind: oneOf(search.kind, CONTENT_KINDS),
    listing: idParam(search.listing),
    status: oneOf(search.status, OPEN_STATUSES),
  };
}

/** `?piece=<id>`: notifications link to a piece this way. */
export function parsePieceParam(search: Record<string, unknown>): { piece?: string } {
  return { piece: idParam(search.piece) };
}

// ——— Times typed in the agent's time zone ———

function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(epochMs);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return wall - Math.floor(epochMs / 1000) * 1000;
}

/** "2026-11-22T15:30" read as a wall-clock time in `timeZone` -> epoch ms; null when it is not one. */
export function zonedInputToEpoch(value: string, timeZone: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wall);
  if (check.getUTCDate() !== day || check.getUTCHours() !== hour) return null;
  try {
    // Twice, so a time next to a daylight-saving change uses the offset in force at that time.
    const first = wall - zoneOffsetMs(wall, timeZone);
    return wall - zoneOffsetMs(first, timeZone);
  } catch {
    // An unknown zone falls back to the browser's.
    return new Date(year, month - 1, day, hour, minute).getTime();
  }
}

/** Epoch ms -> "2026-11-22T15:30" in `timeZone`, for a datetime-local input's value or min. */
export function epochToZonedInput(epochMs: number, timeZone: string): string {
  let offset: number;
  try {
    offset = zoneOffsetMs(epochMs, timeZone);
  } catch {
    offset = -new Date(epochMs).getTimezoneOffset() * 60_000;
  }
  return new Date(epochMs + offset).toISOString().slice(0, 16);
}
