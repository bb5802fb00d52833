// The IIN's check digit, as crates/domain/src/iin.rs computes it,
// so the clerk sees a mistyped IIN while typing. Only a hint: the backend
// validates the IIN again and decides.

const W1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

// The check digit of an 11-digit prefix, or null when both passes give 10
// (such a prefix is never issued).
export function checkDigit(prefix) {
  const pass = (w) => prefix.reduce((sum, d, i) => sum + d * w[i], 0) % 11;
  const first = pass(W1);
  if (first !== 10) return first;
  const second = pass(W2);
  return second === 10 ? null : second;
}

// "empty", "partial" (digits, fewer than 12), "format" (not digits or too
// long), "bad" (wrong check digit) or "ok".
export function iinState(raw) {
  const s = raw.trim();
  if (s === "") return "empty";
  if (!/^[0-9]+$/.test(s)) return "format";
  if (s.length < 12) return "partial";
  if (s.length > 12) return "format";
  const digits = [...s].map(Number);
  const c = checkDigit(digits.slice(0, 11));
  return c !== null && c === digits[11] ? "ok" : "bad";
}
