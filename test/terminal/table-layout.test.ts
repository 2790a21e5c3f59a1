import { beforeAll, describe, expect, it } from "vitest";
import { loadTextMeasure, type TextMeasure } from "../../src/terminal/render/display-width.js";
import { fitColumns, layoutTable, MIN_COLUMN, recordLines, type TableCells } from "../../src/terminal/render/table-layout.js";

let measure: TextMeasure;
beforeAll(async () => {
  measure = await loadTextMeasure();
});

const widest = (lines: string[]) => Math.max(...lines.map((line) => measure.width(line)));
/** The text of a grid, borders and padding removed, for "is every word still there". */
const words = (lines: string[]) => lines.join(" ").replace(/[│┌┐└┘├┤┬┴┼─]/g, " ").split(/\s+/).filter(Boolean).sort();

const fruit: TableCells = {
  header: ["Name", "Colour", "Notes"],
  align: [null, null, "right"],
  rows: [
    ["apple", "red", "crisp and sweet, good for pies and eaten raw"],
    ["banana", "yellow", "soft"],
  ],
};

describe("layoutTable", () => {
  it("draws a table that fits at its natural width, cells padded and aligned", () => {
    const lines = layoutTable(fruit, 120, measure);
    expect(lines).toEqual([
      "┌────────┬────────┬──────────────────────────────────────────────┐",
      "│ Name   │ Colour │                                        Notes │",
      "├────────┼────────┼──────────────────────────────────────────────┤",
      "│ apple  │ red    │ crisp and sweet, good for pies and eaten raw │",
      "│ banana │ yellow │                                         soft │",
      "└────────┴────────┴──────────────────────────────────────────────┘",
    ]);
  });

  it("narrows the widest column and wraps its cells at word boundaries when the table is too wide", () => {
    const lines = layoutTable(fruit, 40, measure);
    expect(widest(lines)).toBeLessThanOrEqual(40);
    expect(lines.slice(0, 6)).toEqual([
      "┌────────┬────────┬────────────────────┐",
      "│ Name   │ Colour │              Notes │",
      "├────────┼────────┼────────────────────┤",
      "│ apple  │ red    │   crisp and sweet, │",
      "│        │        │  good for pies and │",
      "│        │        │          eaten raw │",
    ]);
    // A rule between rows once a cell wraps, and nothing lost.
    expect(lines.filter((line) => line.startsWith("├"))).toHaveLength(2);
    expect(words(lines)).toEqual(words(layoutTable(fruit, 200, measure)));
  });

  it("counts wide and combining characters by display width, never wider than the terminal", () => {
    const table: TableCells = {
      header: ["項目", "説明"],
      align: [null, null],
      rows: [["絵文字 🙂🎉", "café́ naïve 漢字が長く続く説明文で折り返しが必要になります 👩‍💻 done"]],
    };
    for (const columns of [30, 44, 60]) {
      const lines = layoutTable(table, columns, measure);
      expect(widest(lines)).toBeLessThanOrEqual(columns);
      // Every row of the grid is exactly as wide as its border: the columns line up.
      expect(new Set(lines.map((line) => measure.width(line))).size).toBe(1);
      expect(lines.join("")).toContain("👩‍💻");
    }
  });

  it("keeps colour codes out of the measure and carries them across wrapped lines", () => {
    const table: TableCells = { header: ["a", "b"], align: [null, null], rows: [["\x1b[1mbold words that wrap here\x1b[22m", "x"]] };
    const lines = layoutTable(table, 20, measure);
    expect(widest(lines)).toBeLessThanOrEqual(20);
    const wrapped = lines.filter((line) => line.includes("\x1b[1m"));
    expect(wrapped.length).toBeGreaterThan(1);
    for (const line of wrapped) expect(line).toContain("\x1b[22m");
  });

  it("falls back to one block of `header: value` lines per row when the columns cannot stay readable", () => {
    const header = ["id", "name", "owner", "status", "created", "updated", "region"];
    const table: TableCells = {
      header,
      align: header.map(() => null),
      rows: [
        ["1", "frontend-service", "platform team", "running", "2026-11-30", "2026-12-01", "eu-west-1"],
        ["2", "billing", "payments", "stopped", "2026-10-02", "2026-11-15", "us-east-2"],
      ],
    };
    const lines = layoutTable(table, 60, measure);
    expect(lines.join("\n")).toBe(
      [
        "id: 1",
        "name: frontend-service",
        "owner: platform team",
        "status: running",
        "created: 2026-11-30",
        "updated: 2026-12-01",
        "region: eu-west-1",
        "",
        "id: 2",
        "name: billing",
        "owner: payments",
        "status: stopped",
        "created: 2026-10-02",
        "updated: 2026-11-15",
        "region: us-east-2",
      ].join("\n"),
    );
    // The same table is a grid where it fits.
    expect(layoutTable(table, 120, measure)[0]).toMatch(/^┌/);
  });

  it("wraps a long record value with its continuation indented", () => {
    const table: TableCells = { header: ["k", "v"], align: [null, null], rows: [["key", "one two three four five six seven eight"]] };
    expect(recordLines(table, 20, measure)).toEqual(["k: key", "v: one two three", "  four five six", "  seven eight"]);
  });
});

describe("fitColumns", () => {
  it("keeps natural widths that fit, and otherwise shares the room so narrow columns stay whole", () => {
    expect(fitColumns([5, 10, 20], 40)).toEqual([5, 10, 20]);
    expect(fitColumns([5, 10, 60], 40)).toEqual([5, 10, 25]);
    expect(fitColumns([30, 30, 3], 40)).toEqual([19, 18, 3]);
    const shared = fitColumns([50, 50, 50], 40)!;
    expect(shared.reduce((a, b) => a + b)).toBe(40);
    expect(Math.min(...shared)).toBeGreaterThanOrEqual(MIN_COLUMN);
  });

  it("keeps each column's longest word whole when those fit", () => {
    expect(fitColumns([18, 51, 26], 50, [18, 8, 10])).toEqual([18, 16, 16]);
    expect(fitColumns([18, 51, 26], 50)).toEqual([16, 17, 17]);
  });

  it("gives up when even the minimum widths do not fit", () => {
    expect(fitColumns([20, 20, 20, 20], 4 * MIN_COLUMN - 1)).toBeUndefined();
    // A column whose text is shorter than the minimum needs only its text.
    expect(fitColumns([2, 2, 2, 20], 3 * 2 + MIN_COLUMN)).toEqual([2, 2, 2, MIN_COLUMN]);
  });
});
