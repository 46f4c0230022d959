// Phrases that state or imply who should (or should not) buy a home, by class protected under the Fair
// Housing Act (42 U.S.C. 3604(c)). Source: HUD's "Guidance Regarding Advertisements Under Section 804(c)"
// (Roberta Achtenberg memo, January 9, 1995), plus the catch words of HUD's former advertising guidelines
// (24 CFR 109, 1989) that the usual Fair Housing advertising word lists keep.
//
// The rule of that guidance: describing the property, its facilities or the area is fine ("family room",
// "master bedroom", "walk-in closet", "walking distance", "near churches", "quiet street", "55+ community"
// names, "bachelor apartment", "mother-in-law suite"); describing the buyer is not. So the list holds buyer
// descriptions and explicit preferences only. A space in a pattern matches spaces or hyphens.

export type FairHousingCategory =
  | "familial_status"
  | "sex"
  | "race_color_national_origin"
  | "religion"
  | "handicap"
  | "exclusivity";

const AUDIENCE = "(perfect|ideal|great|best|made|suited|meant|just right) for (a |the )?";

const PATTERNS: Record<FairHousingCategory, string[]> = {
  // Children or household make-up (HUD: "no children", "adults only").
  familial_status: [
    "adults? only",
    "adult living only",
    "no (children|kids|minors|teens|teenagers|babies|infants)",
    "(children|kids) not (allowed|permitted|welcome)",
    "not suitable for (children|kids)",
    `${AUDIENCE}(young |growing |new |small |large |big )?(family|families)`,
    `${AUDIENCE}(empty nesters|retirees|seniors|couples|newlyweds|singles|kids|children)`,
    "empty nesters",
    "newlyweds",
    "singles",
    "couples only",
    "mature (couples?|persons?|people|adults?|individuals?|buyers?)",
  ],
  // HUD: "great house for a man", "wanted: mature woman"; "bachelor pad" names the buyer's lifestyle.
  sex: [
    "bachelor pad",
    `${AUDIENCE}(man|men|woman|women|gentleman|gentlemen|lady|ladies|bachelors?|bachelorettes?|guys?|girls?)`,
    "(men|women|males?|females?|ladies|gentlemen) only",
    "mature (woman|women|man|men)",
  ],
  // HUD: "white family home", "no Irish".
  race_color_national_origin: [
    "(white|black|caucasian|hispanic|latino|latina|asian|african american|ethnic|minority|oriental|european) (neighborhood|community|area|family|families|buyers?|home|residents)",
    "(whites|blacks|caucasians|hispanics|latinos|asians|immigrants|foreigners) only",
    "english (speakers?|speaking) only",
    "(must|should) speak english",
    "no (immigrants|foreigners)",
    "(american|u\\.?s\\.?) citizens only",
  ],
  // HUD: "no Jews", "Christian home"; describing a chapel or "near churches" is a facility, not a buyer.
  religion: [
    "(christian|jewish|muslim|catholic|protestant|mormon|hindu|buddhist) (home|family|families|community|neighborhood|buyers?|residents)",
    "(christians|jews|muslims|catholics|protestants|mormons|hindus|buddhists) only",
    "no (christians|jews|muslims|catholics|hindus|atheists)",
  ],
  // HUD: "no wheelchairs"; accessibility features ("wheelchair ramp") and property facts ("walk-up") are fine.
  handicap: [
    "no wheelchairs",
    "able bodied",
    "physically fit",
    "no (disabled|handicapped) (people|persons|buyers|tenants)",
    "not (suitable|suited) for (the )?(disabled|handicapped)",
    "must be able to (walk|climb stairs)",
    "(healthy|sober) (buyers?|people|persons|residents) only",
  ],
  // 24 CFR 109.20 (1989) catch words for neighborhoods that imply a preference.
  exclusivity: [
    "exclusive (neighborhood|community|area|enclave)",
    "restricted (neighborhood|community|area)",
  ],
};

export const CATEGORY_LABELS: Record<FairHousingCategory, string> = {
  familial_status: "familial status",
  sex: "sex",
  race_color_national_origin: "race, color or national origin",
  religion: "religion",
  handicap: "handicap",
  exclusivity: "exclusivity",
};

const compiled = (Object.entries(PATTERNS) as [FairHousingCategory, string[]][]).flatMap(([category, list]) =>
  list.map((source) => ({
    category,
    regex: new RegExp(`(?<![\\p{L}\\p{N}])${source.replaceAll(" ", "[\\s-]+")}(?![\\p{L}\\p{N}])`, "giu"),
  })),
);

export type FairHousingHit = { category: FairHousingCategory; phrase: string };

/** Every buyer-describing phrase in the text, case-insensitive, whole words; a phrase inside a longer hit counts once. */
export function findFairHousingPhrases(text: string): FairHousingHit[] {
  const hits: (FairHousingHit & { start: number; end: number })[] = [];
  for (const { category, regex } of compiled) {
    for (const match of text.matchAll(regex)) {
      hits.push({ category, phrase: match[0], start: match.index, end: match.index + match[0].length });
    }
  }
  return hits
    .filter((a, i) =>
      hits.every((b, j) => {
        const covers = b.start <= a.start && b.end >= a.end;
        const longer = b.end - b.start > a.end - a.start;
        return j === i || !covers || (!longer && j > i);
      }),
    )
    .sort((a, b) => a.start - b.start)
    .map(({ category, phrase }) => ({ category, phrase }));
}
