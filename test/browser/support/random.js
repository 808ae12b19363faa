// Seeded randomness for tests that must replay: the fault proxy's cuts, the server fuzz test, the
// client's random frames. Plain ES module, for Node and the browser alike.

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `next()` in [0, 1) and `pick(list)`, one of its items, from one seeded sequence. */
export function seeded(seed) {
  const next = mulberry32(seed);
  return { next, pick: (list) => list[Math.floor(next() * list.length)] };
}
