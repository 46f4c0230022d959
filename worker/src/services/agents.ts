import { agents } from "db";
import { eq } from "drizzle-orm";
import type { Db } from "../lib/db";
import { ServiceError } from "../lib/errors";
import type { ProfileInput } from "../schemas/agent";
import { agentColumns, type SessionAgent } from "./auth/sessions";

export async function updateProfile(db: Db, agentId: string, input: ProfileInput): Promise<SessionAgent> {
  const [agent] = await db
    .update(agents)
    .set({
      name: input.name,
      brokerageName: input.brokerageName,
      licenseNumber: input.licenseNumber,
      phone: input.phone,
      timezone: input.timezone,
      ...(input.marketingEmail !== undefined && { marketingEmail: input.marketingEmail || null }),
      ...(input.autoDraftNewListings !== undefined && { autoDraftNewListings: input.autoDraftNewListings }),
      ...(input.marketingReminderDays !== undefined && {
        marketingReminderDays: input.marketingReminderDays,
      }),
      updatedAt: new Date(),
    })
    .where(eq(agents.id, agentId))
    .returning(agentColumns);
  if (!agent) throw new ServiceError("NOT_FOUND", "Account not found");
  return agent;
}
