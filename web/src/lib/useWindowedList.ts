import { type CSSProperties, type RefCallback, useCallback, useLayoutEffect, useRef, useState } from "react";

// Windowing for lists that scroll with the page: only the rows near the viewport are in the DOM, the rest are
// padding on the list element, so the page keeps its full height (scrollbar, scroll restoration) and the
// rendered rows stay in normal flow (CSS grid and flex gaps keep working). A grid list is windowed by its rows.

/** Measured row strides (height + gap) per list content, kept across visits so a restored scroll lands on
 * the same rows it left. */
const measured = new Map<string, { width: number; strides: number[] }>();

type Options = {
  /** Items in the list. */
  count: number;
  /** A row's height before it is measured, gap included. */
  estimate: number;
  /** Short lists render whole: windowing them would only cost find-in-page. */
  windowAbove: number;
  /** Identifies what the list shows (its filters): measurements are kept per key. */
  cacheKey: string;
  /** Pixels rendered beyond each edge of the viewport. */
  overscan?: number;
};

export type WindowedList = {
  windowed: boolean;
  /** The rendered items: [start, end). */
  start: number;
  end: number;
  /** Padding that stands in for the rows not rendered. */
  style: CSSProperties | undefined;
  /** For the list element (a grid's rows are read from its columns); it needs `tabIndex={-1}`. */
  listRef: RefCallback<HTMLElement>;
  /** For every rendered item, which carries `data-index`. */
  measureRef: RefCallback<HTMLElement>;
};

function entryOf(key: string) {
  let entry = measured.get(key);
  if (!entry) {
    entry = { width: 0, strides: [] };
    measured.set(key, entry);
    // A handful of recent filter sets is all back-navigation needs.
    for (const old of measured.keys()) if (measured.size > 20) measured.delete(old);
  }
  return entry;
}

/** The height of rows [from, to): measured where known, estimated elsewhere. */
function span(strides: number[], from: number, to: number, estimate: number): number {
  let total = 0;
  for (let row = from; row < to; row++) total += strides[row] ?? estimate;
  return total;
}

function columnsOf(list: HTMLElement): number {
  const tracks = getComputedStyle(list).gridTemplateColumns;
  return tracks && tracks !== "none" ? tracks.split(" ").length : 1;
}

export function useWindowedList({
  count,
  estimate,
  windowAbove,
  cacheKey,
  overscan = 600,
}: Options): WindowedList {
  const windowed = count > windowAbove;
  const [columns, setColumns] = useState(1);
  const [range, setRange] = useState({ start: 0, end: 0 });
  // Bumped when a new width drops the measured heights, so the padding is summed again.
  const [, setWidthVersion] = useState(0);
  const list = useRef<HTMLElement | null>(null);
  const gap = useRef(0);
  const latest = useRef({ windowed, rows: 0, columns, cacheKey, estimate, overscan });
  const rows = Math.ceil(count / columns);
  latest.current = { windowed, rows, columns, cacheKey, estimate, overscan };

  const frame = useRef(0);
  const focusInside = useRef(false);
  const update = useCallback(() => {
    frame.current = 0;
    const { windowed, rows, cacheKey, overscan, estimate } = latest.current;
    const element = list.current;
    if (!windowed || !element) return;
    const strides = entryOf(cacheKey).strides;
    const top = -element.getBoundingClientRect().top - overscan;
    const bottom = top + window.innerHeight + 2 * overscan;
    let start = rows;
    let end = rows;
    let offset = 0;
    for (let row = 0; row < rows; row++) {
      if (offset >= bottom) {
        end = row;
        break;
      }
      offset += strides[row] ?? estimate;
      if (start === rows && offset > top) start = row;
    }
    if (start > end) start = end;
    // A focused card about to scroll out of the DOM hands the focus to the list (below), not the page.
    focusInside.current = element.contains(document.activeElement);
    setRange((prev) => (prev.start === start && prev.end === end ? prev : { start, end }));
  }, []);
  const schedule = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(update);
  }, [update]);

  const [observer] = useState(() =>
    typeof ResizeObserver === "undefined"
      ? null
      : new ResizeObserver((entries) => {
          const { columns, cacheKey } = latest.current;
          const entry = entryOf(cacheKey);
          let changed = false;
          for (const { target, borderBoxSize } of entries) {
            const element = target as HTMLElement;
            const height = borderBoxSize[0]?.blockSize ?? element.offsetHeight;
            if (element === list.current) {
              const width = borderBoxSize[0]?.inlineSize ?? element.offsetWidth;
              if (Math.abs(width - entry.width) >= 1) {
                // Another width wraps text (and grid items) differently: earlier heights no longer hold.
                if (entry.width) entry.strides = [];
                entry.width = width;
                setColumns(columnsOf(element));
                setWidthVersion((version) => version + 1);
                changed = true;
              }
              continue;
            }
            const row = Math.floor(Number(element.dataset.index) / columns);
            const value = height + gap.current;
            if (Number.isFinite(row) && Math.abs((entry.strides[row] ?? 0) - value) >= 0.5) {
              // A grid row is as tall as its tallest item; every item is stretched to it.
              entry.strides[row] = value;
              changed = true;
            }
          }
          // The padding only sums rows not rendered, so a measured row needs no render of its own: the
          // next change of range reads it.
          if (changed) schedule();
        }),
  );

  const listRef = useCallback(
    (element: HTMLElement | null) => {
      list.current = element;
      if (!element) return;
      const style = getComputedStyle(element);
      gap.current = Number.parseFloat(style.rowGap) || 0;
      setColumns(columnsOf(element));
      observer?.observe(element);
      window.addEventListener("scroll", schedule, { passive: true });
      window.addEventListener("resize", schedule);
      return () => {
        observer?.unobserve(element);
        window.removeEventListener("scroll", schedule);
        window.removeEventListener("resize", schedule);
        cancelAnimationFrame(frame.current);
        frame.current = 0;
        list.current = null;
      };
    },
    [observer, schedule],
  );

  const measureRef = useCallback(
    (element: HTMLElement | null) => {
      if (!element || !observer) return;
      observer.observe(element);
      return () => observer.unobserve(element);
    },
    [observer],
  );

  // Before paint: the right rows for where the page is scrolled (a restored scroll included).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the inputs that move the window
  useLayoutEffect(update, [update, windowed, rows, columns, cacheKey]);
  // The focused item left the DOM: the list keeps the focus, so Tab goes on from the rendered items.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after every move of the window
  useLayoutEffect(() => {
    const element = list.current;
    if (!focusInside.current || !element || element.contains(document.activeElement)) return;
    focusInside.current = false;
    if (document.activeElement === document.body || document.activeElement === null)
      element.focus({ preventScroll: true });
  }, [range]);

  if (!windowed) return { windowed, start: 0, end: count, style: undefined, listRef, measureRef };
  const strides = entryOf(cacheKey).strides;
  const endRow = Math.min(range.end || Math.ceil(window.innerHeight / estimate), rows);
  const startRow = Math.min(range.start, endRow);
  return {
    windowed,
    start: startRow * columns,
    end: Math.min(count, endRow * columns),
    style: {
      paddingTop: span(strides, 0, startRow, estimate),
      paddingBottom: span(strides, endRow, rows, estimate),
    },
    listRef,
    measureRef,
  };
}
