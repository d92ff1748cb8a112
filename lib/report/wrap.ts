/**
 * Word-wraps terminal text to a width, so that a terminal never breaks a word in two: each line longer
 * than `columns` is cut at its last space that fits, and its continuation lines keep the line's own
 * indentation plus four spaces (a hanging indent, so a wrapped reason still reads as one item). A single
 * word longer than the width (a chart's bars) is left whole: cutting it would misdraw the chart.
 * Widths count code points: the report's symbols (`▃`, `×`, `≤`, `α`) are one column each.
 */
export function wrapToWidth(text: string, columns: number): string {
  if (!(columns >= 20)) return text;
  return text
    .split('\n')
    .flatMap((line) => wrapLine(line, columns))
    .join('\n');
}

const width = (text: string) => [...text].length;

function wrapLine(line: string, columns: number): string[] {
  if (width(line) <= columns) return [line];
  const indent = /^ */.exec(line)![0];
  const hanging = `${indent}    `;
  const words = line.slice(indent.length).split(' ');
  const lines: string[] = [];
  let current = indent;
  let empty = true;
  for (const word of words) {
    const candidate = empty ? `${current}${word}` : `${current} ${word}`;
    if (empty || width(candidate) <= columns) {
      current = candidate;
      empty = false;
      continue;
    }
    lines.push(current);
    current = `${hanging}${word}`;
  }
  lines.push(current);
  return lines;
}
