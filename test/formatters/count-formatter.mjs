// A third-party-style ESLint formatter module: (results, context) => string.
export default function (results) {
  return `${results.length} files`;
}
