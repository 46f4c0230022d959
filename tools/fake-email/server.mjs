// A fake of Resend's email API (POST /emails), for tests and local experiments; dev/test-only.
// Follows the public contract: Bearer key (401 missing / 403 invalid), 422 for a bad payload,
// Idempotency-Key (same key + same payload -> same id; same key + other payload -> 409).
// Faults (POST /__control/fail): a list for the next requests, whatever they are ([503, 429]), or
// {key, faults} for the requests with that Idempotency-Key only (so tests running side by side do not
// take each other's faults). A fault is a status to answer, or "drop" to close the connection unanswered.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

export async function startFakeEmail({ port = 0, host = "127.0.0.1", apiKey = "re_test_key" } = {}) {
  const sent = [];
  const idempotent = new Map();
  let failNext = [];
  const failByKey = new Map();

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString("utf8");
    const reply = (status, body) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const error = (statusCode, name, message) => reply(statusCode, { statusCode, name, message });
    const url = new URL(req.url ?? "/", "http://fake");

    if (url.pathname === "/__control/sent" && req.method === "GET") return reply(200, sent);
    if (url.pathname === "/__control/reset" && req.method === "POST") {
      sent.length = 0;
      idempotent.clear();
      failNext = [];
      failByKey.clear();
      return reply(200, { ok: true });
    }
    if (url.pathname === "/__control/fail" && req.method === "POST") {
      const faults = JSON.parse(raw || "[]");
      if (Array.isArray(faults)) failNext = faults;
      else failByKey.set(faults.key, [...faults.faults]);
      return reply(200, { ok: true });
    }
    if (url.pathname !== "/emails" || req.method !== "POST") return error(404, "not_found", "Not found");

    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer "))
      return error(401, "missing_api_key", "Missing API key in the authorization header.");
    if (auth.slice(7) !== apiKey) return error(403, "invalid_api_key", "API key is invalid");
    const keyed = failByKey.get(req.headers["idempotency-key"]);
    const status = keyed?.length ? keyed.shift() : failNext.shift();
    if (status === "drop") {
      req.socket.destroy();
      return;
    }
    if (status)
      return error(
        status,
        status === 429 ? "rate_limit_exceeded" : "application_error",
        `Injected ${status}`,
      );

    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      return error(422, "validation_error", "Invalid JSON body");
    }
    for (const field of ["from", "to", "subject"]) {
      if (!body?.[field]) return error(422, "missing_required_field", `The \`${field}\` field is missing.`);
    }
    if (!body.html && !body.text)
      return error(422, "validation_error", "Either `html` or `text` must be provided.");
    if (
      body.headers !== undefined &&
      (typeof body.headers !== "object" ||
        body.headers === null ||
        Object.values(body.headers).some((value) => typeof value !== "string"))
    )
      return error(422, "validation_error", "The `headers` field must map header names to strings.");

    const key = req.headers["idempotency-key"];
    if (typeof key === "string" && idempotent.has(key)) {
      const previous = idempotent.get(key);
      if (previous.raw !== raw) {
        return error(
          409,
          "invalid_idempotent_request",
          "Same idempotency key used with a different request payload.",
        );
      }
      return reply(200, { id: previous.id });
    }
    const id = randomUUID();
    if (typeof key === "string") idempotent.set(key, { id, raw });
    // `headers`: the request's (who called, with which key); `emailHeaders`: the message's own (the API's
    // `headers` field, e.g. List-Unsubscribe).
    sent.push({
      id,
      ...body,
      headers: { "user-agent": req.headers["user-agent"], "idempotency-key": key },
      emailHeaders: body.headers ?? {},
    });
    return reply(200, { id });
  });

  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const portFlag = process.argv.indexOf("--port");
  const site = await startFakeEmail({ port: portFlag > 0 ? Number(process.argv[portFlag + 1]) : 0 });
  console.log(`fake email API listening on ${site.url} (key re_test_key)`);
  process.on("SIGINT", () => site.close().then(() => process.exit(0)));
  process.on("SIGTERM", () => site.close().then(() => process.exit(0)));
}
