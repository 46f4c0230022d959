// The brokerage `pnpm bench:api` measures (issue 12): 100 agents, 500 listings each, 3 content pieces per
// listing, their posts spread over ten months, post readings, notifications and listing change history.
// Bench tool only: one SQL file of INSERT ... SELECT over recursive counters, so SQLite generates the
// ~450,000 rows itself in seconds (`wrangler d1 execute --file`); nothing here is in the product.
// Values are derived from the row number (no randomness), so every run measures the same data.
import { createHash, randomBytes } from "node:crypto";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const SOURCES = 20;
const COMMUNITIES = [
  "Lake Nona",
  "Storey Park",
  "Laureate Park",
  "Eagle Creek",
  "Harmony",
  "Solivita",
  "Tohoqua",
  "Everbe",
];
const PROSE =
  "Bright open plan with a gourmet kitchen, quartz counters and a walk-in pantry. The primary suite has " +
  "dual sinks and a large closet; the covered lanai looks over a pond. Community pool, trails, A-rated " +
  "schools nearby and ten minutes to the airport. Energy-efficient windows, smart thermostat, tile floors. ";

/** `n` rows numbered 0..n-1 as the CTE `n(i)`. */
const counter = (n) => `with recursive n(i) as (select 0 union all select i + 1 from n where i < ${n - 1})`;
const communityCase = (expr) =>
  `case ${expr} % ${COMMUNITIES.length} ${COMMUNITIES.map((c, i) => `when ${i} then '${c}'`).join(" ")} end`;

/** Session tokens as the Worker issues them; only their SHA-256 goes in the database. */
export function benchSessions(agents) {
  return Array.from({ length: agents }, (_, a) => {
    const token = randomBytes(20).toString("hex");
    return {
      agentId: agentId(a),
      token,
      sessionId: createHash("sha256").update(token).digest("hex"),
    };
  });
}

export const agentId = (a) => `agent-${String(a).padStart(3, "0")}`;
export const listingId = (a, k, perAgent) => `L${String(a * perAgent + k).padStart(6, "0")}`;

/**
 * The whole seed as one SQL script. `now` anchors every timestamp; sessions expire in 30 days so no
 * request refreshes (writes) one.
 */
export function seedSql({ agents, perAgent, sessions, now }) {
  const listings = agents * perAgent;
  const a = `(i / ${perAgent})`; // agent index of listing i
  const k = `(i % ${perAgent})`; // listing index within its agent
  const agentOf = `printf('agent-%03d', ${a})`;
  const lid = "printf('L%06d', i)";
  const statements = [];

  statements.push(`insert into rltr_mktg_agents (id, email, password_hash, name, brokerage_name)
    ${counter(agents)} select printf('agent-%03d', i), printf('agent%03d@bench.test', i), 'x',
    printf('Agent %03d', i), 'Bench Realty' from n`);
  statements.push(
    `insert into rltr_mktg_sessions (id, agent_id, expires_at) values ${sessions
      .map((s) => `('${s.sessionId}', '${s.agentId}', ${now + 30 * DAY})`)
      .join(", ")}`,
  );
  statements.push(`insert into rltr_mktg_listing_sources (id, adapter, base_url, name)
    ${counter(SOURCES)} select printf('src-%02d', i), 'holidaybuilders',
    printf('https://builder%02d.example', i), printf('Builder %02d', i) from n`);
  statements.push(`insert into rltr_mktg_agent_listing_sources (agent_id, source_id)
    ${counter(agents)} select printf('agent-%03d', i), printf('src-%02d', i % ${SOURCES}) from n`);
  // 48 runs per source, every 30 minutes back from now.
  statements.push(`insert into rltr_mktg_ingestion_runs (id, source_id, trigger, status, started_at,
    finished_at, pages_fetched, listings_found)
    ${counter(SOURCES * 48)} select printf('run-%02d-%02d', i / 48, i % 48), printf('src-%02d', i / 48),
    'cron', 'succeeded', ${now} - (i % 48) * 1800000 - 60000, ${now} - (i % 48) * 1800000, 12, 2500 from n`);
  statements.push(`insert into rltr_mktg_social_accounts (id, agent_id, platform, external_id,
    display_name, access_token_ciphertext, access_token_iv, key_id)
    ${counter(agents * 2)} select printf('acct-%03d-%d', i / 2, i % 2), printf('agent-%03d', i / 2),
    case i % 2 when 0 then 'facebook' else 'instagram' end, printf('ext-%d', i),
    printf('Agent %03d Homes', i / 2), 'sealed', 'iv', 'k_bench' from n`);

  // Listings: ~1 new per agent every 17 hours over the year; 5% off market, 5% sold, 10% under
  // contract; 2% "call for pricing"; 10% with a price change in the last two weeks.
  statements.push(`insert into rltr_mktg_listings (id, agent_id, origin, source_id, source_key, source_url,
    content_hash, address_line, city, zip, community, plan_name, price_cents, beds, baths_full, baths_half,
    sqft, garage, status, incentives, description, image_urls, previous_price_cents, price_changed_at,
    first_seen_at, last_seen_at, off_market_at)
    ${counter(listings)} select ${lid}, ${agentOf}, 'scraped', printf('src-%02d', ${a} % ${SOURCES}),
    printf('key-%06d', i), printf('https://builder%02d.example/homes/%06d', ${a} % ${SOURCES}, i), 'hash',
    printf('%d Palm Way', 100 + i), 'Orlando', printf('328%02d', i % 100), ${communityCase("(i * 31)")},
    printf('Plan %d', i % 12),
    case when ${k} % 50 = 7 then null else 30000000 + ((i * 104729) % 600) * 100000 end,
    2 + (i * 13) % 4, 2 + i % 2, i % 2, 1400 + (i * 37) % 2200, 2,
    case ${k} % 20 when 0 then 'off_market' when 1 then 'sold' when 2 then 'under_contract'
      when 3 then 'under_contract' else 'available' end,
    case when i % 7 = 0 then 'Closing costs paid' else '' end, '${PROSE}${PROSE}',
    json_array(printf('https://img.example/%06d/1.jpg', i), printf('https://img.example/%06d/2.jpg', i),
      printf('https://img.example/%06d/3.jpg', i)),
    case when ${k} % 10 = 3 then 31000000 + ((i * 104729) % 600) * 100000 end,
    case when ${k} % 10 = 3 then ${now} - (${k} % 14) * ${DAY} end,
    ${now} - ${k} * ${17 * HOUR} - (i * 7919) % ${HOUR}, ${now} - 600000,
    case when ${k} % 20 = 0 then ${now} - (${k} % 30) * ${DAY} end
    from n`);
  // History: each listing's "created", and a price change for one in ten; one in five of those in the
  // source's last run.
  statements.push(`insert into rltr_mktg_listing_changes (id, listing_id, agent_id, run_id, change_type,
    changes, events, dispatched_at, created_at)
    ${counter(listings)} select printf('chg-%06d-0', i), ${lid}, ${agentOf}, null, 'created', '{}',
    '["new_listing"]', ${now} - ${k} * ${17 * HOUR}, ${now} - ${k} * ${17 * HOUR} - (i * 7919) % ${HOUR}
    from n`);
  statements.push(`insert into rltr_mktg_listing_changes (id, listing_id, agent_id, run_id, change_type,
    changes, events, dispatched_at, created_at)
    ${counter(listings)} select printf('chg-%06d-1', i), ${lid}, ${agentOf},
    case when ${k} % 50 = 3 then printf('run-%02d-00', ${a} % ${SOURCES}) end, 'updated',
    json_object('priceCents', json_object('from', 31000000, 'to', 30000000)), '["price_drop"]',
    ${now} - (${k} % 14) * ${DAY}, ${now} - (${k} % 14) * ${DAY} - 1800000
    from n where ${k} % 10 = 3`);

  // Pieces: facebook, instagram, flyer text per listing. One listing in 25 waits for approval, one has
  // failed, one is being revised; the rest are posted (past) or scheduled (future); flyers approved.
  const pieceStatus = `case when kind = 'flyer_text' then 'approved' when lk % 25 = 0 then 'pending_approval'
    when lk % 25 = 1 then 'failed' when lk % 25 = 2 then 'revision_requested'
    when at < ${now} then 'posted' else 'scheduled' end`;
  // Slot of a social piece on the calendar: 1000 posts per agent over 300 days, 240 back and 60 ahead.
  statements.push(`insert into rltr_mktg_content_pieces (id, agent_id, listing_id, kind, post_type, status,
    generation_key, root_id, body, generator, model, created_at, updated_at)
    ${counter(listings * 3)}, p as (select i, i / 3 as li, (i / 3) % ${perAgent} as lk, (i / 3) / ${perAgent} as la,
      case i % 3 when 0 then 'facebook_post' when 1 then 'instagram_caption' else 'flyer_text' end as kind,
      ${now} - ${240 * DAY} + (((i / 3) % ${perAgent}) * 2 + i % 3) * ${Math.round((300 * DAY) / (perAgent * 2))} as at
      from n)
    select printf('C%06d-%d', li, i % 3), printf('agent-%03d', la), printf('L%06d', li), kind, 'new_listing',
    ${pieceStatus}, printf('gen-%06d-%d', li, i % 3), printf('C%06d-%d', li, i % 3),
    printf('Just listed: %d Palm Way. %s', 100 + li, '${PROSE}'), 'openai', 'gpt-4o-mini',
    at - ${2 * DAY}, at - ${DAY} - (i * 7919) % ${HOUR}
    from p`);
  // A post per posted or scheduled social piece; one in 50 past posts failed instead.
  statements.push(`insert into rltr_mktg_post_schedule (id, agent_id, content_id, social_account_id, platform,
    scheduled_at, status, phase, attempts, external_post_id, permalink, posted_at, last_error, failure_kind)
    select 'P' || substr(c.id, 2), c.agent_id, c.id,
    printf('acct-%s-%d', substr(c.agent_id, 7), case c.kind when 'facebook_post' then 0 else 1 end),
    case c.kind when 'facebook_post' then 'facebook' else 'instagram' end, c.updated_at + ${DAY},
    case when c.status = 'scheduled' then 'scheduled'
      when cast(substr(c.id, 2, 6) as integer) % 50 = 7 then 'failed' else 'published' end,
    case when c.status = 'scheduled' then 'new' else 'done' end,
    case when c.status = 'scheduled' then 0 else 1 end,
    case when c.status = 'posted' then 'ext-' || c.id end,
    case when c.status = 'posted' then 'https://social.example/' || c.id end,
    case when c.status = 'posted' then c.updated_at + ${DAY} + 60000 end,
    null, null
    from rltr_mktg_content_pieces c where c.status in ('posted', 'scheduled')`);
  statements.push(`update rltr_mktg_post_schedule set last_error = 'The Page token expired.',
    failure_kind = 'reconnect', posted_at = null, permalink = null, external_post_id = null
    where status = 'failed'`);
  // Readings of the last 35 days' posts: three metrics, read twice.
  statements.push(`insert into rltr_mktg_post_metrics (id, agent_id, post_id, platform, metric, value, status,
    captured_at)
    select p.id || '-' || m.metric || '-' || r.n, p.agent_id, p.id, p.platform, m.metric,
    (length(p.id) * 7 + r.n * 13 + m.w) % 400, 'ok', p.posted_at + r.n * ${DAY}
    from rltr_mktg_post_schedule p
    cross join (select 'reach' as metric, 1 as w union all select 'interactions', 2
      union all select 'views', 3) m
    cross join (select 1 as n union all select 2) r
    where p.status = 'published' and p.posted_at >= ${now - 35 * DAY} and p.posted_at + r.n * ${DAY} < ${now}`);
  // Notifications: 500 per agent, two hours apart; the newest 30 unread, one in ten history-only.
  statements.push(`insert into rltr_mktg_notifications (id, agent_id, event_type, title, body, link,
    dedupe_key, in_app, email_status, read_at, created_at)
    ${counter(agents * 500)} select printf('N%06d', i), printf('agent-%03d', i / 500),
    case i % 5 when 0 then 'listing_new' when 1 then 'listing_changed' when 2 then 'content_ready'
      when 3 then 'post_published' else 'post_failed' end,
    printf('%d Palm Way has a new price', 100 + i), 'The builder lowered the price by $10,000.',
    printf('/listings/L%06d', i), printf('bench-%06d', i), case when i % 10 = 9 then 0 else 1 end, 'none',
    case when i % 500 >= 30 then ${now} - (i % 500) * ${2 * HOUR} + ${HOUR} end,
    ${now} - (i % 500) * ${2 * HOUR}
    from n`);
  // No ANALYZE: D1 does not run it for you, and query-plans-integration.test.ts plans without it too.
  return `${statements.map((s) => `${s.replace(/\s*\n\s*/g, " ")};`).join("\n")}\n`;
}
