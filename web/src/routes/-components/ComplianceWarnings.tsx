import { Link } from "@tanstack/react-router";
import { useId } from "react";
import { type ComplianceFlag, RULE_LABELS } from "../../lib/content";
import { formatDateTime } from "../../lib/format";

/** The advisory compliance checks on the draft's text; approving asks Chris to confirm he reviewed them. */
export function ComplianceWarnings({
  flags,
  acknowledgedAt,
  timeZone,
  brokerageName,
}: {
  flags: ComplianceFlag[];
  brokerageName: string;
  acknowledgedAt: number | null;
  timeZone: string;
}) {
  const titleId = useId();
  if (flags.length === 0) return null;
  return (
    <section className="compliance" role="alert" aria-labelledby={titleId}>
      <h2 className="compliance-title" id={titleId}>
        <span aria-hidden="true">⚠</span> {flags.length} compliance{" "}
        {flags.length === 1 ? "warning" : "warnings"}
      </h2>
      <ul className="compliance-list">
        {flags.map((flag, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the flags of one version never reorder
          <li key={i}>
            <p className="compliance-rule">{RULE_LABELS[flag.rule] ?? flag.rule}</p>
            <p>{flag.message}</p>
            {flag.rule === "fl_61j2_10_025" && !brokerageName && (
              <p>
                <Link to="/settings">Add your brokerage name in Settings</Link>, then edit the text or ask for
                a revision.
              </p>
            )}
            {flag.excerpt && (
              <p className="compliance-excerpt">
                In the text: <q>{flag.excerpt}</q>
              </p>
            )}
          </li>
        ))}
      </ul>
      <p className="compliance-note">
        {acknowledgedAt === null
          ? "Fix the text, or confirm you have reviewed these warnings when you approve."
          : `You reviewed these warnings on ${formatDateTime(acknowledgedAt, timeZone)}.`}
      </p>
    </section>
  );
}
