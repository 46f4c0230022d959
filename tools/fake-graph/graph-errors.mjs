// Graph's error objects, in Meta's shape and wording (developers.facebook.com/docs/graph-api/guides/
// error-handling, the Instagram Platform error-code table, and messages Graph is seen to send).
import { randomBytes } from "node:crypto";

export class GraphFault extends Error {
  /** `extra` may carry error_subcode, is_transient, error_user_title, error_user_msg, headers, type. */
  constructor(status, code, message, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }

  body() {
    const { headers: _headers, type, ...rest } = this.extra;
    return {
      error: {
        message: this.message,
        type: type ?? "OAuthException",
        code: this.code,
        ...rest,
        fbtrace_id: fbtraceId(),
      },
    };
  }
}

export const fbtraceId = () => randomBytes(8).toString("base64url").slice(0, 11);

const objectMissing = (method, id) =>
  new GraphFault(
    400,
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    { type: "GraphMethodException", error_subcode: 33 },
  );

export const errors = {
  objectMissing,
  unknownPath: (rest) => new GraphFault(400, 2500, `Unknown path components: /${rest}`),
  tokenRequired: () => new GraphFault(400, 104, "An access token is required to request this resource."),
  tokenUnparsable: () => new GraphFault(400, 190, "Invalid OAuth access token - Cannot parse access token"),
  tokenExpired: (expiredAt, now) =>
    new GraphFault(
      400,
      190,
      `Error validating access token: Session has expired on ${graphDay(expiredAt)}. The current time is ${graphDay(now)}.`,
      { error_subcode: 463 },
    ),
  tokenInvalidated: (subcode) =>
    new GraphFault(400, 190, INVALIDATED[subcode] ?? INVALIDATED[460], { error_subcode: subcode }),
  proofInvalid: () =>
    new GraphFault(400, 100, "Invalid appsecret_proof provided in the API argument", {
      type: "GraphMethodException",
    }),
  proofMissing: () =>
    new GraphFault(400, 100, "API calls from the server require an appsecret_proof argument", {
      type: "GraphMethodException",
    }),
  nonexistingField: (field, nodeType) =>
    new GraphFault(
      400,
      100,
      `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
    ),
  param: (message, extra = {}) => new GraphFault(400, 100, `(#100) ${message}`, extra),
  /** Posting to a Page with anything but a Page token that has both Page permissions. */
  pagePublishPermission: () =>
    new GraphFault(
      403,
      200,
      "(#200) If posting to a group, requires app being installed in the group, and \\ either publish_to_groups permission with user token, or both pages_read_engagement \\ and pages_manage_posts permission with page token; If posting to a page, \\ requires both pages_read_engagement and pages_manage_posts as an admin with \\ sufficient administrative permission",
    ),
  pageTokenRequired: () =>
    new GraphFault(403, 210, "(#210) A page access token is required to request this resource."),
  permission: (code = 10) =>
    new GraphFault(
      403,
      code,
      code === 10
        ? "(#10) Application does not have permission for this action"
        : `(#${code}) The user hasn't authorized the application to perform this action`,
    ),
  transient: () =>
    new GraphFault(500, 2, "An unexpected error has occurred. Please retry your request later.", {
      is_transient: true,
    }),
  rateLimited: (code) =>
    new GraphFault(400, code, RATE_LIMIT_MESSAGES[code] ?? RATE_LIMIT_MESSAGES[4], { is_transient: true }),
  blocked: () =>
    new GraphFault(
      400,
      368,
      "It looks like you were misusing this feature by going too fast. You’ve been temporarily blocked from using it.",
      {
        is_transient: false,
        error_user_title: "You're Temporarily Blocked",
        error_user_msg:
          "It looks like you were misusing this feature by going too fast. You’ve been temporarily blocked from using it.",
      },
    ),
  // Pages: an image Graph could not fetch or read.
  imageUnfetchable: () => new GraphFault(400, 324, "(#324) Missing or invalid image file"),
  // Instagram content publishing (Instagram Platform error-code table).
  igMediaUnfetchable: () =>
    new GraphFault(400, 9004, "Media download has failed. The media URI doesn't meet our requirements.", {
      error_subcode: 2207052,
      is_transient: false,
      error_user_title: "Media download has failed",
      error_user_msg:
        "The media could not be fetched from this URI. Check that it is publicly reachable and is a JPEG image.",
    }),
  igNotReady: () =>
    new GraphFault(400, 9007, "Media ID is not available", {
      error_subcode: 2207027,
      is_transient: false,
      error_user_title: "Cannot publish",
      error_user_msg: "The media is not ready to be published. Please wait a moment.",
    }),
  igExpired: () =>
    new GraphFault(400, -2, "The media you are trying to access has expired. Please try to upload again.", {
      error_subcode: 2207020,
      is_transient: false,
      error_user_title: "Media expired",
      error_user_msg: "The media you are trying to access has expired. Please try to upload again.",
    }),
  igQuota: () =>
    new GraphFault(400, 9, "Application request limit reached", {
      error_subcode: 2207042,
      is_transient: false,
      error_user_title: "Cannot publish",
      error_user_msg:
        "You reached maximum number of posts that is allowed to be published by Content Publishing API.",
    }),
  igAlreadyPublished: () =>
    new GraphFault(400, 100, "(#100) The media container has already been published.", {
      is_transient: false,
      error_user_title: "Media already published",
      error_user_msg: "This media has already been published. Create a new container to publish again.",
    }),
  igCaption: (title, msg) =>
    new GraphFault(400, 100, "(#100) Invalid parameter", {
      is_transient: false,
      error_user_title: title,
      error_user_msg: msg,
    }),
};

const INVALIDATED = {
  458: "Error validating access token: The user has not authorized application.",
  459: "Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.",
  460: "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
  464: "Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.",
  467: "Error validating access token: The session is invalid because the user logged out.",
  492: "Error validating access token: The session is invalid because the user's role on the Page has changed.",
};

const RATE_LIMIT_MESSAGES = {
  4: "(#4) Application request limit reached",
  17: "(#17) User request limit reached",
  32: "(#32) Page request limit reached",
  613: "(#613) Calls to this api have exceeded the rate limit.",
  80001:
    "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
};

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Tuesday, 01-Dec-26 11:36:41 UTC": the style of Graph's expired-session message. */
function graphDay(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}

/** Graph's timestamp format: 2026-12-01T11:36:41+0000. */
export function graphTime(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+0000");
}

/**
 * Parses Graph's `fields` syntax, nested edges included: `id,name,instagram_business_account{id,username}`.
 * Modifiers such as `.limit(5)` are dropped.
 */
export function parseFields(text) {
  let i = 0;
  const list = () => {
    const out = [];
    while (i < text.length) {
      let name = "";
      while (i < text.length && !",{}".includes(text[i] ?? "")) name += text[i++];
      name = name.trim().replace(/\..*$/, "");
      let children = null;
      if (text[i] === "{") {
        i++;
        children = list();
        if (text[i] !== "}") throw errors.param("Syntax error: expected '}' in the fields parameter");
        i++;
      }
      if (name) out.push({ name, children });
      else if (children) throw errors.param("Syntax error in the fields parameter");
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") break;
    }
    return out;
  };
  const fields = list();
  if (i < text.length) throw errors.param("Syntax error: unexpected '}' in the fields parameter");
  return fields;
}
