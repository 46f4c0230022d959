import type { BuilderHome, BuilderHomePatch, BuilderSiteMode, BuilderSiteState } from "./server.mjs";

export interface BuilderSiteControl {
  url: string;
  reset(count?: number): Promise<{ ok: true; count: number }>;
  state(): Promise<BuilderSiteState>;
  homes(): Promise<BuilderHome[]>;
  home(slug: string): Promise<BuilderHome>;
  addHome(fields?: BuilderHomePatch): Promise<BuilderHome>;
  patchHome(slug: string, patch: BuilderHomePatch): Promise<BuilderHome>;
  deleteHome(slug: string): Promise<{ ok: true }>;
  setMode(
    mode: BuilderSiteMode,
    delayMs?: number,
  ): Promise<{ ok: true; mode: BuilderSiteMode; delayMs: number }>;
  setRobots(text: string): Promise<{ ok: true }>;
  newInstance(count?: number): Promise<BuilderSiteControl>;
}

export function builderSiteControl(base: string): BuilderSiteControl;
