import type { ReactNode } from "react";
import { usePageTitle } from "../../lib/title";
import { BrandMark } from "./BrandMark";

export function AuthLayout({
  title,
  subtitle,
  children,
  footer,
}: {
  title: string;
  subtitle: string;
  children: ReactNode;
  footer: ReactNode;
}) {
  usePageTitle(title);
  return (
    <main className="auth-page">
      <div className="auth-brand">
        <BrandMark />
        <span>Realtor Marketing</span>
      </div>
      <div className="auth-card">
        <h1 className="auth-title">{title}</h1>
        <p className="auth-subtitle">{subtitle}</p>
        {children}
      </div>
      <p className="auth-footer">{footer}</p>
    </main>
  );
}
