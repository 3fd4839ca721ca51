/**
 * Cyrillic, Greek and Latin letters drawn like an ASCII letter in common fonts, lower-case
 * (addresses are stored lower-cased, so that is how they are read): a small subset of the idea of
 * Unicode's confusables (UTS #39 skeletons), for the one question asked here, whether a non-ASCII
 * address reads as a member's address (issue 15, item 5). The npm "confusables" package was read
 * and not used: it is made for profanity filters and folds accented letters too (é to e, which a
 * reader can tell apart), from a table of its own rather than Unicode's.
 */
const LATIN_LOOKALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a', е: 'e', һ: 'h', і: 'i', ј: 'j', ӏ: 'l', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w',
  // Greek
  α: 'a', ι: 'i', ν: 'v', ο: 'o', ρ: 'p', ϲ: 'c', ϳ: 'j',
  // Latin letters outside ASCII drawn like ASCII ones
  ı: 'i', ȷ: 'j', ɡ: 'g', ɑ: 'a',
}

/** What the string reads as: NFKC, case folded, lookalike letters replaced by the Latin they resemble. */
export function skeleton(s: string): string {
  return Array.from(s.normalize('NFKC').toLowerCase(), (c) => LATIN_LOOKALIKES[c] ?? c).join('')
}

/** For a non-ASCII address that reads as another one, the address it reads as; otherwise null. */
export function lookalikeTarget(address: string): string | null {
  if (/^[\u0000-\u007f]*$/.test(address)) return null
  const reads = skeleton(address)
  return reads !== address ? reads : null
}
