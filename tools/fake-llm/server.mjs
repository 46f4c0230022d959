// A local stand-in for the Portkey AI Gateway (OpenAI-compatible chat completions) and for Langflow's run API,
// for development and tests. Plain node:http, no dependencies. By default it answers with valid content built
// from the facts JSON in the request, so the writer's validation and fact checks pass; `POST /__control/script`
// queues other behaviours (errors, delays, invalid content, dropped connections) for the next requests.
// Like OpenAI, a `response_format` with `json_schema.strict: true` is checked against the strict-mode subset
// and refused with a 400 when it uses a keyword outside it. `POST /__control/mode` picks the subset ("strict":
// OpenAI's documented one; "fine_tuned": also without pattern, format, number bounds, minItems, maxItems) and
// the style of default replies ("sloppy": what a real model does when nothing binds lengths).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

const KINDS = new Set(["facebook_post", "instagram_caption", "flyer_text"]);
const ERROR_TYPES = {
  400: "invalid_request_error",
  401: "authentication_error",
  404: "not_found_error",
  429: "rate_limit_error",
};

class HttpError extends Error {
  constructor(status, message, code = null) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const freshState = () => ({ queue: [], requests: [], schemaProfile: "strict", style: "tidy" });

// OpenAI's Structured Outputs guide, "Supported schemas": the keywords strict mode accepts. Anything else
// (minLength, maxLength, default, allOf, not, if/then/else, patternProperties, uniqueItems, ...) is refused.
const STRUCTURE_KEYWORDS = new Set([
  "type",
  "description",
  "title",
  "enum",
  "const",
  "anyOf",
  "$ref",
  "$defs",
  "definitions",
  "properties",
  "required",
  "additionalProperties",
  "items",
]);
const TYPE_KEYWORDS = {
  string: ["pattern", "format"],
  number: ["multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"],
  integer: ["multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"],
  array: ["minItems", "maxItems"],
};
const STRING_FORMATS = new Set([
  "date-time",
  "time",
  "date",
  "duration",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "uuid",
]);
const MAX_NESTING = 10;
const MAX_PROPERTIES = 5000;

/** Why a strict `json_schema` response format would be refused, in OpenAI's wording, or null. */
export function strictSchemaError(jsonSchema, profile = "strict") {
  const name = jsonSchema?.name;
  if (typeof name !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    return "Invalid 'response_format.json_schema.name': must be a-z, A-Z, 0-9, underscores and dashes, at most 64 characters.";
  }
  const schema = jsonSchema.schema;
  const fail = (path, message) =>
    `Invalid schema for response_format '${name}': In context=(${path.map((p) => `'${p}'`).join(", ")}), ${message}`;
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    return `Invalid schema for response_format '${name}': schema must be a JSON Schema object.`;
  }
  if (schema.anyOf) return fail([], "the root schema must not be 'anyOf'; it must be an object.");
  if (schema.type !== "object")
    return fail(
      [],
      `schema must be a JSON Schema of 'type: "object"', got 'type: "${String(schema.type)}"'.`,
    );
  let properties = 0;
  const visit = (node, path, depth) => {
    if (typeof node !== "object" || node === null || Array.isArray(node))
      return fail(path, "each schema must be an object.");
    const types = Array.isArray(node.type) ? node.type : [node.type];
    const allowed = new Set(STRUCTURE_KEYWORDS);
    if (profile !== "fine_tuned")
      for (const t of types) for (const k of TYPE_KEYWORDS[t] ?? []) allowed.add(k);
    for (const key of Object.keys(node)) {
      if (!allowed.has(key)) return fail(path, `'${key}' is not permitted.`);
    }
    if (node.format !== undefined && !STRING_FORMATS.has(node.format)) {
      return fail(path, `'format' '${node.format}' is not supported.`);
    }
    if (types.includes("object")) {
      if (depth > MAX_NESTING)
        return fail(path, `${depth} levels of nesting exceeds limit of ${MAX_NESTING}.`);
      if (node.additionalProperties !== false) {
        return fail(path, "'additionalProperties' is required to be supplied and to be false.");
      }
      const keys = Object.keys(node.properties ?? {});
      properties += keys.length;
      const required = Array.isArray(node.required) ? node.required : null;
      const missing = keys.filter((k) => !required?.includes(k));
      if (!required || missing.length) {
        return fail(
          path,
          `'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0] ?? ""}'.`,
        );
      }
      for (const key of keys) {
        const error = visit(node.properties[key], [...path, "properties", key], depth + 1);
        if (error) return error;
      }
    }
    if (node.items !== undefined) {
      const error = visit(node.items, [...path, "items"], depth);
      if (error) return error;
    }
    for (const [i, option] of (node.anyOf ?? []).entries()) {
      const error = visit(option, [...path, "anyOf", String(i)], depth);
      if (error) return error;
    }
    for (const group of ["$defs", "definitions"]) {
      for (const [key, def] of Object.entries(node[group] ?? {})) {
        const error = visit(def, [...path, group, key], depth);
        if (error) return error;
      }
    }
    return null;
  };
  const error = visit(schema, [], 1);
  if (error) return error;
  if (properties > MAX_PROPERTIES)
    return fail([], `${properties} object properties exceeds limit of ${MAX_PROPERTIES}.`);
  return null;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text) {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "body is not JSON");
  }
}

function sendJson(res, status, data, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-cache", ...headers });
  res.end(JSON.stringify(data));
}

const openAiError = (status, message, code = null, param = null) => ({
  error: {
    message,
    type: ERROR_TYPES[status] ?? (status >= 500 ? "server_error" : "invalid_request_error"),
    param,
    code,
  },
});

/** The first ```json block of the request (the writer's facts payload), or null. */
function factsFrom(text) {
  const match = /```json\s*\n([\s\S]*?)\n```/.exec(text ?? "");
  if (!match) return null;
  try {
    return JSON.parse(match[1]);
  } catch {
    return null;
  }
}

const tag = (text) =>
  String(text ?? "")
    .replace(/[^\p{L}\p{N}\s]/gu, "")
    .split(/\s+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");

/** Valid content for `kind` that uses only the facts' own display strings. */
export function defaultContent(kind, payload) {
  if (payload?.task === "optimize" && payload.draft) return { ...payload.draft };
  const listing = payload?.listing ?? {};
  const display = payload?.display ?? {};
  const agent = payload?.agent ?? {};
  const where = [listing.community, listing.city].filter(Boolean).join(", ") || "Florida";
  const features = [display.beds, display.baths, display.sqft].filter(Boolean).join(", ");
  const leads = {
    new_listing: `Just listed in ${where}!`,
    price_improvement: display.savings
      ? `Price improvement in ${where}: now ${display.price}, was ${display.previousPrice}.`
      : `New price in ${where}.`,
    new_incentive: `New builder incentive in ${where}.`,
    now_selling: `Now selling in ${where}!`,
    sold_out: `Sold in ${where}!`,
  };
  const lead = leads[payload?.postType] ?? leads.new_listing;
  const home = `${listing.addressLine ?? "This home"}${features ? `: ${features}` : ""}.`;
  const price = display.price && payload?.postType !== "sold_out" ? `Offered at ${display.price}.` : "";
  const who = [agent.name, agent.brokerageName].filter(Boolean).join(", ");
  const contact = who ? `Call ${who}${agent.phone ? ` at ${agent.phone}` : ""}.` : "Call for details.";
  const hashtags = ["NewConstruction", tag(listing.community), tag(listing.city)].filter(Boolean);
  if (kind === "facebook_post")
    return { text: [lead, home, price, contact].filter(Boolean).join("\n\n"), hashtags };
  if (kind === "instagram_caption") {
    return { caption: [lead, home, price, contact].filter(Boolean).join("\n"), hashtags, mentions: [] };
  }
  return {
    headline: lead.slice(0, 80),
    body: [home, price].filter(Boolean).join(" "),
    bullets: [display.price, display.beds, display.baths, display.sqft].filter(Boolean),
    callToAction: contact,
  };
}

const FILLER =
  "Come and see the open kitchen, the bright living areas and the covered lanai for yourself, and picture the everyday life you have been waiting for.";
const filler = (length) => {
  let text = "";
  while (text.length < length) text += ` ${FILLER}`;
  return text;
};

/**
 * What a real model writes when strict mode binds nothing but types: the facts of `defaultContent`, wrapped
 * in markup and a script, over every length and count limit, hashtags with "#" and spaces, mentions with "@"
 * and spaces, duplicates, entity-encoded tags. Every field has the right type, as strict mode guarantees.
 */
export function sloppyContent(kind, payload) {
  const tidy = defaultContent(kind, { ...payload, task: "draft" });
  const tags = (count) => [
    "#New Construction",
    "#NewConstruction",
    "# new construction",
    ...(tidy.hashtags ?? []).map((t) => `#${t}`),
    "#Dream Home",
    "#Real Estate #Florida",
    "!!!",
    ...Array.from({ length: count }, (_, i) => `#HomeIdea${i + 1}`),
  ];
  if (kind === "facebook_post") {
    return {
      text: `<p>${tidy.text}</p><script>alert("fb")</script>${filler(3200)}`,
      hashtags: tags(12),
    };
  }
  if (kind === "instagram_caption") {
    return {
      caption: `&lt;b&gt;${tidy.caption}&lt;/b&gt;<script>alert("ig")</script>\n#JustListed #NewHome${filler(2400)}`,
      hashtags: tags(34),
      mentions: ["@Holiday Builders", "@holidaybuilders", "not a handle!", "@sunshine.realty"],
    };
  }
  return {
    headline: `<h1>${tidy.headline}</h1> Your New Home Is Waiting For You Right Here, Come And See It Today`,
    body: `<div>${tidy.body}</div><style>body{display:none}</style>${filler(1400)}`,
    bullets: [
      ...tidy.bullets.map((b) => `• ${b}`),
      `Open kitchen ${filler(150).trim()}`,
      tidy.bullets[0] ?? "Covered lanai",
      "  ",
      "Covered lanai",
      "Bright living areas",
      "Walk-in closets",
      "Energy-efficient windows",
      "Quartz countertops",
      "Tile roof",
      "Paver driveway",
    ],
    callToAction: `${tidy.callToAction} &lt;a href="javascript:alert(1)"&gt;Tap here&lt;/a&gt;${filler(220)}`,
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the fake. Every instance has its own script queue and request log; `POST /__control/instances` starts
 * a sibling (closed with this one) so test files running in parallel need not share one.
 */
export async function startFakeLlm({ port = 0, host = "127.0.0.1", langflowApiKey = null } = {}) {
  let state = freshState();
  const children = [];

  async function control(req, res, path, text) {
    const method = req.method ?? "GET";
    if (method === "POST" && path === "/script") {
      const body = parseJson(text);
      const steps = Array.isArray(body) ? body : body.steps;
      if (
        !Array.isArray(steps) ||
        steps.some((s) => typeof s !== "object" || s === null || Array.isArray(s))
      ) {
        throw new HttpError(400, "script must be an array of step objects");
      }
      state.queue = steps.map((step) => ({ ...step }));
      return sendJson(res, 200, { ok: true, queued: state.queue.length });
    }
    if (method === "GET" && path === "/script") return sendJson(res, 200, state.queue);
    if (method === "POST" && path === "/mode") {
      const body = parseJson(text);
      if (body.schemaProfile !== undefined && !["strict", "fine_tuned"].includes(body.schemaProfile)) {
        throw new HttpError(400, 'schemaProfile must be "strict" or "fine_tuned"');
      }
      if (body.style !== undefined && !["tidy", "sloppy"].includes(body.style)) {
        throw new HttpError(400, 'style must be "tidy" or "sloppy"');
      }
      state.schemaProfile = body.schemaProfile ?? state.schemaProfile;
      state.style = body.style ?? state.style;
      return sendJson(res, 200, { schemaProfile: state.schemaProfile, style: state.style });
    }
    if (method === "GET" && path === "/requests") return sendJson(res, 200, state.requests);
    if (method === "POST" && path === "/reset") {
      state = freshState();
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/instances") {
      const body = parseJson(text);
      const child = await startFakeLlm({ host, langflowApiKey: body.langflowApiKey ?? null });
      children.push(child);
      return sendJson(res, 201, { url: child.url });
    }
    throw new HttpError(404, `no control route ${method} ${path}`);
  }

  /** Applies the next scripted step, if any; returns it (null: default behaviour) or "handled". */
  async function nextStep(res, errorBody) {
    const step = state.queue.shift() ?? null;
    if (!step) return null;
    if (step.delayMs) await sleep(step.delayMs);
    if (step.drop) {
      res.socket?.destroy();
      return "handled";
    }
    if (step.status && step.status >= 400) {
      const headers = {};
      if (step.retryAfter !== undefined) headers["retry-after"] = String(step.retryAfter);
      sendJson(res, step.status, step.body ?? errorBody(step), headers);
      return "handled";
    }
    if (step.body !== undefined) {
      sendJson(res, step.status ?? 200, step.body);
      return "handled";
    }
    return step;
  }

  async function chatCompletions(req, res, body) {
    if (!req.headers["x-portkey-api-key"]) {
      return sendJson(res, 401, openAiError(401, "x-portkey-api-key header is required", "invalid_api_key"));
    }
    const routing = ["x-portkey-provider", "x-portkey-config"].filter((h) => req.headers[h]);
    if (routing.length !== 1) {
      const message =
        routing.length === 0
          ? "Either x-portkey-provider or x-portkey-config header must be passed"
          : "Pass only one of x-portkey-provider and x-portkey-config";
      return sendJson(res, 400, openAiError(400, message));
    }
    if (typeof body.model !== "string" || !Array.isArray(body.messages) || body.messages.length === 0) {
      return sendJson(res, 400, openAiError(400, "model and messages are required"));
    }
    const format = body.response_format;
    if (format?.type === "json_schema" && format.json_schema?.strict === true) {
      const refused = strictSchemaError(format.json_schema, state.schemaProfile);
      if (refused) return sendJson(res, 400, openAiError(400, refused, null, "response_format"));
    }
    const step = await nextStep(res, (s) =>
      openAiError(
        s.status,
        s.message ?? `scripted ${s.status}`,
        s.code ?? (s.status === 429 ? "rate_limit_exceeded" : null),
      ),
    );
    if (step === "handled") return;
    const kind = body.response_format?.json_schema?.name;
    let content = step?.content;
    if (content === undefined) {
      const userText = body.messages.filter((m) => m.role === "user").map((m) => String(m.content));
      const payload = userText.map(factsFrom).find(Boolean);
      const write = (step?.sloppy ?? state.style === "sloppy") ? sloppyContent : defaultContent;
      content = JSON.stringify(write(KINDS.has(kind) ? kind : "facebook_post", payload));
    }
    const promptTokens = Math.ceil(JSON.stringify(body.messages).length / 4);
    const completionTokens = Math.ceil(String(content).length / 4);
    sendJson(res, 200, {
      id: `chatcmpl-${randomUUID()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: step?.model ?? body.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content, refusal: step?.refusal ?? null },
          finish_reason: step?.finishReason ?? "stop",
        },
      ],
      usage: step?.usage ?? {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  }

  async function langflowRun(req, res, flowId, body) {
    if (langflowApiKey && req.headers["x-api-key"] !== langflowApiKey) {
      return sendJson(res, 403, { detail: "An API key must be passed as query or header" });
    }
    if (typeof body.input_value !== "string")
      return sendJson(res, 422, { detail: "input_value is required" });
    const step = await nextStep(res, (s) => ({ detail: s.message ?? `scripted ${s.status}` }));
    if (step === "handled") return;
    let text = step?.content;
    if (text === undefined) {
      let payload = null;
      try {
        payload = JSON.parse(body.input_value);
      } catch {}
      const write = (step?.sloppy ?? state.style === "sloppy") ? sloppyContent : defaultContent;
      text = JSON.stringify(write(KINDS.has(payload?.kind) ? payload.kind : "flyer_text", payload));
    }
    const sessionId = randomUUID();
    const model = step?.model ?? "fake-langflow-model";
    const data = {
      text,
      sender: "Machine",
      sender_name: "AI",
      session_id: sessionId,
      flow_id: flowId,
      properties: { source: { id: "OpenAIModel-fake", display_name: "OpenAI", source: model } },
    };
    sendJson(res, 200, {
      session_id: sessionId,
      outputs: [
        {
          inputs: { input_value: body.input_value },
          outputs: [
            { results: { message: { text_key: "text", data, text, sender: "Machine" } }, artifacts: {} },
          ],
        },
      ],
    });
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    try {
      const text = await readBody(req);
      if (url.pathname.startsWith("/__control/")) {
        return await control(req, res, url.pathname.slice("/__control".length), text);
      }
      let body = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {}
      state.requests.push({
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...req.headers },
        body,
        receivedAt: Date.now(),
      });
      if (req.method === "POST" && url.pathname === "/v1/chat/completions") {
        if (body === null) return sendJson(res, 400, openAiError(400, "body is not JSON"));
        return await chatCompletions(req, res, body);
      }
      const run = /^\/api\/v1\/run\/([^/]+)$/.exec(url.pathname);
      if (req.method === "POST" && run) {
        if (body === null) return sendJson(res, 422, { detail: "body is not JSON" });
        return await langflowRun(req, res, decodeURIComponent(run[1] ?? ""), body);
      }
      return sendJson(res, 404, openAiError(404, `no route ${req.method} ${url.pathname}`));
    } catch (error) {
      if (error instanceof HttpError)
        return sendJson(res, error.status, openAiError(error.status, error.message));
      console.error(error);
      if (!res.headersSent) sendJson(res, 500, openAiError(500, String(error)));
    }
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://${host}:${boundPort}`,
    async close() {
      await Promise.all(children.splice(0).map((child) => child.close()));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--port") options.port = Number(value);
    else if (flag === "--host") options.host = value;
    else if (flag === "--langflow-api-key") options.langflowApiKey = value;
    else continue;
    i++;
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const fake = await startFakeLlm(parseArgs(process.argv.slice(2)));
  console.log(`fake LLM gateway and Langflow listening on ${fake.url} (LLM_BASE_URL=${fake.url}/v1)`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
