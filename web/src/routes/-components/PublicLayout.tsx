import type { ReactNode } from "react";
import { usePageTitle } from "../../lib/title";
import { BrandMark } from "./BrandMark";

/** The frame of the pages reached from an email without signing in: the review link and unsubscribe. */
export function PublicLayout({ title, children }: { title: string; children: ReactNode }) {
  usePageTitle(title);
  return (
    <div className="review-page">
      <header className="review-brand">
        <BrandMark />
        <span>Realtor Marketing</span>
      </header>
      <main className="review-main" id="main">
        {children}
      </main>
    </div>
  );
}
