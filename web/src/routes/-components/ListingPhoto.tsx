import { useState } from "react";
import { imageSrc } from "../../lib/images";

/** A listing photo through the image proxy; a missing or broken photo becomes a labelled placeholder. */
export function ListingPhoto({
  url,
  alt,
  className,
  eager = false,
}: {
  url: string | null;
  alt: string;
  className: string;
  eager?: boolean;
}) {
  const [failedUrl, setFailedUrl] = useState<string | null>(null);
  if (!url || failedUrl === url) {
    // An empty alt marks a decorative photo (a thumbnail inside a labelled button): so is its placeholder.
    return alt ? (
      <div className={`${className} photo-placeholder`}>No photo yet</div>
    ) : (
      <div className={`${className} photo-placeholder`} aria-hidden="true" />
    );
  }
  return (
    <img
      className={className}
      src={imageSrc(url)}
      alt={alt}
      width={640}
      height={480}
      loading={eager ? "eager" : "lazy"}
      decoding="async"
      onError={() => setFailedUrl(url)}
    />
  );
}
