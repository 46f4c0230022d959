import { type KeyboardEvent, useRef, useState } from "react";
import { ListingPhoto } from "./ListingPhoto";

/** The main photo with previous/next buttons and a row of thumbnail buttons (arrow keys move along it). */
export function ListingGallery({ urls, address }: { urls: string[]; address: string }) {
  const [index, setIndex] = useState(0);
  const thumbs = useRef<HTMLUListElement>(null);
  const count = urls.length;
  const current = Math.min(index, Math.max(count - 1, 0));

  function show(next: number, focusThumb = false) {
    const wrapped = (next + count) % count;
    setIndex(wrapped);
    if (focusThumb) thumbs.current?.querySelectorAll("button")[wrapped]?.focus();
  }

  function onThumbKey(event: KeyboardEvent) {
    const moves: Record<string, number> = {
      ArrowRight: current + 1,
      ArrowLeft: current - 1,
      Home: 0,
      End: -1,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    show(next, true);
  }

  return (
    <section className="gallery" aria-label="Photos">
      <div className="gallery-stage">
        <ListingPhoto
          className="gallery-main"
          url={urls[current] ?? null}
          alt={count > 1 ? `Photo ${current + 1} of ${count}: ${address}` : `Photo of ${address}`}
          eager
        />
        {count > 1 && (
          <>
            <button
              className="gallery-step gallery-prev"
              type="button"
              aria-label="Previous photo"
              onClick={() => show(current - 1)}
            >
              <span aria-hidden="true">‹</span>
            </button>
            <button
              className="gallery-step gallery-next"
              type="button"
              aria-label="Next photo"
              onClick={() => show(current + 1)}
            >
              <span aria-hidden="true">›</span>
            </button>
            <p className="gallery-counter" aria-hidden="true">
              {current + 1} / {count}
            </p>
          </>
        )}
      </div>
      {count > 1 && (
        <ul className="gallery-thumbs" ref={thumbs} onKeyDown={onThumbKey}>
          {urls.map((url, i) => (
            <li key={url}>
              <button
                className="gallery-thumb"
                type="button"
                aria-label={`Show photo ${i + 1} of ${count}`}
                aria-pressed={i === current}
                onClick={() => show(i)}
              >
                <ListingPhoto className="gallery-thumb-photo" url={url} alt="" />
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
