// `pnpm bench:bell`: 1,000 dashboard sockets on one agent's NotificationHub on the local stack (the real
// Worker, D1, queues and Durable Objects under wrangler's unstable_startWorker; see local-stack.mjs),
// opened with the session cookie and our Origin. Each round sends two events and times, per socket, how
// long until it had the event, and counts them (none lost = 1000/1000):
// - "notification": a home typed in by hand (listings.manualUpload); the content agent drafts it (offline
//   writer), notify() writes `content_ready`, the notifications queue's consumer pushes it to the hub.
//   "trigger" includes both queues' batch waits (the notifications queue waits up to max_batch_timeout,
//   5 s, for a batch to fill): a batching choice, not the bell's speed.
// - "unread": notifications.markAllRead in one tab; the procedure pushes the new count to the hub itself.
// "hub" is timed from the start of the hub's send loop, read from its fan-out log line (start, loop ms).
// Target: p99 from the hub <= 100 ms and none lost, judged after round 1 (a cold isolate; shown too).
// BENCH_SOCKETS, BENCH_EVENTS (rounds), BENCH_CLIENT=raw|websocket change it.
//
// A run (`pnpm bench:bell`; 2 cores shared with other sessions, load average 0.5; Node 22, wrangler 4.164):
//   1000 sockets open on agent …'s hub in 4157 ms
//   Per event, ms: time to arrive from the trigger (p50/p99/max) and from the start of the
//   hub's send loop (first/p50/p99/max), the loop's own time, and how many sockets got it
//     event           trig p50     p99     max hub 1st     p50     p99     max    loop        got
//     1. notification     6208    6227    6227      29      50      69      69      12  1000/1000
//     1. unread             45      60      60      12      33      48      48       8  1000/1000
//     2. notification     6092    6121    6121      11      41      70      70       9  1000/1000
//     2. unread             47      60      60      17      30      43      43      10  1000/1000
//     3. notification     6080    6099    6099      15      37      56      57      11  1000/1000
//     3. unread             48      66      66      17      35      54      54      12  1000/1000
//     4. notification     6073    6088    6088      15      31      45      45      10  1000/1000
//     4. unread             46      65      66      16      33      52      53      11  1000/1000
//     5. notification     6084    6103    6103      11      30      50      50       7  1000/1000
//     5. unread             39      52      53      13      25      39      39       8  1000/1000
//   Target: p99 from the hub <= 100 ms, none lost: met (worst p99 70 ms after round 1, 70 ms with it; 0 lost)
// Nothing was lost in any run; the send loop takes 7-19 ms for 1,000 sockets. Runs while other test
// suites loaded the machine (load average 3-5) gave p99 from the hub 41-95 ms with single spikes of
// 120-480 ms (a cold round 1, or a busy neighbour). Node's own WebSocket as the client
// (BENCH_CLIENT=websocket) adds ~50-100 ms of client-side cost at 1,000 sockets, hence the raw client.
import { randomBytes } from "node:crypto";
import http from "node:http";
import { Browser, ORIGIN, percentile, removePersist, startLocalWorker, tempPersist } from "./local-stack.mjs";

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5);
const TARGET_P99_MS = 100;
const CONNECTS_AT_ONCE = Number(process.env.BENCH_CONNECTS_AT_ONCE ?? 50);
const EVENT_TIMEOUT_MS = 60_000;
// "raw" (default): a minimal client on a raw HTTP upgrade, so the client's own cost stays small next to
// the server's; "websocket": Node 22's WebSocket (undici), about as costly per message as the relay.
const CLIENT = process.env.BENCH_CLIENT ?? "raw";

// The hub logs each large fan-out as one JSON line on the Worker's stdout: those are kept, not printed,
// and so are the thousand "GET /api/notifications/socket 101" request lines; the rest is printed.
const fanouts = [];
const FANOUT = /\{"message":"notifications: hub fan-out"[^}]*\}/g;
const QUIET = /notifications: hub fan-out|\/api\/notifications\/socket 101/;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  const text = String(chunk);
  for (const match of text.matchAll(FANOUT)) fanouts.push(JSON.parse(match[0]));
  if (!QUIET.test(text)) return write(chunk, ...rest);
  const kept = text.split("\n").filter((line) => !QUIET.test(line));
  if (kept.join("").trim()) write(kept.join("\n"));
  rest.find((arg) => typeof arg === "function")?.();
  return true;
};

/** One socket with the browser's session cookie and our Origin (Node 22's WebSocket takes headers). */
function openWebSocket(url, cookie, onMessage) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { Cookie: cookie, Origin: ORIGIN } });
    let greeted = false;
    socket.onmessage = (event) => {
      const at = performance.now();
      const epoch = Date.now();
      const message = JSON.parse(String(event.data));
      if (!greeted && message.type === "unread") {
        greeted = true;
        resolve(socket);
        return;
      }
      onMessage(message, at, epoch);
    };
    socket.onerror = () => reject(new Error("socket failed to open"));
    socket.onclose = (event) => {
      if (!greeted) reject(new Error(`socket closed before the greeting (${event.code})`));
    };
  });
}

/**
 * The same over a raw HTTP upgrade: reads the server's frames (unmasked; text, close) and resolves, after
 * the hub's greeting, with `{ close() }` that sends a masked close frame.
 */
function openRawSocket(url, cookie, onMessage) {
  return new Promise((resolve, reject) => {
    const request = http.request(url.replace(/^ws/, "http"), {
      agent: false,
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
        Cookie: cookie,
        Origin: ORIGIN,
      },
    });
    request.on("response", (response) => {
      response.resume();
      reject(new Error(`upgrade refused: ${response.statusCode}`));
    });
    request.on("error", reject);
    request.on("upgrade", (_response, socket, head) => {
      socket.setNoDelay(true);
      let buffer = Buffer.alloc(0);
      let greeted = false;
      const close = () => {
        const mask = randomBytes(4);
        const payload = Buffer.from([0x03, 0xe8]).map((byte, i) => byte ^ mask[i]);
        socket.end(Buffer.concat([Buffer.from([0x88, 0x82]), mask, payload]));
      };
      const read = (chunk) => {
        const at = performance.now();
        const epoch = Date.now();
        buffer = buffer.length > 0 ? Buffer.concat([buffer, chunk]) : chunk;
        while (buffer.length >= 2) {
          const opcode = buffer[0] & 0x0f;
          let length = buffer[1] & 0x7f;
          let offset = 2;
          if (length === 126) {
            if (buffer.length < 4) return;
            length = buffer.readUInt16BE(2);
            offset = 4;
          } else if (length === 127) {
            if (buffer.length < 10) return;
            length = Number(buffer.readBigUInt64BE(2));
            offset = 10;
          }
          if (buffer.length < offset + length) return;
          const payload = buffer.subarray(offset, offset + length);
          buffer = buffer.subarray(offset + length);
          if (opcode === 0x8) socket.end();
          if (opcode !== 0x1) continue;
          const message = JSON.parse(payload.toString("utf8"));
          if (!greeted && message.type === "unread") {
            greeted = true;
            resolve({ close });
          } else onMessage(message, at, epoch);
        }
      };
      socket.on("data", read);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        if (!greeted) reject(new Error("socket closed before the greeting"));
      });
      if (head.length > 0) read(head);
    });
    request.end();
  });
}
const openSocket = CLIENT === "websocket" ? openWebSocket : openRawSocket;

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { first: Number.NaN, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  return { first: sorted[0], p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) };
};
/** A column of milliseconds, 8 wide. */
const ms = (value) => (Number.isFinite(value) ? value.toFixed(0) : "-").padStart(8);

const persist = tempPersist("bell");
let worker;
const sockets = [];
try {
  // No gateway key: the content agent's offline writer drafts, so a manual upload notifies in seconds.
  worker = await startLocalWorker(persist, { PORTKEY_API_KEY: "", LANGFLOW_URL: "" }, { logLevel: "log" });
  const browser = new Browser(worker);
  const { agentId } = await browser.mutate("auth.register", {
    email: `bench-bell-${Date.now()}@example.com`,
    password: "a-long-enough-passphrase",
    name: "Chris Bench",
  });
  const url = new URL("/api/notifications/socket", await worker.url);
  url.protocol = "ws:";

  // The event being timed: its type, when it was triggered and, per socket, when it arrived.
  let current = null;
  const onMessage = (index) => (message, at, epoch) => {
    if (!current || message.type !== current.type || current.got[index] !== undefined) return;
    current.got[index] = { at, epoch };
    if (++current.count === SOCKETS) current.done();
  };
  const openStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTS_AT_ONCE }, async () => {
      while (next < SOCKETS) {
        const index = next++;
        sockets[index] = await openSocket(url.href, browser.cookieHeader(), onMessage(index));
      }
    }),
  );
  console.log(
    `${SOCKETS} sockets open on agent ${agentId}'s hub in ${Math.round(performance.now() - openStarted)} ms`,
  );

  /** Triggers one event and waits until every socket has it (or the timeout); returns what it saw. */
  async function timeEvent(type, trigger) {
    const fanoutsBefore = fanouts.length;
    const event = { type, got: new Array(SOCKETS), count: 0 };
    let timer;
    const all = new Promise((resolve) => {
      event.done = resolve;
      timer = setTimeout(resolve, EVENT_TIMEOUT_MS);
    });
    current = event;
    event.triggeredAt = performance.now();
    await trigger();
    await all;
    clearTimeout(timer);
    // The fan-out log line may trail the last message a little.
    for (let i = 0; i < 20 && fanouts.length === fanoutsBefore; i++)
      await new Promise((r) => setTimeout(r, 50));
    current = null;
    const got = event.got.filter(Boolean);
    const firstEpoch = Math.min(...got.map((g) => g.epoch));
    // The fan-out that sent this event: the last one to start no later than the first socket had it.
    const fanout = fanouts
      .slice(fanoutsBefore)
      .filter((f) => f.startedAt <= firstEpoch)
      .at(-1);
    return {
      type,
      received: got.length,
      trigger: stats(got.map((g) => g.at - event.triggeredAt)),
      hub: fanout ? stats(got.map((g) => g.epoch - fanout.startedAt)) : null,
      loopMs: fanout?.ms ?? Number.NaN,
    };
  }

  const results = [];
  for (let round = 1; round <= EVENTS; round++) {
    results.push(
      await timeEvent("notification", () =>
        browser.mutate("listings.manualUpload", {
          addressLine: `${100 + round} Palm Way`,
          city: "Orlando",
          zip: "32801",
          community: "Bench Lakes",
          planName: "The Bench",
          priceCents: 45_000_000 + round * 100_000,
          beds: 4,
          baths: 2.5,
          sqft: 2_200,
          garage: 2,
          moveInDate: null,
          description: `A bench home, number ${round}.`,
        }),
      ),
    );
    // Whatever else the upload notifies lands before the next timing starts.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    results.push(await timeEvent("unread", () => browser.mutate("notifications.markAllRead")));
  }

  console.log(`\nPer event, ms: time to arrive from the trigger (p50/p99/max) and from the start of the`);
  console.log(`hub's send loop (first/p50/p99/max), the loop's own time, and how many sockets got it`);
  const head = ["trig p50", "p99", "max", "hub 1st", "p50", "p99", "max", "loop"];
  console.log(`  ${"event".padEnd(16)}${head.map((h) => h.padStart(8)).join("")}${"got".padStart(11)}`);
  results.forEach((r, i) => {
    const round = Math.floor(i / 2) + 1;
    const { trigger: t, hub: h } = r;
    const columns = [t.p50, t.p99, t.max, h?.first, h?.p50, h?.p99, h?.max, r.loopMs].map(ms).join("");
    console.log(`  ${`${round}. ${r.type}`.padEnd(16)}${columns}${`${r.received}/${SOCKETS}`.padStart(11)}`);
  });
  const lost = results.reduce((n, r) => n + (SOCKETS - r.received), 0);
  const worst = (rs) => Math.max(...rs.map((r) => r.hub?.p99 ?? Number.POSITIVE_INFINITY));
  // Round 1 runs every code path for the first time (a cold isolate); it is shown, and judged apart.
  const warm = results.length > 2 ? results.slice(2) : results;
  const met = lost === 0 && worst(warm) <= TARGET_P99_MS;
  const worstText = `worst p99 ${ms(worst(warm)).trim()} ms after round 1, ${ms(worst(results)).trim()} ms with it`;
  console.log(
    `\nTarget: p99 from the hub <= ${TARGET_P99_MS} ms, none lost: ${met ? "met" : "MISSED"} (${worstText}; ${lost} lost)`,
  );
  process.exitCode = met ? 0 : 1;
} finally {
  for (const socket of sockets) socket?.close(1000, "bench done");
  await worker?.dispose().catch(() => undefined);
  removePersist(persist);
}
