import type { TestProject } from "vitest/node";
import { startFakeEmail } from "../../../tools/fake-email/server.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the fake Resend-compatible email API (tools/fake-email), key `re_test_key`. */
    fakeEmailUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const fake = await startFakeEmail();
  project.provide("fakeEmailUrl", fake.url);
  return async () => {
    await fake.close();
  };
}
