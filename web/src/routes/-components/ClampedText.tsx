import { useId, useState } from "react";

function cutAtWord(text: string, limit: number): string {
  const cut = text.slice(0, limit);
  const space = cut.lastIndexOf(" ");
  return `${(space > limit * 0.8 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Long untrusted text (descriptions reach 20,000 characters), shown as plain text behind "Show more". */
export function ClampedText({ text, limit = 600 }: { text: string; limit?: number }) {
  const id = useId();
  const [expanded, setExpanded] = useState(false);
  const long = text.length > limit * 1.2;
  return (
    <>
      <p className="clamped-text" id={id}>
        {long && !expanded ? cutAtWord(text, limit) : text}
      </p>
      {long && (
        <button
          className="link-button"
          type="button"
          aria-expanded={expanded}
          aria-controls={id}
          onClick={() => setExpanded((value) => !value)}
        >
          {expanded ? "Show less" : "Show more"}
        </button>
      )}
    </>
  );
}
